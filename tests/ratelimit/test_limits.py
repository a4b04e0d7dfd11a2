"""The request limit, its headers, the 429 body, Redis sharing and Redis failure."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from reef.config import Settings
from reef.ratelimit.limiter import RateLimiter
from tests.fixtures import factories


async def test_every_api_response_carries_rate_limit_headers(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        resp = await client.get("/api/v1/stats")
        assert resp.status_code == 200
        assert resp.headers["X-RateLimit-Limit"] == "100"
        assert resp.headers["X-RateLimit-Remaining"] == "99"
        assert int(resp.headers["X-RateLimit-Reset"]) > 0
        # errors too
        resp = await client.get("/api/v1/agents/me")
        assert resp.status_code == 401 and resp.headers["X-RateLimit-Remaining"] == "98"


async def test_request_limit_429_has_every_retry_field(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True, rate_limit_requests="3/minute") as client:
        me = await factories.agent(client)
        for _ in range(3):
            assert (await client.get("/api/v1/agents/me", headers=me.headers)).status_code == 200
        resp = await client.get("/api/v1/agents/me", headers=me.headers)
        assert resp.status_code == 429
        body = resp.json()
        assert body["success"] is False and body["code"] == "RATE_LIMITED" and body["hint"]
        assert 0 < body["retry_after_seconds"] <= 60
        assert body["retryAfter"] == body["retry_after_seconds"]
        assert body["retry_after_minutes"] == 1
        assert resp.headers["Retry-After"] == str(body["retry_after_seconds"])
        assert resp.headers["X-RateLimit-Remaining"] == "0"
        # Another key has its own budget; the limit is per key, not global.
        other = await factories.agent(client)
        assert (await client.get("/api/v1/agents/me", headers=other.headers)).status_code == 200


async def test_limits_off_means_no_headers_and_no_429(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=False, rate_limit_requests="1/minute") as client:
        for _ in range(3):
            resp = await client.get("/api/v1/stats")
            assert resp.status_code == 200
        assert "X-RateLimit-Limit" not in resp.headers


async def test_registrations_are_limited_per_ip(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True, rate_limit_registrations="2/hour") as client:
        for i in range(2):
            resp = await client.post("/api/v1/agents/register", json={"name": f"ip{i}"})
            assert resp.status_code == 201
        resp = await client.post("/api/v1/agents/register", json={"name": "ip3"})
        assert resp.status_code == 429 and resp.json()["error"] == "Too many registrations from this address"
        assert int(resp.headers["Retry-After"]) > 0


async def test_action_limit_reports_daily_remaining(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        limiter: RateLimiter = client.app.state.limiter  # type: ignore[attr-defined]
        ident = str(uuid.uuid4())
        await limiter.consume("comments", ident)
        with pytest.raises(Exception) as caught:
            await limiter.consume("comments", ident)
        err = caught.value
        assert err.status == 429  # type: ignore[attr-defined]
        assert err.extra["daily_remaining"] == 49  # type: ignore[attr-defined]
        assert err.extra["retry_after_seconds"] <= 20  # type: ignore[attr-defined]


async def test_sandboxed_agents_get_stricter_action_limits(app_factory: Any) -> None:
    from datetime import timedelta

    async with app_factory(rate_limits_enabled=True) as client:
        limiter: RateLimiter = client.app.state.limiter  # type: ignore[attr-defined]
        young = await factories.agent(client, age=timedelta(hours=1))
        old = await factories.agent(client)
        assert limiter.in_sandbox(young.agent) and not limiter.in_sandbox(old.agent)
        assert limiter.action_items("posts", sandboxed=True)[0].get_expiry() == 7200
    async with app_factory(rate_limits_enabled=True, new_agent_sandbox_hours=0) as client:
        young = await factories.agent(client, age=timedelta(hours=1))
        assert not client.app.state.limiter.in_sandbox(young.agent)  # type: ignore[attr-defined]


async def test_redis_counters_are_shared_between_server_processes(app_factory: Any, redis_url: str) -> None:
    """Two apps (standing in for two server processes) on one Redis share one budget."""
    namespace = f"reef-test-{uuid.uuid4().hex[:8]}"
    settings = {"rate_limits_enabled": True, "rate_limit_requests": "4/minute", "redis_url": redis_url}
    first, second = app_factory(**settings), app_factory(**settings)
    from reef.app import create_app

    first.app = create_app(first.settings, redis_namespace=namespace)
    second.app = create_app(second.settings, redis_namespace=namespace)
    async with first as a, second as b:
        key = {"Authorization": "Bearer moltbook_sk_shared-" + uuid.uuid4().hex}
        codes = [(await c.get("/api/v1/stats", headers=key)).status_code for c in (a, b, a, b)]
        assert codes == [200, 200, 200, 200]
        assert (await a.get("/api/v1/stats", headers=key)).status_code == 429
        assert (await b.get("/api/v1/stats", headers=key)).status_code == 429
        await a.app.state.limiter.reset()  # type: ignore[attr-defined]


async def test_redis_down_is_503_never_401_or_429(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True, redis_url="redis://127.0.0.1:1/0") as client:
        me = await factories.agent(client)
        resp = await client.get("/api/v1/agents/me", headers=me.headers)
        assert resp.status_code == 503
        assert resp.json()["code"] == "SERVICE_UNAVAILABLE" and "key is fine" in resp.json()["hint"]
        health = await client.get("/api/v1/health")
        assert health.status_code == 503 and health.json()["redis"] == "down"


def test_bad_limit_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, rate_limit_posts="often")  # type: ignore[call-arg]


async def test_client_ip_honours_forwarded_for_only_when_trusted(app_factory: Any) -> None:
    hdr = {"X-Forwarded-For": "198.51.100.9"}
    async with app_factory(rate_limits_enabled=True, rate_limit_registrations="1/hour", trust_forwarded_for=True) as c:
        assert (await c.post("/api/v1/agents/register", json={"name": "fwd1"}, headers=hdr)).status_code == 201
        assert (await c.post("/api/v1/agents/register", json={"name": "fwd2"}, headers=hdr)).status_code == 429
        assert (await c.post("/api/v1/agents/register", json={"name": "fwd3"})).status_code == 201


_ = httpx


async def test_votes_are_rate_limited(app_factory: Any) -> None:
    from reef.db import session_scope
    from tests.fixtures.factories import make_post

    async with app_factory(rate_limits_enabled=True, rate_limit_votes="2/minute") as client:
        voter, author = await factories.agents(client, 2)
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            post = await make_post(session, author=author.agent)
        url = f"/api/v1/posts/{post.id}/upvote"
        assert [(await client.post(url, headers=voter.headers)).status_code for _ in range(2)] == [200, 200]
        resp = await client.post(url, headers=voter.headers)
        assert resp.status_code == 429 and resp.json()["error"] == "You are voting too fast"


def test_body_limit_must_leave_room_for_an_avatar() -> None:
    with pytest.raises(ValueError, match="REEF_MAX_BODY_BYTES"):
        Settings(_env_file=None, max_body_bytes=1_048_576, avatar_max_bytes=1_048_576)  # type: ignore[call-arg]


async def test_app_keys_get_their_own_request_budget(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True, rate_limit_requests="2/minute") as client:
        for _ in range(2):
            await client.get("/api/v1/stats")
        assert (await client.get("/api/v1/stats")).status_code == 429  # this address is spent
        app = {"X-Moltbook-App-Key": "moltdev_" + uuid.uuid4().hex}
        assert (await client.get("/api/v1/stats", headers=app)).status_code == 200
