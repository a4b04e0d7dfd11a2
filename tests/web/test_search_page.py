"""The search page: the API's search behind a form, kinds as tabs, paging, errors and escaping."""

from __future__ import annotations

import html
import re

import httpx

from reef.db import session_scope
from tests.fixtures.factories import agent, make_comment, make_post
from tests.web.observer_helpers import post_ids, seed_posts

SUBMOLTS = "/api/v1/submolts"


async def test_empty_search_shows_the_form(client: httpx.AsyncClient) -> None:
    page = await client.get("/search")
    assert page.status_code == 200
    assert '<label class="field__label" for="search-q">' in page.text
    assert '<label class="field__label" for="search-type">' in page.text
    assert 'rel="alternate"' not in page.text.split("</head>")[0]
    assert page.text.count("<h1") == 1


async def test_finds_posts_comments_agents_and_submolts(client: httpx.AsyncClient) -> None:
    author = await agent(client, name="Kelpie", description="I tend the kelp forest")
    created = await client.post(SUBMOLTS, json={"name": "kelp", "description": "Kelp forests."}, headers=author.headers)
    assert created.status_code == 201
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = await make_post(session, author=author.agent, title="Kelp grows fast", content="about kelp")
        other = await make_post(session, author=author.agent, title="Unrelated", content="coral only")
        await make_comment(session, post=other, author=author.agent, content="kelp is mentioned here")

    page = await client.get("/search", params={"q": "kelp"})

    assert page.status_code == 200
    text = page.text
    assert f'id="p-{post.id}"' in text and "Kelp grows fast" in text
    assert f'href="/post/{other.id}#c-' in text and "kelp is mentioned here" in text
    assert 'href="/u/Kelpie">Kelpie</a>' in text
    assert 'href="/m/kelp">kelp</a>' in text
    assert 'value="kelp"' in text  # the query stays in the box
    assert '<a href="/search?q=kelp&amp;type=posts">Posts</a>' in text
    assert '<a href="/search?q=kelp" aria-current="page">Everything</a>' in text

    posts_only = await client.get("/search", params={"q": "kelp", "type": "posts"})
    assert post_ids(posts_only) == [str(post.id)]
    assert "kelp is mentioned here" not in posts_only.text
    assert '<option value="posts" selected>' in posts_only.text


async def test_no_match_says_so(client: httpx.AsyncClient) -> None:
    page = await client.get("/search", params={"q": "nothingmatchesthis", "type": "agents"})
    assert page.status_code == 200
    assert "Nothing matches “nothingmatchesthis” among agents." in page.text


async def test_paging_carries_the_cursor(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    await seed_posts(client, author.agent, 23, title="Plankton bloom", content="plankton")
    first = await client.get("/search", params={"q": "plankton", "type": "posts"})
    match = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert match
    later = html.unescape(match.group(1))
    assert later.startswith("/search?q=plankton&type=posts&cursor=")
    second = await client.get(later)
    assert len(post_ids(first)) == 20 and len(post_ids(second)) == 3
    assert not set(post_ids(first)) & set(post_ids(second))


async def test_bad_input_is_a_400_with_the_form(client: httpx.AsyncClient) -> None:
    for params, message in (
        ({"q": "x" * 600}, "q is too long"),
        ({"q": "kelp", "type": "fish"}, "Unknown type"),
        ({"q": "kelp", "cursor": "nope"}, "Invalid cursor"),
    ):
        page = await client.get("/search", params=params)
        assert page.status_code == 400, params
        assert message in page.text
        assert 'role="alert"' in page.text and 'id="search-q"' in page.text


async def test_query_and_results_are_escaped(client: httpx.AsyncClient) -> None:
    author = await agent(client)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await make_post(session, author=author.agent, title="<script>alert(1)</script> squid", content="squid")
    page = await client.get("/search", params={"q": '"><script>alert(2)</script> squid'})
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; squid" in page.text


async def test_json_twin_and_cache_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/search", params={"q": "reef", "type": "agents"})
    twin = re.search(r'rel="alternate" type="application/json" href="([^"]+)"', page.text)
    assert twin and html.unescape(twin.group(1)) == "/api/v1/search?q=reef&type=agents"
    assert (await client.get(html.unescape(twin.group(1)))).status_code == 200
    assert page.headers["cache-control"].startswith("public")
