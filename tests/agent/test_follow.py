from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent, Follow
from tests.fixtures import factories


async def _counts(client: httpx.AsyncClient, *agents: factories.TestAgent) -> list[tuple[int, int]]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        rows = {
            a.id: (a.follower_count, a.following_count)
            for a in (await session.execute(select(Agent).where(Agent.id.in_([t.agent.id for t in agents])))).scalars()
        }
    return [rows[t.agent.id] for t in agents]


async def _follow_rows(client: httpx.AsyncClient) -> int:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return (await session.execute(select(func.count()).select_from(Follow))).scalar_one()


async def test_follow_and_unfollow_are_idempotent_and_count_once(client: httpx.AsyncClient) -> None:
    a, b = await factories.agents(client, 2)
    url = f"/api/v1/agents/{b.name.upper()}/follow"  # names match without regard to case
    resp = await client.post(url, headers=a.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"success": True, "action": "followed"}
    assert (await client.post(url, headers=a.headers, json={})).json()["action"] == "already_following"
    assert await _counts(client, a, b) == [(0, 1), (1, 0)]

    # The profile's follower_count agrees.
    me = (await client.get("/api/v1/agents/me", headers=b.headers)).json()["agent"]
    assert me["follower_count"] == 1

    resp = await client.delete(url, headers=a.headers)
    assert resp.status_code == 200 and resp.json() == {"success": True, "action": "unfollowed"}
    assert (await client.delete(url, headers=a.headers)).json() == {"success": True, "action": "not_following"}
    assert await _counts(client, a, b) == [(0, 0), (0, 0)]
    assert await _follow_rows(client) == 0


async def test_mutual_follows_at_once_never_fail(client: httpx.AsyncClient) -> None:
    """A follow writes both agents' counters (and, once a minute, the caller's activity stamp);
    two agents following each other at once must not deadlock."""
    from sqlalchemy import update

    a, b = await factories.agents(client, 2)
    for round_ in range(6):
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            await session.execute(update(Agent).values(last_active_at=utcnow() - timedelta(hours=1)))
        method = "POST" if round_ % 2 == 0 else "DELETE"
        responses = await asyncio.gather(
            client.request(method, f"/api/v1/agents/{b.name}/follow", headers=a.headers),
            client.request(method, f"/api/v1/agents/{a.name}/follow", headers=b.headers),
        )
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        expected = (1, 1) if method == "POST" else (0, 0)
        assert await _counts(client, a, b) == [expected, expected]


async def test_follow_errors(client: httpx.AsyncClient) -> None:
    a = await factories.agent(client)
    resp = await client.post(f"/api/v1/agents/{a.name}/follow", headers=a.headers)
    assert resp.status_code == 400
    assert resp.json()["error"] == "Cannot follow yourself" and resp.json()["hint"]
    for method in ("POST", "DELETE"):
        resp = await client.request(method, "/api/v1/agents/nobody_here/follow", headers=a.headers)
        assert resp.status_code == 404
        assert resp.json()["error"] == "Agent not found" and resp.json()["code"] == "NOT_FOUND"
    assert (await client.post(f"/api/v1/agents/{a.name}/follow")).status_code == 401
    assert await _follow_rows(client) == 0


@pytest.mark.parametrize("kw", [{"claimed": False}, {"suspended": True}])
async def test_unclaimed_and_suspended_cannot_follow(client: httpx.AsyncClient, kw: dict[str, bool]) -> None:
    target = await factories.agent(client)
    follower = await factories.agent(client, **kw)
    resp = await client.post(f"/api/v1/agents/{target.name}/follow", headers=follower.headers)
    assert resp.status_code == 403
    assert await _follow_rows(client) == 0
    assert await _counts(client, target, follower) == [(0, 0), (0, 0)]


async def test_concurrent_follows_leave_one_row(client: httpx.AsyncClient) -> None:
    a, b = await factories.agents(client, 2)
    url = f"/api/v1/agents/{b.name}/follow"
    responses = await asyncio.gather(*(client.post(url, headers=a.headers) for _ in range(50)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200][:3]
    actions = [r.json()["action"] for r in responses]
    assert actions.count("followed") == 1 and actions.count("already_following") == 49
    assert await _follow_rows(client) == 1
    assert await _counts(client, a, b) == [(0, 1), (1, 0)]

    responses = await asyncio.gather(*(client.delete(url, headers=a.headers) for _ in range(50)))
    assert [r.json()["action"] for r in responses].count("unfollowed") == 1
    assert await _follow_rows(client) == 0
    assert await _counts(client, a, b) == [(0, 0), (0, 0)]


async def test_follower_and_following_lists_page_newest_first(client: httpx.AsyncClient) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        owner = await factories.make_owner(session)
        star = await factories.make_agent(session, owner=owner)
        fans = [await factories.make_agent(session, owner=owner) for _ in range(7)]
        base = utcnow() - timedelta(hours=1)
        for i, fan in enumerate(fans):
            # Two pairs share a timestamp: the agent id breaks the tie.
            session.add(
                Follow(follower_id=fan.agent.id, followed_id=star.agent.id, created_at=base + timedelta(minutes=i // 2))
            )
        session.add(Follow(follower_id=star.agent.id, followed_id=fans[0].agent.id, created_at=base))

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        resp = await client.get(f"/api/v1/agents/{star.name.lower()}/followers", params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["success"] is True and len(body["followers"]) <= 3
        seen += [f["name"] for f in body["followers"]]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        cursor = body["next_cursor"]
    # Newest follow first; (created_at, agent id) orders ties, so no duplicates or gaps.
    expected = sorted(range(7), key=lambda i: (i // 2, fans[i].agent.id), reverse=True)
    assert seen == [fans[i].name for i in expected]
    first = (await client.get(f"/api/v1/agents/{star.name}/followers", params={"limit": 1})).json()["followers"][0]
    assert set(first) >= {"id", "name", "display_name", "karma", "avatar_url", "is_claimed", "followed_at"}
    assert first["followed_at"].endswith(("Z", "+00:00"))

    page = (await client.get(f"/api/v1/agents/{star.name}/followers", params={"offset": 5})).json()
    assert len(page["followers"]) == 2

    following = (await client.get(f"/api/v1/agents/{star.name}/following")).json()
    assert [f["name"] for f in following["following"]] == [fans[0].name]
    assert following["has_more"] is False and following["next_cursor"] is None
    assert (await client.get(f"/api/v1/agents/{fans[3].name}/following")).json()["following"][0]["name"] == star.name


async def test_follow_lists_validate_paging_and_name(client: httpx.AsyncClient) -> None:
    a = await factories.agent(client)
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "many"}):
        resp = await client.get(f"/api/v1/agents/{a.name}/followers", params=params)
        assert resp.status_code == 400 and resp.json()["field"] == "limit"
    resp = await client.get(f"/api/v1/agents/{a.name}/following", params={"cursor": "garbage"})
    assert resp.status_code == 400 and resp.json()["field"] == "cursor"
    resp = await client.get("/api/v1/agents/ghost/followers")
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found"
    empty = (await client.get(f"/api/v1/agents/{a.name}/followers")).json()
    assert empty == {"success": True, "followers": [], "has_more": False, "next_cursor": None}
