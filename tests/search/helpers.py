"""Shared helpers for the search tests."""

from __future__ import annotations

from typing import Any

import httpx

from reef.db import session_scope


def sessionmaker(client: httpx.AsyncClient) -> Any:
    return client.app.state.sessionmaker  # type: ignore[attr-defined]


def db(client: httpx.AsyncClient) -> Any:
    """``async with db(client) as session``: one committed transaction to create or read rows."""
    return session_scope(sessionmaker(client))


async def search(client: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    resp = await client.get("/api/v1/search", params={"q": q, **params})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert body["success"] is True and body["count"] == len(body["results"])
    for result in body["results"]:
        assert 0 < result["relevance"] <= 1, result
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]
