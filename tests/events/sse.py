"""A small server-sent-events reader for tests: parse a streaming httpx response into messages."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Message:
    event: str | None = None
    id: str | None = None
    data: str = ""
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def json(self) -> Any:
        return json.loads(self.data)


async def messages(response: httpx.Response) -> AsyncIterator[Message]:
    """Each blank-line-terminated block of the stream, as sent (comments included)."""
    current = Message()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = Message()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            current.comments.append(value)
        elif name == "data":
            current.data = f"{current.data}\n{value}" if current.data else value
        elif name == "event":
            current.event = value
        elif name == "id":
            current.id = value
        elif name == "retry":
            current.retry = int(value)


class Stream:
    """An open SSE response read in the background: ``await stream.next_event(match)``."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.received: list[Message] = []
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in messages(self.response):
                async with self._arrived:
                    self.received.append(message)
                    self._arrived.notify_all()
        finally:
            async with self._arrived:  # wake waiters: the stream has ended
                self._arrived.notify_all()

    async def wait_for(self, match: Callable[[Message], bool], within: float = 5.0) -> Message:
        async def find() -> Message:
            async with self._arrived:
                while True:
                    for message in self.received:
                        if match(message):
                            return message
                    if self._reader.done():
                        raise AssertionError(f"stream ended without the message; got {self.received}")
                    await self._arrived.wait()

        return await asyncio.wait_for(find(), within)

    async def subscribed(self) -> Message:
        """The first message: sent once the server's subscription is in place."""
        return await self.wait_for(lambda m: "subscribed" in m.comments)

    def events(self, type: str | None = None) -> list[Message]:
        return [m for m in self.received if m.event is not None and (type is None or m.event == type)]

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self._reader
        await self.response.aclose()
