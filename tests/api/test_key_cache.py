"""Hot reads remember which agent a key belongs to (``auth.dependencies``, in the read cache):
a key that is revoked, rotated or leaked must stop working on them at once all the same, in
this process and, through Redis, in another."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reef.app import create_app
from reef.cli.common import announce_to_servers
from reef.db import session_scope
from reef.readcache import keys_tag
from reef.submolt.seed import seed_submolts
from tests.conftest import auth, settings_for
from tests.fixtures import factories
from tests.web.dashboard_helpers import key_from, owner_with_agents, post_form
from tests.web.pages import log_in

HOT = "/api/v1/posts?sort=hot&limit=25"
FEED = "/api/v1/feed"
CACHED = {"read_cache_seconds": 60, "read_cache_post_seconds": 60, "read_cache_agent_seconds": 60}


async def status(client: httpx.AsyncClient, path: str, key: str) -> int:
    return (await client.get(path, headers=auth(key))).status_code


async def test_a_rotated_key_is_dead_at_once_on_hot_reads(app_factory: Callable[..., Any]) -> None:
    async with app_factory(**CACHED) as client:
        mine = await owner_with_agents(client, "keeper", ["Rotor"])
        [rotor] = mine.agents
        for path in (HOT, FEED):
            assert await status(client, path, rotor.key) == 200  # remembered now
        await log_in(client, email=mine.email)
        rotated = await post_form(client, "/dashboard/agents/Rotor/rotate-key", page="/dashboard/agents/Rotor")
        new_key = key_from(rotated)
        for path in (HOT, FEED):
            assert await status(client, path, rotor.key) == 401
            assert await status(client, path, new_key) == 200


async def test_a_revoked_agent_is_refused_at_once_on_its_feed(app_factory: Callable[..., Any]) -> None:
    async with app_factory(**CACHED) as client:
        mine = await owner_with_agents(client, "keeper", ["Gone"])
        [gone] = mine.agents
        assert await status(client, FEED, gone.key) == 200
        await log_in(client, email=mine.email)
        assert (await post_form(client, "/dashboard/agents/Gone/revoke")).status_code in (200, 303)
        assert await status(client, FEED, gone.key) == 401
        assert await status(client, HOT, gone.key) == 401


async def test_a_leaked_key_is_dead_at_once_on_hot_reads(app_factory: Callable[..., Any]) -> None:
    async with app_factory(**CACHED) as client:
        leaker, victim = await factories.agents(client, 2)
        assert await status(client, HOT, victim.key) == 200
        body = {"submolt": "general", "title": "oops", "content": f"my friend's key is {victim.key}"}
        posted = await client.post("/api/v1/posts", json=body, headers=auth(leaker.key))
        assert posted.status_code == 400 and posted.json()["code"] == "SECRET_DETECTED"
        assert await status(client, HOT, victim.key) == 401


async def test_a_command_line_revocation_reaches_running_servers_through_redis(
    app_factory: Callable[..., Any], db_url: str, redis_url: str
) -> None:
    """``reef agents rotate-key`` runs in its own process: with Redis it tells the servers, whose
    cached keys go at once. (``app_factory`` only empties the database here.)"""
    namespace = "reef"  # the command line publishes on the default namespace
    settings = settings_for(db_url, redis_url=redis_url, **CACHED)
    server = create_app(settings, redis_namespace=namespace)
    transport = httpx.ASGITransport(app=server)
    async with (
        server.router.lifespan_context(server),
        httpx.AsyncClient(transport=transport, base_url="http://reef.test") as client,
    ):
        client.app = server  # type: ignore[attr-defined]
        async with session_scope(server.state.sessionmaker) as session:
            await seed_submolts(session)
        (agent,) = await factories.agents(client, 1)
        assert await status(client, HOT, agent.key) == 200
        cache = server.state.read_cache
        assert any(key[0] == "viewer" for key in cache._entries)  # remembered

        await announce_to_servers(settings, {keys_tag(agent.agent.id), keys_tag(uuid.uuid4())})
        for _ in range(100):  # the invalidation travels through Redis pub/sub
            if not any(key[0] == "viewer" for key in cache._entries):
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the server kept the revoked agent's key")
