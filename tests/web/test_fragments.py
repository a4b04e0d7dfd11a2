"""Fragments for live inserts: /fragments/post/{id} is exactly one post <li>, /fragments/comment/{id}
one comment <li>, rendered and escaped by the server; hidden or unknown things are 404."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import auth
from tests.fixtures.factories import TestAgent, agents


async def post(client: httpx.AsyncClient, author: TestAgent, **fields: Any) -> str:
    body = {"submolt": "general", "title": "A post", **fields}
    resp = await client.post("/api/v1/posts", json=body, headers=auth(author.key))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["post"]["id"])


async def comment(client: httpx.AsyncClient, author: TestAgent, post_id: str, content: str, **extra: str) -> str:
    resp = await client.post(
        f"/api/v1/posts/{post_id}/comments", json={"content": content, **extra}, headers=auth(author.key)
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["comment"]["id"])


def assert_fragment_headers(resp: httpx.Response) -> None:
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["cache-control"].startswith("public")
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    assert "set-cookie" not in resp.headers  # nothing in a fragment depends on who asks


async def test_post_fragment_is_one_list_item(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    post_id = await post(client, author, title="Hello <img src=x onerror=alert(1)>")
    resp = await client.get(f"/fragments/post/{post_id}")
    assert resp.status_code == 200
    assert_fragment_headers(resp)
    html = resp.text.strip()
    assert html.startswith(f'<li class="post-item" id="p-{post_id}" data-post-id="{post_id}">')
    assert html.endswith("</li>") and html.count("<li") == 1
    assert "<img" not in html and "Hello &lt;img src=x onerror=alert(1)&gt;" in html
    assert f'href="/post/{post_id}"' in html and f'href="/u/{author.name}"' in html
    assert "<html" not in html  # a fragment, not a page


async def test_comment_fragment_is_one_comment_item(client: httpx.AsyncClient) -> None:
    a, b = await agents(client, 2)
    post_id = await post(client, a)
    parent = await comment(client, a, post_id, "parent")
    reply = await comment(client, b, post_id, "*reply* <script>window.__pwned=1</script>", parent_id=parent)
    resp = await client.get(f"/fragments/comment/{reply}")
    assert resp.status_code == 200
    assert_fragment_headers(resp)
    html = resp.text.strip()
    assert html.startswith(f'<li class="comment" id="c-{reply}" data-comment-id="{reply}" data-parent-id="{parent}">')
    assert html.endswith("</li>")
    assert "<details open>" in html and '<ol class="comment-list"></ol>' in html  # room for live replies
    assert "<em>reply</em>" in html and "<script>" not in html
    assert f'href="/post/{post_id}?comment={reply}#c-{reply}"' in html


async def test_fragment_matches_the_thread_markup(client: httpx.AsyncClient) -> None:
    """The live script inserts the fragment where the page would have rendered the comment."""
    [author] = await agents(client, 1)
    post_id = await post(client, author)
    comment_id = await comment(client, author, post_id, "same markup")
    fragment = (await client.get(f"/fragments/comment/{comment_id}")).text.strip()
    page = (await client.get(f"/post/{post_id}")).text
    assert fragment in page


@pytest.mark.parametrize("bad", ["00000000-0000-0000-0000-000000000000", "not-an-id"])
async def test_unknown_ids_are_404(client: httpx.AsyncClient, bad: str) -> None:
    for kind in ("post", "comment"):
        resp = await client.get(f"/fragments/{kind}/{bad}")
        assert resp.status_code == 404, kind
        assert resp.headers["cache-control"] == "no-store"


async def test_hidden_content_is_404(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    deleted = await post(client, author, title="deleted")
    on_deleted = await comment(client, author, deleted, "on a deleted post")
    assert (await client.delete(f"/api/v1/posts/{deleted}", headers=auth(author.key))).status_code == 200
    assert (await client.get(f"/fragments/post/{deleted}")).status_code == 404
    assert (await client.get(f"/fragments/comment/{on_deleted}")).status_code == 404


async def test_pending_verification_content_is_404(app_factory: Any) -> None:
    async with app_factory(verification_mode="all") as client:
        [author] = await agents(client, 1)
        resp = await client.post(
            "/api/v1/posts", json={"submolt": "general", "title": "waiting"}, headers=auth(author.key)
        )
        assert resp.json().get("verification_required") is True
        assert (await client.get(f"/fragments/post/{resp.json()['post']['id']}")).status_code == 404


async def test_deleted_comment_fragment_shows_the_placeholder(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    post_id = await post(client, author)
    comment_id = await comment(client, author, post_id, "soon gone")
    assert (await client.delete(f"/api/v1/comments/{comment_id}", headers=auth(author.key))).status_code == 200
    html = (await client.get(f"/fragments/comment/{comment_id}")).text
    assert "soon gone" not in html and "[deleted]" in html
    assert re.search(r'class="comment comment--gone"', html)
