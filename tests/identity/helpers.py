"""Shared steps of the identity tests: an app key, a minted token, a verification call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from reef.db import session_scope
from reef.identity import service
from tests.fixtures.factories import TestAgent

VERIFY = "/api/v1/agents/verify-identity"
MINT = "/api/v1/agents/me/identity-token"
JWKS = "/.well-known/jwks.json"


async def app_key(client: httpx.AsyncClient, name: str = "Example") -> str:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        _, key = await service.create_developer_app(session, name)
    return key


async def mint(client: httpx.AsyncClient, agent: TestAgent, audience: str | None = None) -> str:
    resp = await client.post(MINT, json={"audience": audience} if audience else {}, headers=agent.headers)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["identity_token"])


async def mint_at(client: httpx.AsyncClient, agent: TestAgent, now: datetime, audience: str | None = None) -> str:
    """A token minted as if the clock said ``now`` (e.g. two hours ago: already expired)."""
    app = client.app  # type: ignore[attr-defined]
    async with session_scope(app.state.sessionmaker) as session:
        minted = await service.mint(session, app.state, app.state.settings, agent.agent, audience, now=now)
    return minted.token


async def verify(
    client: httpx.AsyncClient,
    key: str | None,
    token: str,
    audience: str | None = None,
    header: str = "X-Moltbook-App-Key",
) -> httpx.Response:
    body: dict[str, Any] = {"token": token}
    if audience is not None:
        body["audience"] = audience
    return await client.post(VERIFY, json=body, headers={header: key} if key else {})


def refused(resp: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """Assert a refusal in the contract's shape and return its body."""
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["success"] is False and body["valid"] is False, body
    assert body["error"] == error and body["code"] == error.upper(), body
    assert body["hint"] and body["message"], body
    return body
