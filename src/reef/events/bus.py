"""Publish/subscribe of live events. ``InProcessBus`` fans out inside one server process; a
Redis-backed bus (same interface) carries events between processes when REEF_REDIS_URL is set."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Protocol

from reef.events.outbox import Event

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000  # a subscriber this far behind starts losing events rather than memory


class EventBus(Protocol):
    async def publish(self, events: Iterable[Event]) -> None: ...

    def subscribe(self, audiences: set[str]) -> asynccontextmanager[asyncio.Queue[Event]]: ...  # type: ignore[type-arg]

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
