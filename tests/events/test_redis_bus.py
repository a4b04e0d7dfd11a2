"""The Redis bus: events cross between buses (as between processes), once each, to the right
audience; namespaces keep instances apart; the listener survives a dropped connection; a Redis that
is down never stops the server."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from reef.events import outbox
from reef.events.outbox import Event
from reef.events.redis_bus import RedisBus
from tests.conftest import auth
from tests.fixtures import factories


@pytest.fixture
def namespace() -> str:
    return f"reef-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def buses(redis_url: str, namespace: str) -> AsyncIterator[Callable[..., Any]]:
    opened: list[RedisBus] = []

    async def open_bus(ns: str | None = None) -> RedisBus:
        bus = RedisBus(redis_url, namespace=ns or namespace)
        opened.append(bus)
        await bus.start()
        assert bus.listening
        return bus

    yield open_bus
    for bus in opened:
        await bus.close()


async def next_event(queue: asyncio.Queue[Event], within: float = 2.0) -> Event:
    return await asyncio.wait_for(queue.get(), within)


async def test_an_event_published_on_one_bus_reaches_the_others_subscribers_once(buses: Any) -> None:
    one, two = await buses(), await buses()
    alice, bob = outbox.agent_audience(uuid.uuid4()), outbox.agent_audience(uuid.uuid4())
    async with (
        one.subscribe({alice}) as alice_on_one,
        one.subscribe({bob}) as bob_on_one,
        two.subscribe({alice, outbox.PUBLIC}) as alice_on_two,
    ):
        sent = Event("notification", {"message": "hi", "n": 1}, audience=alice)
        await two.publish([sent])
        got = await next_event(alice_on_one)
        assert got == sent  # id, type, data, audience and time survive the trip
        assert await next_event(alice_on_two) == sent  # the publisher's own subscribers, through Redis
        await two.publish([Event("post.created", {"id": "p"})])
        assert (await next_event(alice_on_two)).type == "post.created"
        await asyncio.sleep(0.2)
        assert alice_on_one.empty() and alice_on_two.empty()  # exactly once each
        assert bob_on_one.empty()  # never another agent's events


async def test_namespaces_keep_instances_apart(buses: Any) -> None:
    mine, theirs = await buses(), await buses(f"other-{uuid.uuid4().hex[:8]}")
    async with theirs.subscribe({outbox.PUBLIC}) as queue:
        await mine.publish([Event("post.created", {"id": "x"})])
        await asyncio.sleep(0.3)
        assert queue.empty()
    assert mine.channel != theirs.channel


async def test_malformed_messages_are_skipped(buses: Any, redis_url: str) -> None:
    bus = await buses()
    raw = Redis.from_url(redis_url)
    try:
        async with bus.subscribe({outbox.PUBLIC}) as queue:
            await raw.publish(bus.channel, b"not json")
            await raw.publish(bus.channel, b'{"type": "x"}')
            await bus.publish([Event("vote", {"score": 1})])
            assert (await next_event(queue)).type == "vote"
    finally:
        await raw.aclose()


async def test_the_listener_reconnects_after_its_connection_drops(
    buses: Any, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bus = await buses()
    admin = Redis.from_url(redis_url, decode_responses=True)
    try:
        clients = await admin.client_list()
        [listener] = [c for c in clients if c.get("name") == f"reef-events:{bus.channel}"]
        with caplog.at_level(logging.WARNING, logger="reef.events.redis_bus"):
            await admin.client_kill_filter(_id=listener["id"])
            async with bus.subscribe({outbox.PUBLIC}) as queue:
                # Publish until the re-subscribed listener hears one (it backs off briefly first).
                for attempt in range(50):
                    await bus.publish([Event("post.created", {"attempt": attempt})])
                    try:
                        await next_event(queue, within=0.1)
                        break
                    except TimeoutError:
                        continue
                else:
                    pytest.fail("the listener did not come back")
        assert "reconnecting" in caplog.text
        assert bus.listening
    finally:
        await admin.aclose()


async def test_a_redis_that_is_down_does_not_stop_the_server(caplog: pytest.LogCaptureFixture) -> None:
    bus = RedisBus("redis://127.0.0.1:1/0", namespace="nowhere", ready_timeout=0.3)
    await bus.start()  # returns; the listener keeps retrying in the background
    assert not bus.listening
    with caplog.at_level(logging.WARNING, logger="reef.events.redis_bus"):
        started = asyncio.get_running_loop().time()
        await bus.publish([Event("post.created", {})])  # a request never waits for Redis
        assert asyncio.get_running_loop().time() - started < 0.1
        async with bus.subscribe({outbox.PUBLIC}):
            assert bus.subscriber_count == 1
        await bus.close()  # tries to send what is left, then gives up
    assert "could not publish 1 events" in caplog.text


async def test_the_app_uses_redis_when_configured(app_factory: Callable[..., Any], redis_url: str) -> None:
    async with app_factory(redis_url=redis_url) as client:
        bus = client.app.state.events  # type: ignore[attr-defined]
        assert isinstance(bus, RedisBus) and bus.listening
        author = await factories.agent(client)
        async with bus.subscribe({outbox.PUBLIC}) as queue:
            resp = await client.post(
                "/api/v1/posts", json={"submolt": "general", "title": "via Redis"}, headers=auth(author.key)
            )
            assert resp.status_code == 201
            event = await next_event(queue)
            assert (event.type, event.data["id"]) == ("post.created", resp.json()["post"]["id"])


async def test_publishing_failure_does_not_fail_the_request(app_factory: Callable[..., Any], redis_url: str) -> None:
    async with app_factory(redis_url=redis_url) as client:
        author = await factories.agent(client)
        bus = client.app.state.events  # type: ignore[attr-defined]

        async def broken(events: Any) -> None:
            raise RedisError("down")

        bus.publish = broken
        resp = await client.post(
            "/api/v1/posts", json={"submolt": "general", "title": "still"}, headers=auth(author.key)
        )
        assert resp.status_code == 201  # committed; the live update is lost, not the post
        assert (await client.get(f"/api/v1/posts/{resp.json()['post']['id']}")).status_code == 200
