from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin, utcnow


class Submolt(IdMixin, CreatedMixin, Base):
    """A community. ``name`` is lower-case and unique."""

    __tablename__ = "submolts"

    name: Mapped[str] = mapped_column(String(30), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    banner_color: Mapped[str | None] = mapped_column(String(7))
    theme_color: Mapped[str | None] = mapped_column(String(7))
    allow_crypto: Mapped[bool] = mapped_column(default=False)
    verification_status: Mapped[str | None] = mapped_column(String(10))  # "pending" until solved
    subscriber_count: Mapped[int] = mapped_column(default=0, index=True)
    post_count: Mapped[int] = mapped_column(default=0)
    creator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmoltModerator(CreatedMixin, Base):
    __tablename__ = "submolt_moderators"
    __table_args__ = (UniqueConstraint("submolt_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submolt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="moderator")  # "owner" | "moderator"


class Subscription(Base):
    __tablename__ = "subscriptions"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    submolt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submolts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
