"""Writing, reading and deleting comments through the HTTP API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent, Comment, Post, Submolt, SubmoltModerator
from tests.fixtures import factories
from tests.fixtures.factories import make_comment, make_post


def scope(client: httpx.AsyncClient) -> Any:
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def a_post(client: httpx.AsyncClient, author: Any, submolt: str = "general") -> Post:
    async with scope(client) as session:
        return await make_post(session, author=author.agent, submolt=submolt)  # type: ignore[no-any-return]


async def comment(client: httpx.AsyncClient, who: Any, post_id: Any, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/posts/{post_id}/comments", json=body, headers=who.headers)


async def counters(client: httpx.AsyncClient, post_id: Any, agent_id: Any) -> tuple[int, int]:
    async with scope(client) as session:
        post = await session.get(Post, post_id)
        agent = await session.get(Agent, agent_id)
        assert post is not None and agent is not None
        return post.comment_count, agent.comment_count


async def test_create_root_and_nested_comment(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post = await a_post(client, me)
    async with scope(client) as session:
        sub = (await session.execute(select(Submolt).where(Submolt.name == "general"))).scalar_one()
        sub.last_activity_at = utcnow() - timedelta(days=3)
    resp = await comment(client, me, post.id, content="First!", unknown_field=1)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True and body["message"] == "Comment added! 🦞"
    root = body["comment"]
    assert root["content"] == "First!" and root["depth"] == 0 and root["parent_id"] is None
    assert root["post_id"] == str(post.id) and root["replies"] == [] and root["your_vote"] is None
    assert (root["upvotes"], root["downvotes"], root["score"], root["reply_count"]) == (0, 0, 0, 0)
    assert root["author"]["name"] == me.name and root["is_deleted"] is False

    resp = await comment(client, me, post.id, content="A reply", parent_id=root["id"])
    assert resp.status_code == 201, resp.text
    reply = resp.json()["comment"]
    assert reply["depth"] == 1 and reply["parent_id"] == root["id"]

    async with scope(client) as session:
        row = await session.get(Comment, uuid.UUID(reply["id"]))
        parent = await session.get(Comment, uuid.UUID(root["id"]))
        sub = (await session.execute(select(Submolt).where(Submolt.name == "general"))).scalar_one()
        assert row is not None and parent is not None
        assert row.root_id == parent.id and row.path == f"{parent.id.hex}/{row.id.hex}"
        assert parent.root_id == parent.id and parent.path == parent.id.hex and parent.reply_count == 1
        assert utcnow() - sub.last_activity_at < timedelta(minutes=1)
    assert await counters(client, post.id, me.agent.id) == (2, 2)

    tree = (await client.get(f"/api/v1/posts/{post.id}/comments")).json()
    assert tree["count"] == 2 and tree["comments"][0]["replies"][0]["id"] == reply["id"]


async def test_depth_limit_is_exactly_ten(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post = await a_post(client, me)
    async with scope(client) as session:
        parent = None
        for _ in range(10):  # depths 0..9
            parent = await make_comment(session, post=post, author=me.agent, parent=parent)
    assert parent is not None and parent.depth == 9
    resp = await comment(client, me, post.id, content="depth ten", parent_id=str(parent.id))
    assert resp.status_code == 201, resp.text
    deepest = resp.json()["comment"]
    assert deepest["depth"] == 10
    before = await counters(client, post.id, me.agent.id)
    resp = await comment(client, me, post.id, content="depth eleven", parent_id=deepest["id"])
    assert resp.status_code == 400
    assert resp.json()["error"] == "Maximum comment depth exceeded" and resp.json()["hint"]
    assert await counters(client, post.id, me.agent.id) == before


async def test_parent_must_exist_on_the_same_post(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post, other = await a_post(client, me), await a_post(client, me)
    async with scope(client) as session:
        elsewhere = await make_comment(session, post=other, author=me.agent)
    resp = await comment(client, me, post.id, content="hi", parent_id=str(elsewhere.id))
    assert resp.status_code == 400 and resp.json()["field"] == "parent_id"
    resp = await comment(client, me, post.id, content="hi", parent_id="00000000-0000-4000-8000-000000000000")
    assert resp.status_code == 404 and resp.json()["error"] == "Parent comment not found"
    assert await counters(client, post.id, me.agent.id) == (0, 1)


async def test_invalid_input_is_4xx_and_writes_nothing(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post = await a_post(client, me)
    async with scope(client) as session:
        gone = await make_post(session, author=me.agent)
        gone.is_deleted = True
        removed = await make_post(session, author=me.agent)
        removed.removed_at = utcnow()
    cases: list[tuple[Any, dict[str, Any], int, str | None, str | None]] = [
        (post.id, {}, 400, "content", "Content is required"),
        (post.id, {"content": "   \n\t"}, 400, "content", "Content is required"),
        (post.id, {"content": None}, 400, "content", "Content is required"),
        (post.id, {"content": "x" * 10_001}, 400, "content", "Content must be 10000 characters or less"),
        (post.id, {"content": 123}, 400, "content", None),
        (post.id, {"content": ["a"]}, 400, "content", None),
        (post.id, {"content": "hi", "parent_id": "nope"}, 400, "parent_id", None),
        (post.id, {"content": "hi", "parent_id": 5}, 400, "parent_id", None),
        ("00000000-0000-4000-8000-000000000000", {"content": "hi"}, 404, None, "Post not found"),
        ("not-a-uuid", {"content": "hi"}, 404, None, "Post not found"),
        (gone.id, {"content": "hi"}, 404, None, "Post not found"),
        (removed.id, {"content": "hi"}, 404, None, "Post not found"),
    ]
    for post_id, body, status, field, error in cases:
        resp = await comment(client, me, post_id, **body)
        assert resp.status_code == status, (body, resp.text)
        data = resp.json()
        assert data["success"] is False and data["hint"] and data["code"], body
        if field:
            assert data["field"] == field, (body, data)
        if error:
            assert data["error"] == error, (body, data)
    resp = await client.post(f"/api/v1/posts/{post.id}/comments", content=b"{not json", headers=me.headers)
    assert resp.status_code == 400
    resp = await client.post(f"/api/v1/posts/{post.id}/comments", json=["content"], headers=me.headers)
    assert resp.status_code == 400
    assert await counters(client, post.id, me.agent.id) == (0, 0)
    resp = await comment(client, me, post.id, content="x" * 10_000)
    assert resp.status_code == 201


async def test_auth_is_required_and_unclaimed_agents_cannot_comment(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    waiting = await factories.agent(client, claimed=False)
    post = await a_post(client, me)
    resp = await client.post(f"/api/v1/posts/{post.id}/comments", json={"content": "hi"})
    assert resp.status_code == 401
    resp = await comment(client, waiting, post.id, content="hi")
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    async with scope(client) as session:
        c = await make_comment(session, post=post, author=me.agent)
    resp = await client.delete(f"/api/v1/comments/{c.id}")
    assert resp.status_code == 401
    resp = await client.delete(f"/api/v1/comments/{c.id}", headers=waiting.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"


async def test_content_is_returned_byte_for_byte(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post = await a_post(client, me)
    text = (
        "<script>alert(\"x\")</script> <b>bold</b> & &amp; 'quotes'\n\n"
        "# Heading\n- **md** _list_ `code`\n```py\nprint(1)\n```\n"
        "Ünïcödé 日本語 🦞👩‍💻 \u200b zero-width, RTL \u202eabc\u202c, tab\tend  "
    )
    resp = await comment(client, me, post.id, content=text)
    assert resp.status_code == 201
    created = resp.json()["comment"]
    assert created["content"] == text
    fetched = (await client.get(f"/api/v1/comments/{created['id']}")).json()["comment"]
    assert fetched["content"] == text
    tree = (await client.get(f"/api/v1/posts/{post.id}/comments")).json()["comments"]
    assert tree[0]["content"] == text
    assert created["content"].encode() == text.encode()
    async with scope(client) as session:
        row = await session.get(Comment, uuid.UUID(created["id"]))
        assert row is not None and row.content == text


async def test_get_one_comment(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post = await a_post(client, me)
    async with scope(client) as session:
        root = await make_comment(session, post=post, author=me.agent, content="hello")
    resp = await client.get(f"/api/v1/comments/{root.id}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["success"] is True and body["comment"]["content"] == "hello"
    assert body["comment"]["post"] == {"id": str(post.id), "title": post.title}
    for bad in ["00000000-0000-4000-8000-000000000000", "nope"]:
        resp = await client.get(f"/api/v1/comments/{bad}")
        assert resp.status_code == 404 and resp.json()["error"] == "Comment not found"


async def test_author_deletes_softly_and_counters_drop_once(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    post = await a_post(client, me)
    root_id = (await comment(client, me, post.id, content="parent")).json()["comment"]["id"]
    reply_id = (await comment(client, other, post.id, content="child", parent_id=root_id)).json()["comment"]["id"]
    assert await counters(client, post.id, me.agent.id) == (2, 1)

    resp = await client.delete(f"/api/v1/comments/{root_id}", headers=other.headers)
    assert resp.status_code == 403 and resp.json()["error"] == "You can only delete your own comments"

    resp = await client.delete(f"/api/v1/comments/{root_id}", headers=me.headers)
    assert resp.status_code == 200 and resp.json() == {"success": True, "message": "Comment deleted"}
    assert await counters(client, post.id, me.agent.id) == (1, 0)
    # Deleting again succeeds and changes nothing.
    resp = await client.delete(f"/api/v1/comments/{root_id}", headers=me.headers, params={})
    assert resp.status_code == 200
    assert await counters(client, post.id, me.agent.id) == (1, 0)

    tree = (await client.get(f"/api/v1/posts/{post.id}/comments")).json()
    assert tree["count"] == 1
    node = tree["comments"][0]
    assert node["id"] == root_id and node["content"] == "[deleted]" and node["author"] is None
    assert node["is_deleted"] is True and node["replies"][0]["id"] == reply_id
    assert node["replies"][0]["content"] == "child"
    single = (await client.get(f"/api/v1/comments/{root_id}")).json()["comment"]
    assert single["content"] == "[deleted]" and single["author"] is None
    async with scope(client) as session:
        row = await session.get(Comment, uuid.UUID(root_id))
        assert row is not None and row.is_deleted and row.content == "parent"  # the text stays for audit

    resp = await client.delete("/api/v1/comments/00000000-0000-4000-8000-000000000000", headers=me.headers)
    assert resp.status_code == 404 and resp.json()["error"] == "Comment not found"


async def test_moderator_removes_with_reason(client: httpx.AsyncClient) -> None:
    author, mod, owner = await factories.agents(client, 3)
    post = await a_post(client, author)
    async with scope(client) as session:
        c1 = await make_comment(session, post=post, author=author.agent, content="spam")
        c2 = await make_comment(session, post=post, author=author.agent, content="more spam", parent=c1)
        session.add_all(
            [
                SubmoltModerator(submolt_id=post.submolt_id, agent_id=mod.agent.id, role="moderator"),
                SubmoltModerator(submolt_id=post.submolt_id, agent_id=owner.agent.id, role="owner"),
            ]
        )
    resp = await client.request(
        "DELETE", f"/api/v1/comments/{c1.id}", json={"reason": "Spam <links>"}, headers=mod.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"success": True, "message": "Comment removed"}
    resp = await client.request("DELETE", f"/api/v1/comments/{c2.id}", json={}, headers=owner.headers)
    assert resp.status_code == 200, resp.text
    resp = await client.request("DELETE", f"/api/v1/comments/{c2.id}", json={"reason": 5}, headers=owner.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "reason"
    async with scope(client) as session:
        row1 = await session.get(Comment, c1.id)
        row2 = await session.get(Comment, c2.id)
        assert row1 is not None and row2 is not None
        assert row1.removed_by_id == mod.agent.id and row1.removed_reason == "Spam <links>" and row1.removed_at
        assert row2.removed_by_id == owner.agent.id and row2.removed_reason is None
        assert not row1.is_deleted
    tree = (await client.get(f"/api/v1/posts/{post.id}/comments")).json()["comments"]
    assert tree[0]["content"] == "[removed]" and tree[0]["replies"][0]["content"] == "[removed]"


async def test_comment_rate_limit(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        me = await factories.agent(client)
        post = await a_post(client, me)
        # Invalid input does not use up the limit.
        assert (await comment(client, me, post.id, content=" ")).status_code == 400
        first = await comment(client, me, post.id, content="one")
        assert first.status_code == 201, first.text
        second = await comment(client, me, post.id, content="two")
        assert second.status_code == 429, second.text
        body = second.json()
        assert body["success"] is False and body["code"] == "RATE_LIMITED" and body["hint"]
        assert 0 < body["retry_after_seconds"] <= 20
        assert int(second.headers["Retry-After"]) == body["retry_after_seconds"]
        assert body["daily_remaining"] == 49
        assert await counters(client, post.id, me.agent.id) == (1, 1)


async def test_concurrent_replies_keep_every_counter_exact(client: httpx.AsyncClient) -> None:
    writers = await factories.agents(client, 6)
    post = await a_post(client, writers[0])
    async with scope(client) as session:
        parent = await make_comment(session, post=post, author=writers[0].agent)
    replies = [
        comment(client, w, post.id, content=f"reply {i}", parent_id=str(parent.id)) for i in range(3) for w in writers
    ]
    roots = [comment(client, w, post.id, content="root") for w in writers]
    responses = await asyncio.gather(*replies, *roots)
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    async with scope(client) as session:
        row = await session.get(Comment, parent.id)
        assert row is not None and row.reply_count == 18
    assert await counters(client, post.id, writers[0].agent.id) == (1 + 18 + 6, 1 + 3 + 1)
    assert await counters(client, post.id, writers[1].agent.id) == (25, 4)
