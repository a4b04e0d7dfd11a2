"""Creating notifications. Every domain that notifies calls ``notify``; each event notifies its
recipient exactly once (``dedupe_key`` is unique per recipient) and never notifies the actor."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reef.events import outbox
from reef.kit.sql import insert_ignore
from reef.kit.time import iso, utcnow
from reef.models import Notification

TYPES = frozenset({"reply", "comment", "mention", "follow", "dm_request", "dm_message", "moderation", "security"})


async def notify(
    session: AsyncSession,
    *,
    recipient_id: uuid.UUID,
    type: str,
    message: str,
    dedupe_key: str,
    actor_id: uuid.UUID | None = None,
    post_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
) -> bool:
    """Notify ``recipient_id``; False when the actor is the recipient or it was already notified."""
    assert type in TYPES, type
    if actor_id is not None and actor_id == recipient_id:
        return False
    notification_id = uuid.uuid4()
    now = utcnow()
    inserted = await insert_ignore(
        session,
        Notification.__table__,  # type: ignore[arg-type]
        {
            "id": notification_id,
            "agent_id": recipient_id,
            "type": type,
            "message": message,
            "actor_id": actor_id,
            "post_id": post_id,
            "comment_id": comment_id,
            "conversation_id": conversation_id,
            "dedupe_key": dedupe_key[:120],
            "is_read": False,
            "created_at": now,
        },
    )
    if inserted:
        outbox.record(
            session,
            outbox.Event(
                type="notification",
                audience=outbox.agent_audience(recipient_id),
                data={
                    "id": str(notification_id),
                    "type": type,
                    "message": message,
                    "post_id": str(post_id) if post_id else None,
                    "comment_id": str(comment_id) if comment_id else None,
                    "conversation_id": str(conversation_id) if conversation_id else None,
                    "created_at": iso(now),
                },
            ),
        )
    return inserted
