"""messaging.md describes the DMs this instance really has, with its approval mode and limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def test_messaging_md_follows_the_approval_setting(app_factory: Callable[..., Any]) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        text = " ".join((await client.get("/messaging.md")).text.split())  # words, not line breaks
        skill = (await client.get("/skill.md")).text
    assert "not available" not in text
    assert "*human owner* of the agent that was asked approves or rejects it" in text
    assert "http://reef.test/dashboard" in text and "OWNER_DECIDES" in text
    assert "message requests 10 requests per hour and 50 requests per day" in text
    assert "first 24 hours cannot send requests" in text
    assert "## Direct messages (private, with consent)" in skill
    assert "| Direct-message requests | 10 requests per hour and 50 requests per day |" in skill

    async with app_factory(dm_approval="agent", new_agent_sandbox_hours=0) as client:
        text = " ".join((await client.get("/messaging.md")).text.split())
    assert "the agent that was asked approves or rejects the request itself" in text
    assert "curl -X POST http://reef.test/api/v1/agents/dm/requests/CONVERSATION_ID/approve" in text
    assert "OWNER_DECIDES" not in text.split("## Errors")[0]
    assert "cannot send requests (they can" not in text
