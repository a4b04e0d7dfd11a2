"""Pinning posts: moderators only, at most three per submolt."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Post
from tests.fixtures import factories
from tests.fixtures.factories import make_post

SUBMOLTS = "/api/v1/submolts"


def pin_url(post_id: Any) -> str:
    return f"/api/v1/posts/{post_id}/pin"


async def setup(client: httpx.AsyncClient, n_posts: int = 5) -> tuple[Any, Any, Any, list[Any]]:
    """A submolt "reefwatch" with an owner, a moderator, an outsider and ``n_posts`` posts."""
    owner, mod, outsider = await factories.agents(client, 3)
    assert (await client.post(SUBMOLTS, json={"name": "reefwatch"}, headers=owner.headers)).status_code == 201
    resp = await client.post(f"{SUBMOLTS}/reefwatch/moderators", json={"agent_name": mod.name}, headers=owner.headers)
    assert resp.status_code == 200
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        posts = [await make_post(session, author=outsider.agent, submolt="reefwatch") for _ in range(n_posts)]
    return owner, mod, outsider, posts


async def pinned_ids(client: httpx.AsyncClient) -> set[uuid.UUID]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return set((await session.execute(select(Post.id).where(Post.pinned_at.is_not(None)))).scalars())


async def test_moderator_and_owner_pin_and_unpin(client: httpx.AsyncClient) -> None:
    owner, mod, _, posts = await setup(client)
    resp = await client.post(pin_url(posts[0].id), headers=mod.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == {"success": True, "message": body["message"], "post_id": str(posts[0].id), "pinned": True}
    assert body["message"]
    again = await client.post(pin_url(posts[0].id), headers=owner.headers, json={})
    assert again.status_code == 200 and again.json()["pinned"] is True
    assert await pinned_ids(client) == {posts[0].id}

    resp = await client.delete(pin_url(posts[0].id), headers=owner.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["pinned"] is False and resp.json()["post_id"] == str(posts[0].id)
    again = await client.delete(pin_url(posts[0].id), headers=mod.headers)
    assert again.status_code == 200 and again.json()["pinned"] is False
    assert await pinned_ids(client) == set()


async def test_at_most_three_pins_per_submolt(client: httpx.AsyncClient) -> None:
    owner, _, _, posts = await setup(client)
    for post in posts[:3]:
        assert (await client.post(pin_url(post.id), headers=owner.headers)).status_code == 200
    resp = await client.post(pin_url(posts[3].id), headers=owner.headers)
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "PIN_LIMIT_REACHED" and "npin" in body["hint"]
    assert await pinned_ids(client) == {p.id for p in posts[:3]}
    # Unpinning one frees a slot.
    assert (await client.delete(pin_url(posts[0].id), headers=owner.headers)).status_code == 200
    assert (await client.post(pin_url(posts[3].id), headers=owner.headers)).status_code == 200
    assert await pinned_ids(client) == {p.id for p in posts[1:4]}


async def test_concurrent_pins_never_exceed_the_limit(client: httpx.AsyncClient) -> None:
    owner, mod, _, posts = await setup(client, n_posts=8)
    responses = await asyncio.gather(
        *(client.post(pin_url(p.id), headers=(owner if i % 2 else mod).headers) for i, p in enumerate(posts))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 3 + [409] * 5, codes
    assert len(await pinned_ids(client)) == 3


async def test_the_limit_is_per_submolt(client: httpx.AsyncClient) -> None:
    owner, _, outsider, posts = await setup(client)
    for post in posts[:3]:
        assert (await client.post(pin_url(post.id), headers=owner.headers)).status_code == 200
    assert (await client.post(SUBMOLTS, json={"name": "other-reef"}, headers=outsider.headers)).status_code == 201
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        elsewhere = await make_post(session, author=owner.agent, submolt="other-reef")
    assert (await client.post(pin_url(elsewhere.id), headers=outsider.headers)).status_code == 200
    # The owner of reefwatch is nobody in other-reef.
    resp = await client.delete(pin_url(elsewhere.id), headers=owner.headers)
    assert resp.status_code == 403


async def test_non_moderators_cannot_pin(client: httpx.AsyncClient) -> None:
    _, _, outsider, posts = await setup(client)
    resp = await client.post(pin_url(posts[0].id), headers=outsider.headers)
    assert resp.status_code == 403
    assert resp.json()["code"] == "NOT_MODERATOR" and resp.json()["hint"]
    resp = await client.delete(pin_url(posts[0].id), headers=outsider.headers)
    assert resp.status_code == 403
    waiting = await factories.agent(client, claimed=False)
    resp = await client.post(pin_url(posts[0].id), headers=waiting.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    assert (await client.post(pin_url(posts[0].id))).status_code == 401
    assert await pinned_ids(client) == set()


async def test_pin_errors(client: httpx.AsyncClient) -> None:
    owner, _, _, posts = await setup(client)
    resp = await client.post(pin_url(uuid.uuid4()), headers=owner.headers)
    assert resp.status_code == 404 and resp.json()["error"] == "Post not found"
    resp = await client.post(pin_url("not-a-uuid"), headers=owner.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "post_id"
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Post).where(Post.id == posts[0].id).values(is_deleted=True))
        await session.execute(update(Post).where(Post.id == posts[1].id).values(removed_at=utcnow()))
    for post in posts[:2]:
        resp = await client.post(pin_url(post.id), headers=owner.headers)
        assert resp.status_code == 404
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        n = (await session.execute(select(func.count()).select_from(Post).where(Post.pinned_at.is_not(None)))).scalar()
    assert n == 0


async def test_require_moderator_for_other_domains(client: httpx.AsyncClient) -> None:
    from reef.errors import AppError
    from reef.submolt import repository, service

    owner, mod, outsider, _ = await setup(client, n_posts=0)
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        sub = await repository.by_name(session, "reefwatch")
        assert sub is not None
        assert await service.require_moderator(session, sub, owner.agent) == "owner"
        assert await service.require_moderator(session, sub, mod.agent) == "moderator"
        with pytest.raises(AppError) as caught:
            await service.require_moderator(session, sub, outsider.agent)
        assert caught.value.status == 403
