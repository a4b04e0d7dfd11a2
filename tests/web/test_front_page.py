"""The front page: posts of every submolt in each sort, paging by cursor, the "now" strip,
escaping, cache headers and the JSON twin."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Post
from tests.fixtures.factories import agent, agents, make_comment, make_post
from tests.web.observer_helpers import counted_selects, post_ids, seed_posts
from tests.web.pages import sign_up


async def test_front_page_lists_posts_with_their_meta(client: httpx.AsyncClient) -> None:
    author = await agent(client, name="Coral")
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        link = await make_post(session, author=author.agent, title="A reef map", url="https://www.example.org/map")
        await make_post(session, author=author.agent, title="Plain text", score=7)
        await make_comment(session, post=link, author=author.agent)

    page = await client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "A reef map" in text and "Plain text" in text
    assert f'href="/post/{link.id}"' in text
    assert 'href="/m/general">m/general</a>' in text
    assert 'href="/u/Coral"' in text
    assert ">example.org</a>" in text  # the link's domain, www. dropped
    assert 'href="https://www.example.org/map" rel="nofollow ugc noopener noreferrer"' in text
    assert "1 comment<" in text and "7</span>" in text
    assert re.search(r"<time datetime=\"[^\"]+\" title=\"[^\"]+\">now</time>", text)
    assert '<ol class="post-list" data-live="posts" data-submolt="" data-sort="hot">' in text
    assert text.count("<h1") == 1
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in text


async def test_sort_tabs_order_the_list_and_keep_working_without_script(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    now = utcnow()
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        old_top = await make_post(session, author=author.agent, score=50, created_at=now - timedelta(days=20))
        week_top = await make_post(session, author=author.agent, score=10, created_at=now - timedelta(days=2))
        newest = await make_post(session, author=author.agent, score=1, created_at=now)

    new = await client.get("/", params={"sort": "new"})
    assert post_ids(new) == [str(newest.id), str(week_top.id), str(old_top.id)]
    assert '<a href="/?sort=new" aria-current="page">New</a>' in new.text
    assert '<a href="/">Hot</a>' in new.text  # the default sort links to the bare page

    top_all = await client.get("/", params={"sort": "top"})
    assert post_ids(top_all)[0] == str(old_top.id)
    assert 'href="/?sort=top&amp;t=week"' in top_all.text  # time windows are shown for top

    top_week = await client.get("/", params={"sort": "top", "t": "week"})
    assert post_ids(top_week) == [str(week_top.id), str(newest.id)]
    assert '<a href="/?sort=top&amp;t=week" aria-current="page">This week</a>' in top_week.text
    assert 'data-sort="top"' in top_week.text

    hot = await client.get("/")
    assert "t=week" not in hot.text  # no time windows for hot
    for sort in ("rising", "controversial"):
        assert (await client.get("/", params={"sort": sort})).status_code == 200


async def test_unknown_sort_window_or_cursor_is_a_400_page(client: httpx.AsyncClient) -> None:
    for params, words in (
        ({"sort": "best"}, "Unknown sort"),
        ({"sort": "top", "t": "decade"}, "Unknown time window"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        page = await client.get("/", params=params)
        assert page.status_code == 400, params
        assert page.headers["content-type"].startswith("text/html")
        assert words.lower() in page.text.lower()


async def test_next_page_link_carries_the_cursor_and_pages_do_not_overlap(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    seeded = await seed_posts(client, author.agent, 30)

    first = await client.get("/", params={"sort": "new"})
    assert len(post_ids(first)) == 25
    match = re.search(r'<a href="([^"]+)" rel="next">Next page', first.text)
    assert match, first.text
    next_url = html.unescape(match.group(1))
    assert next_url.startswith("/?sort=new&cursor=")
    assert "Back to the first page" not in first.text

    second = await client.get(next_url)
    assert len(post_ids(second)) == 5
    assert set(post_ids(first)) | set(post_ids(second)) == set(seeded)
    assert 'rel="next"' not in second.text
    assert '<a href="/?sort=new">← Back to the first page</a>' in second.text


async def test_hidden_posts_are_not_listed(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    shown, deleted, removed, pending = await seed_posts(client, author.agent, 4)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        for post_id, change in (
            (deleted, {"is_deleted": True}),
            (removed, {"removed_at": utcnow()}),
            (pending, {"verification_status": "pending"}),
        ):
            await session.execute(update(Post).where(Post.id == uuid.UUID(post_id)).values(**change))

    assert post_ids(await client.get("/", params={"sort": "new"})) == [shown]


async def test_agent_text_is_escaped(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await make_post(session, author=author.agent, title='<script>alert(1)</script><img src=x onerror="alert(2)">')
        await make_post(session, author=author.agent, title="link", url='https://example.com/"><script>x</script>')

    text = (await client.get("/")).text

    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in text
    assert "<script>x</script>" not in text


async def test_now_strip_counts_today_and_names_busy_submolts_and_new_agents(client: httpx.AsyncClient) -> None:
    old, new = await agents(client, 2)
    veteran = await agent(client, name="Veteran", age=timedelta(days=400))
    await agents(client, 4)
    fresh = await agent(client, name="Hatchling", age=timedelta(seconds=1))
    now = utcnow()
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = await make_post(session, author=old.agent)
        await make_post(session, author=new.agent)
        await make_post(session, author=new.agent, submolt="introductions")
        await make_post(session, author=old.agent, created_at=now - timedelta(days=3))
        await make_comment(session, post=post, author=new.agent)

    text = (await client.get("/")).text

    today = re.search(r'<dl class="counters">(.*?)</dl>', text, re.S)
    assert today
    counts = dict(re.findall(r"<dt>([a-z ]+)</dt><dd>(\d+)</dd>", today.group(1)))
    posts_today = 3 if now - timedelta(days=3) < now.replace(hour=0, minute=0, second=0, microsecond=0) else 4
    assert counts == {"new agent": "1", "posts": str(posts_today), "comment": "1"}
    busy = re.search(r'id="busy-title".*?</section>', text, re.S)
    assert busy
    assert busy.group(0).index("m/general") < busy.group(0).index("m/introductions")
    assert "2 posts" in busy.group(0) and "1 post<" in busy.group(0)
    newest = re.search(r'id="newest-title".*?</section>', text, re.S)
    assert newest
    names = re.findall(r'class="agent-name" href="/u/[^"]+">([^<]+)</a>', newest.group(0))
    assert names[0] == fresh.name and len(names) == 5
    assert veteran.name not in names  # only the five newest are listed


async def test_anonymous_copies_are_cacheable_and_owner_copies_private(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/")
    assert anonymous.headers["cache-control"].startswith("public")
    assert "cookie" in anonymous.headers["vary"].lower()
    assert "script-src 'self'" in anonymous.headers["content-security-policy"]
    assert '<script src="/static/live.js" defer></script>' in anonymous.text

    await sign_up(client)
    signed_in = await client.get("/")
    assert signed_in.headers["cache-control"].startswith("private")
    assert "@human" in signed_in.text


async def test_json_twin_and_feed_are_linked(client: httpx.AsyncClient) -> None:
    text = (await client.get("/", params={"sort": "top", "t": "day"})).text
    twin = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', text)
    assert twin
    api = await client.get(html.unescape(twin.group(1)))
    assert api.status_code == 200 and api.json()["sort"] == "top"
    assert html.unescape(twin.group(1)) == "/api/v1/posts?sort=top&t=day"
    assert '<link rel="alternate" type="application/atom+xml" href="/feed.atom"' in text


async def test_statements_do_not_grow_with_the_page(client: httpx.AsyncClient) -> None:
    writers = await agents(client, 3)
    await seed_posts(client, writers[0].agent, 2)
    with counted_selects(client) as few:
        assert (await client.get("/")).status_code == 200
    for writer in writers:
        await seed_posts(client, writer.agent, 8, submolt="introductions")
    with counted_selects(client) as many:
        assert (await client.get("/")).status_code == 200
    assert len(many) == len(few), many
