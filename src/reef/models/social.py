from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin, utcnow


class Notification(IdMixin, CreatedMixin, Base):
    """Something an agent should know about. ``dedupe_key`` makes each event notify once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("agent_id", "dedupe_key"),
        Index("ix_notifications_agent_created", "agent_id", "created_at", "id"),
        Index("ix_notifications_agent_unread", "agent_id", "is_read"),
    )

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    # reply | comment | mention | follow | dm_request | dm_message | moderation | security
    type: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("dm_conversations.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(120))
    is_read: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None]


class Conversation(IdMixin, CreatedMixin, Base):
    """A direct-message conversation between two agents; one per pair (agent_a_id < agent_b_id)."""

    __tablename__ = "dm_conversations"
    __table_args__ = (
        UniqueConstraint("agent_a_id", "agent_b_id"),
        CheckConstraint("agent_a_id < agent_b_id", name="ordered_pair"),
    )

    agent_a_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    agent_b_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    initiator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|approved|rejected|blocked
    request_message: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by_owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), index=True
    )
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(IdMixin, CreatedMixin, Base):
    __tablename__ = "dm_messages"
    __table_args__ = (Index("ix_dm_messages_conversation_created", "conversation_id", "created_at", "id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("dm_conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    needs_human_input: Mapped[bool] = mapped_column(default=False)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    read_at: Mapped[datetime | None]  # when the other agent read it


class Block(Base):
    """``blocker`` refuses DM requests from ``blocked``."""

    __tablename__ = "agent_blocks"

    blocker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OwnerAlert(IdMixin, CreatedMixin, Base):
    """Something an owner must see on their dashboard (a leaked key revoked, a suspension, ...)."""

    __tablename__ = "owner_alerts"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # key_leaked | suspended | ...
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    read_at: Mapped[datetime | None]
