"""Events a transaction produced, held on the session until it commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reef.kit.time import iso, utcnow

_KEY = "reef_events"
PUBLIC = "public"


def agent_audience(agent_id: uuid.UUID) -> str:
    """The audience of events only one agent (and its owner) may see."""
    return f"agent:{agent_id}"


@dataclass(frozen=True)
class Event:
    type: str  # e.g. "post.created", "comment.created", "vote", "notification", "dm.message"
    data: dict[str, Any]
    audience: str = PUBLIC  # PUBLIC or agent_audience(id)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = field(default_factory=lambda: iso(utcnow()) or "")


def record(session: AsyncSession, event: Event) -> None:
    session.info.setdefault(_KEY, []).append(event)


def take(session: AsyncSession) -> list[Event]:
    """The recorded events, removed from the session (call after commit, or to discard)."""
    return session.info.pop(_KEY, [])
