"""Atom feeds: /feed.atom, /m/{name}/feed.atom, /u/{name}/feed.atom parse as Atom 1.0 and
carry what the pages show (newest posts, sanitised content), and nothing readers may not see."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import httpx
import pytest

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.web.feeds import ENTRIES
from tests.conftest import auth
from tests.fixtures.factories import TestAgent, agents, make_agent, make_post

NS = {"a": "http://www.w3.org/2005/Atom"}


def parse(resp: httpx.Response) -> ET.Element:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert resp.headers["cache-control"].startswith("public, max-age=")
    root = ET.fromstring(resp.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated"):
        assert root.find(required, NS) is not None, required
    return root


def entries(root: ET.Element) -> list[dict[str, Any]]:
    found = []
    for entry in root.findall("a:entry", NS):
        found.append(
            {
                "id": entry.findtext("a:id", namespaces=NS),
                "title": entry.findtext("a:title", namespaces=NS),
                "link": entry.find("a:link", NS).get("href"),  # type: ignore[union-attr]
                "author": entry.findtext("a:author/a:name", namespaces=NS),
                "updated": entry.findtext("a:updated", namespaces=NS),
                "content": entry.findtext("a:content", namespaces=NS),
                "content_type": entry.find("a:content", NS).get("type"),  # type: ignore[union-attr]
            }
        )
    return found


async def post(client: httpx.AsyncClient, author: TestAgent, **fields: Any) -> str:
    resp = await client.post("/api/v1/posts", json={"submolt": "general", **fields}, headers=auth(author.key))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["post"]["id"])


async def test_front_feed_lists_newest_posts_with_sanitised_content(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    first = await post(client, author, title="First <tide>", content="**bold** <script>alert(1)</script>")
    second = await post(client, author, title="Second", url="https://example.org/paper")
    root = parse(await client.get("/feed.atom"))
    assert root.findtext("a:id", namespaces=NS) == "http://reef.test/feed.atom"
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links == {"alternate": "http://reef.test/?sort=new", "self": "http://reef.test/feed.atom"}
    found = entries(root)
    assert [e["id"] for e in found] == [f"http://reef.test/post/{second}", f"http://reef.test/post/{first}"]
    newest, oldest = found
    assert newest["link"] == f"http://reef.test/post/{second}" and newest["author"] == author.name
    assert 'href="https://example.org/paper"' in newest["content"]
    assert oldest["title"] == "First <tide>"  # the XML escaping is the parser's business
    assert oldest["content_type"] == "html"
    assert "<strong>bold</strong>" in oldest["content"]
    assert "<script" not in oldest["content"] and "&lt;script&gt;" in oldest["content"]


async def test_feed_holds_at_most_a_page_of_entries(client: httpx.AsyncClient) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        me = (await make_agent(session)).agent
        now = utcnow()
        for i in range(ENTRIES + 3):
            await make_post(session, author=me, title=f"Post {i}", created_at=now - timedelta(minutes=i))
    found = entries(parse(await client.get("/feed.atom")))
    assert [e["title"] for e in found] == [f"Post {i}" for i in range(ENTRIES)]


async def test_submolt_feed_holds_only_its_posts(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    resp = await client.post(
        "/api/v1/submolts",
        json={"name": "tidepools", "display_name": "Tide pools", "description": "Small pools, big lives"},
        headers=auth(author.key),
    )
    assert resp.status_code == 201, resp.text
    inside = await post(client, author, submolt="tidepools", title="In the pools")
    await post(client, author, title="Elsewhere")
    root = parse(await client.get("/m/TidePools/feed.atom"))
    assert root.findtext("a:title", namespaces=NS) == "m/tidepools: Tide pools"
    assert root.findtext("a:subtitle", namespaces=NS) == "Small pools, big lives"
    assert [e["id"] for e in entries(root)] == [f"http://reef.test/post/{inside}"]


async def test_agent_feed_holds_only_their_posts(client: httpx.AsyncClient) -> None:
    me, other = await agents(client, 2)
    mine = await post(client, me, title="Mine")
    await post(client, other, title="Theirs")
    root = parse(await client.get(f"/u/{me.name}/feed.atom"))
    assert [e["id"] for e in entries(root)] == [f"http://reef.test/post/{mine}"]
    assert root.findtext("a:title", namespaces=NS) == f"Posts by {me.name}"


async def test_feeds_leave_out_hidden_posts(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    kept = await post(client, author, title="Kept")
    deleted = await post(client, author, title="Deleted")
    assert (await client.delete(f"/api/v1/posts/{deleted}", headers=auth(author.key))).status_code == 200
    for path in ("/feed.atom", "/m/general/feed.atom", f"/u/{author.name}/feed.atom"):
        assert [e["id"] for e in entries(parse(await client.get(path)))] == [f"http://reef.test/post/{kept}"], path


async def test_empty_feed_is_still_valid(client: httpx.AsyncClient) -> None:
    root = parse(await client.get("/m/general/feed.atom"))
    assert entries(root) == []


@pytest.mark.parametrize("path", ["/m/no_such_submolt/feed.atom", "/u/no_such_agent/feed.atom", "/u/%00/feed.atom"])
async def test_unknown_names_are_404(client: httpx.AsyncClient, path: str) -> None:
    resp = await client.get(path)
    assert resp.status_code == 404
    assert "not found" in resp.text


async def test_pages_link_their_feeds(client: httpx.AsyncClient) -> None:
    [author] = await agents(client, 1)
    post_id = await post(client, author, title="Linked")
    agent_page = (await client.get(f"/u/{author.name}")).text
    assert f'<link rel="alternate" type="application/atom+xml" href="/u/{author.name}/feed.atom"' in agent_page
    post_page = (await client.get(f"/post/{post_id}")).text
    assert '<link rel="alternate" type="application/atom+xml" href="/m/general/feed.atom"' in post_page
