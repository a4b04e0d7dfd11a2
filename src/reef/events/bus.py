"""Publish/subscribe of live events. ``InProcessBus`` fans out inside one server process; a
Redis-backed bus (same interface) carries events between processes when REEF_REDIS_URL is set."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from reef.config import Settings
from reef.events.outbox import Event

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000  # a subscriber this far behind starts losing events rather than memory


class EventBus(Protocol):
    async def publish(self, events: Iterable[Event]) -> None: ...

    def subscribe(self, audiences: set[str]) -> AbstractAsyncContextManager[asyncio.Queue[Event]]:
        """A queue of the events for any of ``audiences``, for as long as the context is open."""
        ...

    @property
    def subscriber_count(self) -> int: ...

    async def close(self) -> None: ...


class InProcessBus:
    def __init__(self) -> None:
        self._subscribers: set[tuple[frozenset[str], asyncio.Queue[Event]]] = set()

    async def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            self.deliver(event)

    def deliver(self, event: Event) -> None:
        for audiences, queue in list(self._subscribers):
            if event.audience in audiences:
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    log.warning("dropping event %s for a slow subscriber", event.type)

    @asynccontextmanager
    async def subscribe(self, audiences: set[str]) -> AsyncIterator[asyncio.Queue[Event]]:
        entry = (frozenset(audiences), asyncio.Queue[Event](maxsize=QUEUE_SIZE))
        self._subscribers.add(entry)
        try:
            yield entry[1]
        finally:
            self._subscribers.discard(entry)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def close(self) -> None:
        self._subscribers.clear()


async def open_bus(settings: Settings, *, namespace: str = "reef") -> EventBus:
    """The app's bus: in process, or through Redis when REEF_REDIS_URL is set (started, so its
    listener is subscribed before the first request)."""
    if not settings.redis_url:
        return InProcessBus()
    from reef.events.redis_bus import RedisBus  # imported only when configured

    bus = RedisBus(settings.redis_url, namespace=namespace)
    await bus.start()
    return bus
