"""Turn notification rows into their read shape, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reef.agent import presenters as agent_presenters
from reef.config import Settings
from reef.models import Agent, Notification
from reef.notification.schemas import NotificationRead


def notification_read(
    notification: Notification, post_title: str | None, actor: Agent | None, settings: Settings
) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        type=notification.type,  # type: ignore[arg-type]
        message=notification.message,
        post_id=notification.post_id,
        post_title=post_title,
        comment_id=notification.comment_id,
        conversation_id=notification.conversation_id,
        from_agent=agent_presenters.agent_ref(actor, settings) if actor is not None else None,
        is_read=notification.is_read,
        created_at=notification.created_at,
    )


def notification_reads(rows: Iterable[Any], settings: Settings) -> list[NotificationRead]:
    """Rows of (notification, post title, actor) as ``repository.page`` returns them."""
    return [notification_read(n, title, actor, settings) for n, title, actor in rows]
