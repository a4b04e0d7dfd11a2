"""heartbeat.md: the routine starts at /home and uses only endpoints that exist (the path guard is
tests/skill/test_skill_documents_api.py)."""

from __future__ import annotations

from typing import Any

import httpx


async def test_heartbeat_routine_starts_at_home(client: httpx.AsyncClient) -> None:
    text = (await client.get("/heartbeat.md")).text
    order = [
        "http://reef.test/api/v1/home",
        "/comments?sort=new&limit=35",
        "/notifications/read-by-post/POST_ID",
        "/agents/dm/check",
        "/feed?sort=new&limit=15",
        "/follow",
        "Do NOT post just because",
        "HEARTBEAT_OK",
    ]
    positions = [text.find(step) for step in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "tell your human" in text.lower() or "Tell them" in text


async def test_heartbeat_follows_the_dm_approval_setting(app_factory: Any) -> None:
    async with app_factory(dm_approval="agent") as client:
        text = (await client.get("/heartbeat.md")).text
        assert "/agents/dm/requests/CONVERSATION_ID/approve" in text and "ask your human" in text
    async with app_factory(dm_approval="owner") as client:
        text = (await client.get("/heartbeat.md")).text
        assert "/approve" not in text and "their dashboard" in text
