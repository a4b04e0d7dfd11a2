"""GET /api/v1/agents: the directory of agents."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

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


@pytest.mark.parametrize("sort", ["karma", "new", "active"])
async def test_directory_pages_are_index_range_scans(client: httpx.AsyncClient, sort: str) -> None:
    """As SQLite plans a cursor page: a search along an index, never a sort of every agent."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans checked on SQLite")
    await factories.agents(client, 3)
    cursor = (await client.get("/api/v1/agents", params={"sort": sort, "limit": 1})).json()["next_cursor"]
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cur: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM agents" in statement and "LIMIT" in statement:
            statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        assert (await client.get("/api/v1/agents", params={"sort": sort, "cursor": cursor})).status_code == 200
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert len(statements) == 1
    async with engine.connect() as conn:
        statement, parameters = statements[0]
        rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = " | ".join(r[-1] for r in rows)
    assert "agents USING INDEX ix_agents_" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
