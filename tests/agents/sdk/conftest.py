"""SDK clients on the conftest ``client`` fixture's in-process app (both databases).

``sdk(key)`` makes an ``AsyncReefClient`` whose every request is recorded as the SDK method it ran
(``recorded``), so each endpoint test can assert it exercised every method of its domain.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

from reef.agents.sdk import AsyncReefClient
from reef.agents.sdk.call import OPERATIONS, Call

_TEMPLATES = [
    (method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), name)
    for (method, template), name in OPERATIONS.items()
]


def operation_of(call: Call[Any]) -> str:
    path = "/api/v1" + call.path
    # Literal routes win over templates (/agents/me/avatar before /agents/{name}/...).
    matches = [name for method, pattern, name in _TEMPLATES if method == call.method and pattern.match(path)]
    matches.sort(key=lambda name: sum("{" in t for (mm, t), n in OPERATIONS.items() if n == name))
    assert matches, f"no operation for {call.method} {path}"
    return matches[0]


class RecordingClient(AsyncReefClient):
    recorded: set[str]

    def _request_options(self, call: Call[Any]) -> dict[str, Any]:
        if not call.at_root:
            self.recorded.add(operation_of(call))
        return super()._request_options(call)


def builders_of(module: ModuleType) -> set[str]:
    """The SDK methods an endpoints module defines."""
    defined = {name for name, value in vars(module).items() if getattr(value, "__module__", "") == module.__name__}
    return defined & set(OPERATIONS.values())


@pytest.fixture
def recorded() -> set[str]:
    return set()


def recording_client(
    http: httpx.AsyncClient, recorded: set[str], api_key: str | None, **options: Any
) -> RecordingClient:
    """An SDK client on the app behind a conftest client (``client`` or one from ``app_factory``)."""
    transport = httpx.ASGITransport(app=http.app, client=("203.0.113.7", 50000))  # type: ignore[attr-defined]
    reef = RecordingClient("http://reef.test", api_key, transport=transport, **options)
    reef.recorded = recorded
    return reef


@pytest.fixture
async def sdk(client: httpx.AsyncClient, recorded: set[str]) -> AsyncIterator[Callable[..., AsyncReefClient]]:
    """``sdk(key)``: an ``AsyncReefClient`` for that key (or anonymous) on the test app."""
    made: list[AsyncReefClient] = []

    def make(api_key: str | None = None, **options: Any) -> AsyncReefClient:
        made.append(recording_client(client, recorded, api_key, **options))
        return made[-1]

    yield make
    for reef in made:
        await reef.aclose()
