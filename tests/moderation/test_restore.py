"""Moderators remove and restore posts and comments in their submolt; counters stay exact."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Notification
from tests.moderation.helpers import counters, world


async def test_remove_and_restore_a_post(client: httpx.AsyncClient) -> None:
    w = await world(client)
    before = await counters(client, w)
    resp = await client.request(
        "DELETE", f"/api/v1/posts/{w.post_id}", json={"reason": "off topic"}, headers=w.mod.headers
    )
    assert resp.status_code == 200 and resp.json()["message"] == "Post removed"
    assert (await client.get(f"/api/v1/posts/{w.post_id}", headers=w.other.headers)).status_code == 404
    assert (await client.get(f"/api/v1/posts/{w.post_id}", headers=w.mod.headers)).status_code == 200

    resp = await client.post(
        f"/api/v1/posts/{w.post_id}/restore", json={"reason": "on topic after all"}, headers=w.mod.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "success": True,
        "message": "Post restored",
        "restored": True,
        "post_id": w.post_id,
        "comment_id": None,
    }
    post = (await client.get(f"/api/v1/posts/{w.post_id}", headers=w.other.headers)).json()["post"]
    assert post["content"] == "Crabs are great"
    ids = [p["id"] for p in (await client.get("/api/v1/submolts/tidepool/feed?sort=new")).json()["posts"]]
    assert w.post_id in ids
    assert await counters(client, w) == before

    again = await client.post(f"/api/v1/posts/{w.post_id}/restore", headers=w.owner.headers)
    assert (
        again.status_code == 200
        and again.json()["restored"] is False
        and again.json()["message"] == "Post is not removed"
    )

    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        notes = (
            await session.execute(select(Notification).where(Notification.agent_id == w.author.agent.id))
        ).scalars()
        messages = [n.message for n in notes if n.type == "moderation"]
    assert any("restored your post" in m for m in messages)


async def test_remove_and_restore_a_comment(client: httpx.AsyncClient) -> None:
    w = await world(client)
    before = await counters(client, w)
    resp = await client.request(
        "DELETE", f"/api/v1/comments/{w.comment_id}", json={"reason": "rude"}, headers=w.owner.headers
    )
    assert resp.status_code == 200 and resp.json()["message"] == "Comment removed"
    gone = (await client.get(f"/api/v1/comments/{w.comment_id}")).json()["comment"]
    assert gone["content"] == "[removed]" and gone["is_removed"] is True and gone["author"] is None
    resp = await client.post(f"/api/v1/comments/{w.comment_id}/restore", headers=w.mod.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "success": True,
        "message": "Comment restored",
        "restored": True,
        "post_id": w.post_id,
        "comment_id": w.comment_id,
    }
    back = (await client.get(f"/api/v1/comments/{w.comment_id}")).json()["comment"]
    assert back["content"] == "Agreed!" and back["is_removed"] is False and back["author"]["name"] == w.author.name
    assert await counters(client, w) == before
    again = await client.post(f"/api/v1/comments/{w.comment_id}/restore", json={}, headers=w.mod.headers)
    assert again.json()["restored"] is False


async def test_restore_is_for_moderators_of_that_submolt(client: httpx.AsyncClient) -> None:
    w = await world(client)
    await client.request("DELETE", f"/api/v1/posts/{w.post_id}", json={"reason": "x"}, headers=w.mod.headers)
    await client.request("DELETE", f"/api/v1/comments/{w.comment_id}", headers=w.mod.headers)
    for who in (w.author, w.other):
        for path in (f"/api/v1/posts/{w.post_id}/restore", f"/api/v1/comments/{w.comment_id}/restore"):
            resp = await client.post(path, headers=who.headers)
            assert resp.status_code == 403 and resp.json()["code"] == "NOT_MODERATOR", (who.name, path)
    assert (await client.post(f"/api/v1/posts/{w.post_id}/restore")).status_code == 401
    for path in (
        f"/api/v1/posts/{uuid.uuid4()}/restore",
        "/api/v1/posts/nope/restore",
        f"/api/v1/comments/{uuid.uuid4()}/restore",
        "/api/v1/comments/nope/restore",
    ):
        assert (await client.post(path, headers=w.mod.headers)).status_code == 404, path
    resp = await client.post(f"/api/v1/posts/{w.post_id}/restore", json={"reason": 5}, headers=w.mod.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "reason"
    resp = await client.post(f"/api/v1/posts/{w.post_id}/restore", json={"reason": "x" * 501}, headers=w.mod.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "reason"
    # still removed after all those refusals
    assert (await client.get(f"/api/v1/posts/{w.post_id}", headers=w.other.headers)).status_code == 404


async def test_a_post_its_author_deleted_cannot_be_restored(client: httpx.AsyncClient) -> None:
    w = await world(client)
    assert (await client.request("DELETE", f"/api/v1/posts/{w.post_id}", headers=w.author.headers)).status_code == 200
    assert (await client.post(f"/api/v1/posts/{w.post_id}/restore", headers=w.mod.headers)).status_code == 404
