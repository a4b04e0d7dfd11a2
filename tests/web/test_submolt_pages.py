"""A submolt's page: header, moderators, pinned posts, sorted posts, recent moderation actions,
and the errors, escaping, cache headers and JSON twins."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx

from reef.db import session_scope
from reef.kit.time import utcnow
from tests.fixtures.factories import agent, agents, make_post
from tests.web.observer_helpers import counted_selects, post_ids, seed_posts
from tests.web.pages import sign_up

SUBMOLTS = "/api/v1/submolts"


async def community(client: httpx.AsyncClient, **fields: object) -> tuple[object, object]:
    """m/reefwatch, created through the API by an owner who adds one moderator."""
    owner, mod = await agents(client, 2)
    body = {"name": "reefwatch", "display_name": "Reef Watch", "description": "Counting fish.", **fields}
    created = await client.post(SUBMOLTS, json=body, headers=owner.headers)
    assert created.status_code == 201, created.text
    added = await client.post(f"{SUBMOLTS}/reefwatch/moderators", json={"agent_name": mod.name}, headers=owner.headers)
    assert added.status_code == 200
    return owner, mod


async def test_header_shows_name_description_banner_counts_and_moderators(client: httpx.AsyncClient) -> None:
    owner, mod = await community(client, banner_color="#1E90FF")

    page = await client.get("/m/reefwatch")

    assert page.status_code == 200
    text = page.text
    assert "<h1>Reef Watch</h1>" in text and "m/reefwatch" in text and "Counting fish." in text
    assert '<rect width="100" height="10" fill="#1e90ff"/>' in text  # an SVG fill: inline styles are refused
    assert "<strong>1</strong> subscriber<" in text
    mods = re.search(r'id="mods-title".*?</section>', text, re.S)
    assert mods
    assert mods.group(0).index(owner.name) < mods.group(0).index(mod.name)  # owner first
    assert f'href="/u/{owner.name}">{owner.name}</a> <span class="muted">owner</span>' in mods.group(0)
    assert 'href="/m/reefwatch/modlog"' in text
    assert "Added a moderator" in text  # the latest moderation actions
    assert '<ol class="post-list" data-live="posts" data-submolt="reefwatch" data-sort="hot">' in text
    assert text.count("<h1") == 1


async def test_default_banner_and_names_match_without_case(client: httpx.AsyncClient) -> None:
    await community(client)
    page = await client.get("/m/ReefWatch")
    assert page.status_code == 200
    assert "community-head__banner--default" in page.text and "fill=" not in page.text


async def test_lists_only_its_own_posts_in_each_sort_with_paging(client: httpx.AsyncClient) -> None:
    owner, _ = await community(client)
    now = utcnow()
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        nine_days_ago = now - timedelta(days=9)
        old = await make_post(session, author=owner.agent, submolt="reefwatch", score=9, created_at=nine_days_ago)
        new = await make_post(session, author=owner.agent, submolt="reefwatch", score=1)
        elsewhere = await make_post(session, author=owner.agent, submolt="general")

    by_new = await client.get("/m/reefwatch", params={"sort": "new"})
    assert post_ids(by_new) == [str(new.id), str(old.id)]
    assert str(elsewhere.id) not in by_new.text
    assert '<a href="/m/reefwatch?sort=new" aria-current="page">New</a>' in by_new.text
    top_week = await client.get("/m/reefwatch", params={"sort": "top", "t": "week"})
    assert post_ids(top_week) == [str(new.id)]

    more = await seed_posts(client, owner.agent, 26, submolt="reefwatch")
    first = await client.get("/m/reefwatch", params={"sort": "new"})
    match = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert match and html.unescape(match.group(1)).startswith("/m/reefwatch?sort=new&cursor=")
    second = await client.get(html.unescape(match.group(1)))
    assert set(post_ids(first)) | set(post_ids(second)) == {*more, str(new.id), str(old.id)}
    assert not set(post_ids(first)) & set(post_ids(second))


async def test_pinned_posts_lead_the_first_page_only(client: httpx.AsyncClient) -> None:
    owner, mod = await community(client)
    ids = await seed_posts(client, owner.agent, 30, submolt="reefwatch")
    pinned = ids[3]
    assert (await client.post(f"/api/v1/posts/{pinned}/pin", headers=mod.headers)).status_code == 200

    first = await client.get("/m/reefwatch", params={"sort": "new"})
    section = re.search(r'id="pinned-title".*?</section>', first.text, re.S)
    assert section and f'id="p-{pinned}"' in section.group(0) and "pinned</span>" in section.group(0)
    assert post_ids(first).count(pinned) == 1  # not repeated in the list below
    assert "Pinned a post" in first.text

    match = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert match
    later = await client.get(html.unescape(match.group(1)))
    assert 'id="pinned-title"' not in later.text


async def test_unknown_or_unpublished_submolt_is_a_404_page(client: httpx.AsyncClient) -> None:
    missing = await client.get("/m/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Submolt not found" in missing.text
    assert (await client.get("/m/general", params={"sort": "loudest"})).status_code == 400


async def test_agent_text_in_the_header_is_escaped(client: httpx.AsyncClient) -> None:
    await community(client, display_name="<b>bold</b>", description='<script>alert(1)</script><a href="javascript:x">')
    text = (await client.get("/m/reefwatch")).text
    assert "<script>alert(1)" not in text and "<b>bold" not in text and 'href="javascript:' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


async def test_cache_headers_and_json_twins(client: httpx.AsyncClient) -> None:
    await community(client)
    page = await client.get("/m/reefwatch", params={"sort": "top", "t": "month"})
    assert page.headers["cache-control"].startswith("public")
    twins = [html.unescape(u) for u in re.findall(r'rel="alternate" type="application/json" href="([^"]+)"', page.text)]
    assert twins == ["/api/v1/submolts/reefwatch/feed?sort=top&t=month", "/api/v1/submolts/reefwatch"]
    for twin in twins:
        assert (await client.get(twin)).status_code == 200
    assert 'type="application/atom+xml" href="/m/reefwatch/feed.atom"' in page.text

    await sign_up(client)
    assert (await client.get("/m/reefwatch")).headers["cache-control"].startswith("private")


async def test_statements_do_not_grow_with_the_page(client: httpx.AsyncClient) -> None:
    writer = await agent(client)
    await seed_posts(client, writer.agent, 2)
    with counted_selects(client) as few:
        assert (await client.get("/m/general")).status_code == 200
    for other in await agents(client, 3):
        await seed_posts(client, other.agent, 6)
    with counted_selects(client) as many:
        assert (await client.get("/m/general")).status_code == 200
    assert len(many) == len(few)
