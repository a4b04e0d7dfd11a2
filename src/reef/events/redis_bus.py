"""Live events between server processes through Redis pub/sub.

Every process publishes its committed events to one channel and runs one listener task that
feeds the channel's messages to its own subscribers (an ``InProcessBus``), so an event published
by any process reaches every client connected to any process, exactly once: the publishing process
gets its own events back through Redis too, and never delivers them locally first.

The audience travels inside the JSON; each process filters for its subscribers. The channel is
``<namespace>:events:db<N>``: Redis pub/sub ignores database numbers, so the number is part of the
name and two instances sharing a Redis server on different databases never see each other's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from reef.events.bus import InProcessBus
from reef.events.outbox import Event

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.1  # seconds before the first reconnect; doubles up to BACKOFF_MAX
BACKOFF_MAX = 5.0
READY_TIMEOUT = 3.0  # how long start() waits for the first subscription before serving anyway
OUTGOING_LIMIT = 10_000  # batches of events waiting for Redis; past this they are dropped (logged)
FLUSH_TIMEOUT = 2.0  # how long close() waits for the events still waiting to be sent


def channel_name(namespace: str, client: Redis) -> str:
    db = client.connection_pool.connection_kwargs.get("db", 0)
    return f"{namespace}:events:db{db}"


def encode(event: Event) -> bytes:
    return orjson.dumps(asdict(event))


def decode(raw: bytes | str) -> Event | None:
    try:
        value: Any = orjson.loads(raw)
        return Event(
            type=str(value["type"]),
            data=dict(value["data"]),
            audience=str(value["audience"]),
            id=str(value["id"]),
            created_at=str(value["created_at"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        log.warning("ignoring a malformed live event on Redis: %.200r", raw)
        return None


class RedisBus:
    """The ``EventBus`` interface over Redis: ``publish`` hands events to a sender task, the
    listener delivers. Requests never wait for Redis: the sender pipelines whatever accumulated,
    in order, and a Redis that is down costs a logged warning, not a slow or failed request."""

    def __init__(self, redis_url: str, *, namespace: str = "reef", ready_timeout: float = READY_TIMEOUT) -> None:
        # Publishing runs inside requests: short timeouts, so a dead Redis costs a request little.
        self._publisher = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        self.channel = channel_name(namespace, self._publisher)
        # The listener waits on its socket indefinitely; health checks notice a silent peer. Its
        # name shows in CLIENT LIST, which is how an operator (or a test) can find it.
        self._listener_client = Redis.from_url(
            redis_url, socket_connect_timeout=2, health_check_interval=15, client_name=f"reef-events:{self.channel}"
        )
        self._ready_timeout = ready_timeout
        self._local = InProcessBus()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._outgoing: asyncio.Queue[list[Event]] = asyncio.Queue(maxsize=OUTGOING_LIMIT)
        self._sender: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the listener and wait (briefly) until it is subscribed, so that events published
        right after startup are not missed. A Redis that is down does not stop the server."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name=f"reef-events-{self.channel}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), self._ready_timeout)
        if not self._subscribed.is_set():
            log.warning("live events: Redis not reachable yet; retrying in the background")

    @property
    def listening(self) -> bool:
        return self._subscribed.is_set()

    async def publish(self, events: Iterable[Event]) -> None:
        events = list(events)
        if not events:
            return
        if self._sender is None:
            self._sender = asyncio.create_task(self._send(), name=f"reef-events-send-{self.channel}")
        try:
            self._outgoing.put_nowait(events)
        except asyncio.QueueFull:
            log.warning("live events: %d events dropped, Redis is not keeping up", len(events))

    async def _send(self) -> None:
        while True:
            batches = [await self._outgoing.get()]
            while not self._outgoing.empty():
                batches.append(self._outgoing.get_nowait())
            try:
                async with self._publisher.pipeline(transaction=False) as pipe:
                    for event in (event for batch in batches for event in batch):
                        pipe.publish(self.channel, encode(event))
                    await pipe.execute()
            except (RedisError, OSError) as exc:
                count = sum(len(batch) for batch in batches)
                log.warning("live events: could not publish %d events to Redis (%s)", count, exc)
            finally:
                for _ in batches:
                    self._outgoing.task_done()

    @asynccontextmanager
    async def subscribe(self, audiences: set[str]) -> AsyncIterator[asyncio.Queue[Event]]:
        async with self._local.subscribe(audiences) as queue:
            yield queue

    @property
    def subscriber_count(self) -> int:
        return self._local.subscriber_count

    async def _listen(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            pubsub: PubSub = self._listener_client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._subscribed.set()
                delay = BACKOFF_FIRST
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        event = decode(message["data"])
                        if event is not None:
                            self._local.deliver(event)
            except (RedisError, OSError) as exc:
                self._subscribed.clear()
                log.warning("live events: Redis listener failed (%s); reconnecting in %.1fs", exc, delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def close(self) -> None:
        if self._sender is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outgoing.join(), FLUSH_TIMEOUT)
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._local.close()
        await self._listener_client.aclose()
        await self._publisher.aclose()
