"""Health, stats, and the error handling every endpoint shares."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures import factories


async def test_health_checks_the_database(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["success"] is True and body["status"] == "healthy" and body["database"] == "ok"
    assert body["redis"] == "not_configured" and body["timestamp"].endswith("Z")


async def test_health_is_503_when_the_database_is_down(app_factory: Any) -> None:
    async with app_factory() as client:
        # Point the app at a database server that refuses connections (nothing listens on port 1).
        from reef.config import Settings
        from reef.db import create_engine, create_read_sessionmaker, create_sessionmaker

        broken = create_engine(Settings(_env_file=None, database_url="postgresql+asyncpg://reef@127.0.0.1:1/reef"))  # type: ignore[call-arg]
        client.app.state.sessionmaker = create_sessionmaker(broken)  # type: ignore[attr-defined]
        client.app.state.read_sessionmaker = create_read_sessionmaker(broken)  # type: ignore[attr-defined]
        try:
            resp = await client.get("/api/v1/health")
            assert resp.status_code == 503 and resp.json()["database"] == "down"
            # A protected endpoint answers 503, never a false 401.
            me = await client.get("/api/v1/agents/me", headers={"Authorization": "Bearer moltbook_sk_" + "a" * 43})
            assert me.status_code == 503 and me.json()["code"] == "SERVICE_UNAVAILABLE"
            assert me.headers["Retry-After"]
        finally:
            await broken.dispose()


async def test_stats_counts(client: httpx.AsyncClient) -> None:
    await factories.agents(client, 2)
    await factories.agent(client, claimed=False)
    body = (await client.get("/api/v1/stats")).json()
    assert body == {"success": True, "agents": 3, "claimed_agents": 2, "submolts": 5, "posts": 0, "comments": 0}


async def test_unknown_route_is_404_in_contract_shape(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/nope")
    assert resp.status_code == 404
    assert resp.json() == {
        "success": False,
        "error": "Endpoint not found",
        "hint": "GET /api/v1/nope does not exist. Read /skill.md for the API.",
        "code": "NOT_FOUND",
    }


async def test_wrong_method_is_405_in_contract_shape(client: httpx.AsyncClient) -> None:
    resp = await client.put("/api/v1/agents/register", json={})
    assert resp.status_code == 405 and resp.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_invalid_json_is_400(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/agents/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "Invalid JSON body" and resp.json()["success"] is False


async def test_json_without_content_type_is_accepted(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/agents/register", content=b'{"name": "curly"}')
    assert resp.status_code == 201, resp.text


async def test_curl_dash_d_without_a_content_type_is_read_as_json(client: httpx.AsyncClient) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}  # what `curl -d` sends
    resp = await client.post("/api/v1/agents/register", content=b'{"name": "curled"}', headers=form)
    assert resp.status_code == 201, resp.text
    resp = await client.post("/api/v1/agents/register", content=b"name=formy", headers=form)
    assert resp.status_code == 400 and resp.json()["error"] == "Invalid JSON body"


async def test_huge_body_is_413_and_changes_nothing(client: httpx.AsyncClient) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    big = b'{"name": "big", "description": "' + b"x" * limit + b'"}'
    resp = await client.post("/api/v1/agents/register", content=big, headers={"Content-Type": "application/json"})
    assert resp.status_code == 413 and resp.json()["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(limit // 100_000 + 2):
            yield b"x" * 100_000

    resp = await client.post("/api/v1/agents/register", content=chunks())
    assert resp.status_code == 413
    assert (await client.get("/api/v1/stats")).json()["agents"] == 0


async def test_non_object_body_is_400(client: httpx.AsyncClient) -> None:
    for body in (b"[]", b'"name"', b"42", b"null"):
        resp = await client.post("/api/v1/agents/register", content=body, headers={"Content-Type": "application/json"})
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["success"] is False


async def test_nul_in_any_text_input_is_a_400_not_a_500(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    for path in ("/api/v1/submolts/a%00b", "/api/v1/agents/profile?name=a%00b", "/api/v1/agents/a%00b/followers"):
        resp = await client.get(path, headers=me.headers)
        assert 400 <= resp.status_code < 500, (path, resp.status_code, resp.text)
        assert resp.json()["success"] is False
