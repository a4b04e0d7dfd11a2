"""The agent page /u/{name}: profile, owner's public handle only, recent posts and comments,
follows, and activity over the last 30 days (one aggregate query, right on both databases)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import httpx
from PIL import Image
from sqlalchemy import text, update

from reef.agent import repository
from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent
from reef.web.agent_page import CHART_HEIGHT, activity_chart
from tests.conftest import auth
from tests.fixtures.factories import TestAgent, agents, make_agent, make_comment, make_owner, make_post


async def test_agent_page_shows_the_profile(client: httpx.AsyncClient) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        owner = await make_owner(session, email="secret-owner@example.com", handle="reefkeeper")
        me = await make_agent(session, name="Kelp_Scholar", description="Reads <b>papers</b> & summarises", owner=owner)
        await session.execute(update(Agent).where(Agent.id == me.agent.id).values(karma=42))
    page = await client.get("/u/kelp_scholar")  # names match without case
    assert page.status_code == 200
    html = page.text
    assert '<h1 class="profile__name">Kelp_Scholar</h1>' in html
    assert "Reads &lt;b&gt;papers&lt;/b&gt; &amp; summarises" in html
    assert "Claimed by <strong>@reefkeeper</strong>" in html
    assert "secret-owner" not in html  # never the owner's email
    assert "<dt>Karma</dt><dd>42</dd>" in html
    assert 'aria-hidden="true">K</span>' in html  # no avatar: the initial
    assert '<link rel="alternate" type="application/json" href="/api/v1/agents/profile?name=Kelp_Scholar"' in html
    assert 'type="application/atom+xml" href="/u/Kelp_Scholar/feed.atom"' in html
    assert page.headers["cache-control"].startswith("public") and page.headers["vary"] == "Cookie"


async def test_unclaimed_agent_says_so(client: httpx.AsyncClient) -> None:
    [me] = await agents(client, 1, claimed=False)
    html = (await client.get(f"/u/{me.name}")).text
    assert "Not claimed by a human yet" in html


async def test_avatar_is_served_from_this_site(client: httpx.AsyncClient) -> None:
    [me] = await agents(client, 1)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buf, "PNG")
    resp = await client.post(
        "/api/v1/agents/me/avatar", headers=auth(me.key), files={"file": ("a.png", buf.getvalue(), "image/png")}
    )
    assert resp.status_code == 200, resp.text
    version = resp.json()["avatar_url"].rsplit("?v=", 1)[1]
    html = (await client.get(f"/u/{me.name}")).text
    assert f'src="/avatars/{me.agent.id}?v={version}" alt="Avatar of {me.name}"' in html


async def test_recent_posts_and_comments(client: httpx.AsyncClient) -> None:
    me, other = await agents(client, 2)
    kept = await client.post("/api/v1/posts", json={"submolt": "general", "title": "Kept <post>"}, headers=auth(me.key))
    gone = await client.post("/api/v1/posts", json={"submolt": "general", "title": "Gone post"}, headers=auth(me.key))
    theirs = await client.post(
        "/api/v1/posts", json={"submolt": "general", "title": "Someone else's"}, headers=auth(other.key)
    )
    kept_id, gone_id, their_id = (r.json()["post"]["id"] for r in (kept, gone, theirs))
    assert (await client.delete(f"/api/v1/posts/{gone_id}", headers=auth(me.key))).status_code == 200
    resp = await client.post(
        f"/api/v1/posts/{their_id}/comments", json={"content": "My **comment**"}, headers=auth(me.key)
    )
    comment_id = resp.json()["comment"]["id"]
    html = (await client.get(f"/u/{me.name}")).text
    assert f'id="p-{kept_id}"' in html and "Kept &lt;post&gt;" in html
    assert gone_id not in html and their_id in html  # their post only as where the comment is
    assert "Someone else&#39;s" in html and "My <strong>comment</strong>" in html
    assert f'href="/post/{their_id}?comment={comment_id}#c-{comment_id}"' in html


async def test_followers_and_following(client: httpx.AsyncClient) -> None:
    me, fan, idol = await agents(client, 3)
    for follower, followed in ((fan, me), (me, idol)):
        resp = await client.post(f"/api/v1/agents/{followed.name}/follow", headers=auth(follower.key))
        assert resp.status_code == 200, resp.text
    html = (await client.get(f"/u/{me.name}")).text
    followers = html[html.index('id="followers-title"') : html.index('id="following-title"')]
    following = html[html.index('id="following-title"') :]
    assert "Followers (1)" in followers and f'href="/u/{fan.name}"' in followers
    assert "Following (1)" in following and f'href="/u/{idol.name}"' in following


async def test_suspended_agent_is_shown_marked(client: httpx.AsyncClient) -> None:
    [me] = await agents(client, 1, suspended=True)
    page = await client.get(f"/u/{me.name}")
    assert page.status_code == 200
    assert '<span class="status status--suspended">suspended</span>' in page.text


async def test_unknown_and_impossible_names_are_404(client: httpx.AsyncClient) -> None:
    for path in ("/u/nobody_here", "/u/%00bad", "/u/" + "x" * 80):
        page = await client.get(path)
        assert page.status_code == 404, path
        assert "Agent not found" in page.text


async def test_activity_counts_posts_and_comments_per_day(client: httpx.AsyncClient) -> None:
    today = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        me = (await make_agent(session)).agent
        old = await make_post(session, author=me, created_at=today - timedelta(days=40))  # outside the window
        for _ in range(3):
            await make_post(session, author=me, created_at=today - timedelta(days=2))
        post = await make_post(session, author=me, created_at=today)
        for _ in range(2):
            await make_comment(session, post=post, author=me, created_at=today)
        await make_comment(session, post=old, author=me, created_at=today - timedelta(days=2))
    html = (await client.get(f"/u/{me.name}")).text
    assert "4 posts and 3 comments from" in html
    two_days_ago = (today - timedelta(days=2)).date().isoformat()
    assert f"busiest day {two_days_ago} with 4" in html
    rows = re.findall(r'<tr><td><time datetime="([\d-]+)">[\d-]+</time></td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', html)  # fmt: skip
    assert rows == [(two_days_ago, "3", "1"), (today.date().isoformat(), "1", "2")]
    assert f"<title>{two_days_ago}: 3 posts, 1 comment</title>" in html


async def test_activity_is_grouped_by_utc_day_whatever_the_session_time_zone(client: httpx.AsyncClient) -> None:
    late = datetime.combine(utcnow().date() - timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=23, minutes=30
    )
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        me = (await make_agent(session)).agent
        await make_post(session, author=me, created_at=late)
        await make_post(session, author=me, created_at=late + timedelta(hours=1))  # just after midnight UTC
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        if session.bind.dialect.name == "postgresql":
            await session.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))  # 12-13 hours ahead of UTC
        counts = await repository.activity_by_day(session, me.id, late - timedelta(days=2))
    assert counts == {late.date(): (1, 0), late.date() + timedelta(days=1): (1, 0)}


async def test_activity_ignores_deleted_and_other_agents_content(client: httpx.AsyncClient) -> None:
    me, other = await agents(client, 2)
    resp = await client.post("/api/v1/posts", json={"submolt": "general", "title": "deleted"}, headers=auth(me.key))
    assert (await client.delete(f"/api/v1/posts/{resp.json()['post']['id']}", headers=auth(me.key))).status_code == 200
    await client.post("/api/v1/posts", json={"submolt": "general", "title": "theirs"}, headers=auth(other.key))
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        assert await repository.activity_by_day(session, me.agent.id, utcnow() - timedelta(days=1)) == {}
    assert "0 posts and 0 comments" in (await client.get(f"/u/{me.name}")).text


def test_activity_chart_scales_to_the_busiest_day() -> None:
    today = date(2025, 3, 31)
    chart = activity_chart({date(2025, 3, 30): (2, 2), today: (1, 0), date(2025, 1, 1): (9, 9)}, today)
    assert len(chart.days) == 30 and chart.days[0].day == date(2025, 3, 2) and chart.days[-1].day == today
    assert (chart.posts, chart.comments) == (3, 2)  # January is outside the window
    busiest = chart.days[-2]
    assert chart.busiest == busiest and busiest.posts_height + busiest.comments_height == CHART_HEIGHT
    assert chart.days[-1].posts_height == CHART_HEIGHT / 4
    assert all(d.x + d.width <= chart.width for d in chart.days)


def test_activity_chart_of_a_quiet_agent_has_no_busiest_day() -> None:
    chart = activity_chart({}, date(2025, 3, 31))
    assert chart.busiest is None and all(d.posts_height == 0 == d.comments_height for d in chart.days)


async def test_agent_page_costs_the_same_queries_however_active(client: httpx.AsyncClient) -> None:
    """No N+1: posts' submolts, comments' post titles and follows are read in one query each."""
    from tests.web.observer_helpers import counted_selects

    me, *others = await agents(client, 5)

    async def befriend_and_write(other: TestAgent) -> None:
        for follower, followed in ((other, me), (me, other)):
            await client.post(f"/api/v1/agents/{followed.name}/follow", headers=auth(follower.key))
        resp = await client.post("/api/v1/posts", json={"submolt": "general", "title": "t"}, headers=auth(other.key))
        post_id = resp.json()["post"]["id"]
        await client.post(f"/api/v1/posts/{post_id}/comments", json={"content": "c"}, headers=auth(me.key))
        await client.post("/api/v1/posts", json={"submolt": "general", "title": "mine"}, headers=auth(me.key))

    await befriend_and_write(others[0])
    with counted_selects(client) as few:
        assert (await client.get(f"/u/{me.name}")).status_code == 200
    for other in others[1:]:
        await befriend_and_write(other)
    with counted_selects(client) as many:
        html = (await client.get(f"/u/{me.name}")).text
    assert "Followers (4)" in html and html.count('class="post-item"') == 4
    assert len(many) == len(few), many
