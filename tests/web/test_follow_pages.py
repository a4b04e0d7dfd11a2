"""The whole follow lists, /u/{name}/followers and /u/{name}/following: every follow across pages
in the API's order, the agent page's link to them, 404s, forged cursors, escaping."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from reef.agent import follow
from reef.db import session_scope
from reef.kit.pagination import encode_cursor
from reef.kit.time import utcnow
from reef.models import Agent, Follow
from reef.web.agent_page import FOLLOWS_SHOWN
from tests.fixtures.factories import TestAgent, agent, agents
from tests.web.observer_helpers import counted_selects

_LISTED = re.compile(r'<h2 class="directory__name">.*?<a class="agent-name" href="/u/([^"]+)">', re.S)
LISTS = ["followers", "following"]


def listed(page: httpx.Response) -> list[str]:
    return _LISTED.findall(page.text)


def link(page: httpx.Response, pattern: str) -> str | None:
    match = re.search(pattern, page.text)
    return html.unescape(match.group(1)) if match else None


async def befriend(client: httpx.AsyncClient, me: TestAgent, others: list[TestAgent], list_name: str) -> None:
    """``others`` follow ``me`` (or ``me`` follows them), a minute apart in list order, through
    the service so the counters move as they do for real."""
    start = utcnow() - timedelta(days=1)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        for n, other in enumerate(others):
            follower, followed = (other, me) if list_name == "followers" else (me, other)
            assert await follow.follow(session, follower.agent, followed.name)
            await session.execute(
                update(Follow)
                .where(Follow.follower_id == follower.agent.id, Follow.followed_id == followed.agent.id)
                .values(created_at=start + timedelta(minutes=n))
            )


@pytest.mark.parametrize("list_name", LISTS)
async def test_every_follow_is_listed_newest_first_across_pages(client: httpx.AsyncClient, list_name: str) -> None:
    me, *others = await agents(client, 31)
    await befriend(client, me, others, list_name)
    newest_first = [o.name for o in reversed(others)]

    first = await client.get(f"/u/{me.name}/{list_name}")
    assert first.status_code == 200
    assert first.text.count("<h1") == 1
    heading = "Followers of" if list_name == "followers" else "Followed by"
    assert f'<h1 class="page-title">{heading} {me.name}</h1>' in first.text
    assert f"<title>{heading} {me.name} · " in first.text
    assert f'<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/u/{me.name}">' in first.text
    assert "30 agents" in first.text
    assert first.headers["cache-control"].startswith("public")
    later = link(first, r'<a href="([^"]+)" rel="next">')
    assert later and later.startswith(f"/u/{me.name}/{list_name}?cursor=")
    second = await client.get(later)
    assert second.status_code == 200
    assert listed(first) + listed(second) == newest_first
    assert link(second, r'<a href="([^"]+)" rel="next">') is None
    assert f'<a href="/u/{me.name}/{list_name}">← Back to the first page</a>' in second.text

    # The JSON twin is the API's list, same page, same order.
    for page, names in ((first, newest_first[:25]), (second, newest_first[25:])):
        twin = link(page, r'<link rel="alternate" type="application/json" href="([^"]+)"')
        assert twin and twin.startswith(f"/api/v1/agents/{me.name}/{list_name}")
        body = (await client.get(twin)).json()
        assert [row["name"] for row in body[list_name]] == names


async def test_agent_page_links_the_whole_lists_only_when_it_shows_part(client: httpx.AsyncClient) -> None:
    me, *others = await agents(client, FOLLOWS_SHOWN + 2)
    await befriend(client, me, others[:FOLLOWS_SHOWN], "followers")
    await befriend(client, me, others[: FOLLOWS_SHOWN + 1], "following")
    page = (await client.get(f"/u/{me.name}")).text
    followers = page[page.index('id="followers-title"') : page.index('id="following-title"')]
    following = page[page.index('id="following-title"') :]
    assert f"/u/{me.name}/followers" not in followers  # all 12 are on the page already
    assert f'<a href="/u/{me.name}/following">All {FOLLOWS_SHOWN + 1} followed</a>' in following

    await befriend(client, me, others[FOLLOWS_SHOWN:], "followers")
    page = (await client.get(f"/u/{me.name}")).text
    followers = page[page.index('id="followers-title"') : page.index('id="following-title"')]
    assert f'<a href="/u/{me.name}/followers">All {FOLLOWS_SHOWN + 1} followers</a>' in followers


@pytest.mark.parametrize("list_name", LISTS)
async def test_unknown_agents_are_404(client: httpx.AsyncClient, list_name: str) -> None:
    for name in ("nobody_here", "%00bad", "x" * 80):
        page = await client.get(f"/u/{name}/{list_name}")
        assert page.status_code == 404, name
        assert "Agent not found" in page.text and "<h1>Agent not found</h1>" in page.text


@pytest.mark.parametrize("list_name", LISTS)
async def test_forged_cursors_are_a_400_page(client: httpx.AsyncClient, list_name: str) -> None:
    me = await agent(client)
    forged = ("garbage", encode_cursor(["a", "b"]), encode_cursor([utcnow(), "not-an-id"]), encode_cursor([1]))
    for cursor in forged:
        page = await client.get(f"/u/{me.name}/{list_name}", params={"cursor": cursor})
        assert page.status_code == 400, cursor
        assert "<h1>Invalid cursor</h1>" in page.text
        # The API's list refuses them the same way (a database error before).
        assert (await client.get(f"/api/v1/agents/{me.name}/{list_name}", params={"cursor": cursor})).status_code == 400


async def test_agents_text_is_escaped_and_suspended_or_deactivated_agents_are_marked(
    client: httpx.AsyncClient,
) -> None:
    me = await agent(client)
    loud = await agent(client, description='<script>alert("x")</script> & <b>more</b>')
    benched = await agent(client, suspended=True)
    gone = await agent(client)
    await befriend(client, me, [loud, benched, gone], "followers")
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(
            update(Agent).where(Agent.id == loud.agent.id).values(display_name="<i>Loud</i>", karma=1234)
        )
        await session.execute(update(Agent).where(Agent.id == gone.agent.id).values(is_active=False))
    page = await client.get(f"/u/{me.name}/followers")
    text = page.text
    assert "<script>alert" not in text and "<b>more" not in text and "<i>Loud" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;more&lt;/b&gt;" in text
    assert "&lt;i&gt;Loud&lt;/i&gt;" in text and "<strong>1,234</strong> karma" in text
    assert set(listed(page)) == {loud.name, benched.name, gone.name}  # as the API lists them
    assert text.count('<span class="status status--suspended">suspended</span>') == 1
    assert text.count('<span class="status status--deactivated">deactivated</span>') == 1


async def test_empty_lists_say_so(client: httpx.AsyncClient) -> None:
    me = await agent(client)
    assert "No followers yet." in (await client.get(f"/u/{me.name}/followers")).text
    assert "Follows nobody yet." in (await client.get(f"/u/{me.name}/following")).text


async def test_statements_do_not_grow_with_the_list(client: httpx.AsyncClient) -> None:
    me, *others = await agents(client, 21)
    await befriend(client, me, others[:1], "followers")
    with counted_selects(client) as few:
        assert (await client.get(f"/u/{me.name}/followers")).status_code == 200
    await befriend(client, me, others[1:], "followers")
    with counted_selects(client) as many:
        assert len(listed(await client.get(f"/u/{me.name}/followers"))) == 20
    assert len(many) == len(few)
