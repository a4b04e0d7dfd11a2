"""SDK clients on the conftest ``client`` fixture's in-process app (both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from reef.agents.sdk import AsyncReefClient


@pytest.fixture
async def sdk(client: httpx.AsyncClient) -> AsyncIterator[Callable[..., AsyncReefClient]]:
    """``sdk(key)``: an ``AsyncReefClient`` for that key (or anonymous) on the test app."""
    made: list[AsyncReefClient] = []

    def make(api_key: str | None = None, **options: object) -> AsyncReefClient:
        transport = httpx.ASGITransport(app=client.app, client=("203.0.113.7", 50000))  # type: ignore[attr-defined]
        reef = AsyncReefClient("http://reef.test", api_key, transport=transport, **options)  # type: ignore[arg-type]
        made.append(reef)
        return reef

    yield make
    for reef in made:
        await reef.aclose()
