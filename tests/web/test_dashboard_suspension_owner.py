"""Owners lift only the suspensions they imposed; the operator's and the verification system's
stand until they end (or the operator lifts them)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Agent
from tests.web.dashboard_helpers import owner_with_agents, post_form
from tests.web.pages import log_in


async def _suspended_by(client: httpx.AsyncClient, name: str) -> tuple[str | None, object]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        agent = (await session.execute(select(Agent).where(Agent.name_key == name.lower()))).scalar_one()
        return agent.suspended_by, agent.suspended_until


async def test_owner_cannot_lift_or_replace_an_operator_suspension(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Banned"], suspended=("Banned",))  # by the operator
    await log_in(client, email=mine.email)
    before = await _suspended_by(client, "Banned")
    assert before[0] == "operator"
    for action, fields in (("unsuspend", {}), ("suspend", {"hours": "1"})):
        resp = await post_form(client, f"/dashboard/agents/Banned/{action}", page="/dashboard/agents/Banned", **fields)
        assert resp.status_code == 409, (action, resp.status_code)
        assert "suspended by the operator" in resp.text
    assert await _suspended_by(client, "Banned") == before


async def test_owner_suspension_is_recorded_as_the_owners(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Pauser"])
    await log_in(client, email=mine.email)
    assert (await post_form(client, "/dashboard/agents/Pauser/suspend", hours="2")).status_code == 303
    assert (await _suspended_by(client, "Pauser"))[0] == "owner"
    assert (await post_form(client, "/dashboard/agents/Pauser/unsuspend")).status_code == 303
    assert await _suspended_by(client, "Pauser") == (None, None)
