"""Small helpers shared by the notification and /home tests."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Notification


async def post(client: httpx.AsyncClient, author: Any, *, submolt: str = "general", **body: Any) -> dict[str, Any]:
    body = {"submolt": submolt, "title": "A post", "content": "Some thoughts", **body}
    resp = await client.post("/api/v1/posts", json=body, headers=author.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()["post"]  # type: ignore[no-any-return]


async def comment(
    client: httpx.AsyncClient, author: Any, post_id: str, content: str = "Nice post", parent_id: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content}
    if parent_id:
        body["parent_id"] = parent_id
    resp = await client.post(f"/api/v1/posts/{post_id}/comments", json=body, headers=author.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()["comment"]  # type: ignore[no-any-return]


async def stored(client: httpx.AsyncClient) -> list[Notification]:
    """Every notification row, oldest first."""
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        stmt = select(Notification).order_by(Notification.created_at, Notification.id)
        return list((await session.execute(stmt)).scalars())


def summary(rows: list[Notification], names: dict[Any, str]) -> list[tuple[str, str, str | None]]:
    """(recipient name, type, actor name) per notification, sorted, for compact assertions."""
    return sorted((names[n.agent_id], n.type, names.get(n.actor_id)) for n in rows)
