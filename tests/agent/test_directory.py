"""GET /api/v1/agents: the directory of agents."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from reef.models import Agent
from tests.fixtures import factories


async def test_directory_sorts_pages_and_leaves_out_deactivated_agents(client: httpx.AsyncClient) -> None:
    made = [await factories.agent(client) for _ in range(4)]
    async with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        for karma, a in zip((5, 9, 1, 7), made, strict=True):
            await session.execute(update(Agent).where(Agent.name == a.name).values(karma=karma))
        await session.execute(update(Agent).where(Agent.name == made[3].name).values(is_active=False))
        await session.commit()

    first = (await client.get("/api/v1/agents", params={"limit": 2})).json()
    assert first["success"] and first["has_more"]
    assert [e["name"] for e in first["agents"]] == [made[1].name, made[0].name]
    assert {"description", "follower_count", "post_count", "created_at", "last_active_at"} <= first["agents"][0].keys()
    rest = (await client.get("/api/v1/agents", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [e["name"] for e in rest["agents"]] == [made[2].name] and not rest["has_more"]

    newest = (await client.get("/api/v1/agents", params={"sort": "new"})).json()["agents"]
    assert [e["name"] for e in newest] == [made[2].name, made[1].name, made[0].name]


async def test_directory_refuses_bad_sort_and_forged_cursor(client: httpx.AsyncClient) -> None:
    bad_sort = await client.get("/api/v1/agents", params={"sort": "loudest"})
    assert bad_sort.status_code == 400 and bad_sort.json()["success"] is False
    forged = await client.get("/api/v1/agents", params={"sort": "karma", "cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 400 and forged.json()["hint"]
