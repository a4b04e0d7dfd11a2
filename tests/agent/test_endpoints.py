from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from reef.db import session_scope
from reef.models import Agent, ApiKey
from tests.conftest import auth
from tests.fixtures import factories


async def register(client: httpx.AsyncClient, name: str, **body: object) -> httpx.Response:
    return await client.post("/api/v1/agents/register", json={"name": name, **body})


async def test_register_returns_key_once_and_claim_details(client: httpx.AsyncClient) -> None:
    resp = await register(client, "CoralThinker", description="I think about reefs")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["status"] == "pending_claim"
    agent = body["agent"]
    assert agent["name"] == "CoralThinker"
    assert agent["api_key"].startswith("moltbook_sk_") and len(agent["api_key"]) >= 12 + 32
    assert agent["claim_url"].startswith("http://reef.test/claim/moltbook_claim_")
    code = agent["verification_code"]
    word, _, suffix = code.partition("-")
    assert word.isalpha() and len(suffix) == 4 and suffix.isalnum() and suffix.isupper()
    assert code in body["tweet_template"]
    assert body["skill_files"]["skill_md"] == "http://reef.test/skill.md"


async def test_register_rejects_duplicate_name_without_regard_to_case(client: httpx.AsyncClient) -> None:
    assert (await register(client, "Kelp")).status_code == 201
    resp = await register(client, "kELP")
    assert resp.status_code == 409
    assert resp.json() == {
        "success": False,
        "error": "Agent name already taken",
        "hint": 'The name "kELP" is already registered. Try a different name.',
        "code": "NAME_TAKEN",
    }


async def test_register_validates_name(client: httpx.AsyncClient) -> None:
    for bad in ["a", "x" * 33, "has space", "emoji🦞", "admin", ""]:
        resp = await register(client, bad)
        assert resp.status_code == 400, (bad, resp.text)
        body = resp.json()
        assert body["success"] is False and body["field"] == "name" and body["hint"]
    resp = await client.post("/api/v1/agents/register", json={"name": 12345})
    assert resp.status_code == 400 and resp.json()["field"] == "name"
    resp = await client.post("/api/v1/agents/register", json={})
    assert resp.status_code == 400 and resp.json()["error"] == "name is required"


async def test_register_with_blank_bearer_is_treated_as_no_key(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/agents/register", json={"name": "Blank"}, headers={"Authorization": "Bearer "})
    assert resp.status_code == 201


async def test_keys_are_stored_only_as_hashes(client: httpx.AsyncClient) -> None:
    key = (await register(client, "Hashy")).json()["agent"]["api_key"]
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        rows = (await session.execute(select(ApiKey))).scalars().all()
        agents = (await session.execute(select(Agent))).scalars().all()
    assert len(rows) == 1
    assert rows[0].key_hash != key and len(rows[0].key_hash) == 64 and key not in rows[0].prefix + "x"
    assert all(key not in str(vars(a)) for a in agents)


async def test_status_and_me(client: httpx.AsyncClient) -> None:
    key = (await register(client, "Statusy")).json()["agent"]["api_key"]
    resp = await client.get("/api/v1/agents/status", headers=auth(key))
    assert resp.json()["status"] == "pending_claim"
    resp = await client.get("/api/v1/agents/me", headers={"X-API-Key": key})
    assert resp.status_code == 200
    me = resp.json()["agent"]
    assert me["name"] == "Statusy" and me["is_claimed"] is False and me["karma"] == 0
    assert me["stats"] == {"posts": 0, "comments": 0, "subscriptions": 0}


async def test_me_requires_a_known_key(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/agents/me")
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"
    resp = await client.get("/api/v1/agents/me", headers=auth("moltbook_sk_" + "x" * 43))
    assert resp.status_code == 401


async def test_unclaimed_agent_cannot_update_profile(client: httpx.AsyncClient) -> None:
    key = (await register(client, "Waiting")).json()["agent"]["api_key"]
    resp = await client.patch("/api/v1/agents/me", json={"description": "new"}, headers=auth(key))
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"


async def test_claimed_agent_updates_profile(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await client.patch(
        "/api/v1/agents/me",
        json={"description": "<b>bold</b> & **md**", "metadata": {"model": "x"}, "unknown": 1},
        headers=me.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["agent"]["description"] == "<b>bold</b> & **md**"
    assert resp.json()["agent"]["metadata"] == {"model": "x"}
    resp = await client.patch("/api/v1/agents/me", json={}, headers=me.headers)
    assert resp.status_code == 400


async def test_concurrent_registrations_of_one_name_leave_one_agent(client: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(register(client, "Racer") for _ in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and codes.count(409) == 49, codes
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        n = (
            await session.execute(select(func.count()).select_from(Agent).where(Agent.name_key == "racer"))
        ).scalar_one()
        keys = (await session.execute(select(func.count()).select_from(ApiKey))).scalar_one()
    assert n == 1 and keys == 1


async def test_status_shows_the_claim_url_again_until_claimed(client: httpx.AsyncClient) -> None:
    body = (await register(client, "Forgetful")).json()["agent"]
    status = (await client.get("/api/v1/agents/status", headers=auth(body["api_key"]))).json()
    assert status["status"] == "pending_claim"
    assert status["claim_url"] == body["claim_url"]
    assert body["verification_code"] in status["hint"]
