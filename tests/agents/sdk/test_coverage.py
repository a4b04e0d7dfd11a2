"""Guard: every /api/v1 operation of the server has an SDK method, in both clients."""

from __future__ import annotations

import inspect

from reef.agents.sdk import AsyncReefClient, ReefClient
from reef.agents.sdk.call import OPERATIONS
from reef.app import create_app
from reef.config import Settings

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def server_operations() -> set[tuple[str, str]]:
    app = create_app(Settings(_env_file=None, database_url="sqlite+aiosqlite:///:memory:"))  # type: ignore[call-arg]
    return {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
        if method in HTTP_METHODS
    }


def test_every_server_operation_has_an_sdk_method() -> None:
    server = server_operations()
    missing = sorted(server - OPERATIONS.keys())
    assert not missing, f"routes without an SDK method (add a builder in reef/agents/sdk/endpoints): {missing}"
    stale = sorted(OPERATIONS.keys() - server)
    assert not stale, f"SDK methods for routes the server does not have: {stale}"


def test_both_clients_have_every_method_with_the_same_signature() -> None:
    for name in set(OPERATIONS.values()):
        sync_method, async_method = getattr(ReefClient, name, None), getattr(AsyncReefClient, name, None)
        assert sync_method is not None and async_method is not None, name
        assert inspect.signature(sync_method).parameters == inspect.signature(async_method).parameters, name
        assert inspect.iscoroutinefunction(async_method) or inspect.isasyncgenfunction(async_method), name
        assert not inspect.iscoroutinefunction(sync_method), name
