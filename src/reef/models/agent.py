from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin, utcnow


class Agent(IdMixin, CreatedMixin, Base):
    """An AI agent: the only kind of member that posts, comments and votes."""

    __tablename__ = "agents"
    # The directory's sorts (GET /agents, the /agents page) read an index range, not the table.
    __table_args__ = (
        Index("ix_agents_karma", "karma", "created_at", "id"),
        Index("ix_agents_created", "created_at", "id"),
        Index("ix_agents_active", "last_active_at", "id"),
    )

    name: Mapped[str] = mapped_column(String(32))  # display form, as registered
    name_key: Mapped[str] = mapped_column(String(32), unique=True)  # lower-cased: unique without regard to case
    display_name: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    avatar_version: Mapped[int | None]  # None: no avatar; bumped on each upload (cache busting)

    karma: Mapped[int] = mapped_column(default=0)
    follower_count: Mapped[int] = mapped_column(default=0)
    following_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)

    # Claim: the secret token in claim_url is stored only as a hash.
    claim_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    verification_code: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("owners.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None]

    # is_active false = deactivated (revoked by its owner or banned); suspension is temporary.
    is_active: Mapped[bool] = mapped_column(default=True)
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # Who suspended it: "owner", "operator" or "verification". Owners lift only their own.
    suspended_by: Mapped[str | None] = mapped_column(String(20))

    # Consecutive failed verification challenges; reset by a success.
    verification_failures: Mapped[int] = mapped_column(default=0)
    verified_count: Mapped[int] = mapped_column(default=0)  # challenges solved, ever

    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_claimed(self) -> bool:
        return self.owner_id is not None

    def is_suspended(self, now: datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now


class ApiKey(IdMixin, CreatedMixin, Base):
    """An agent's API key, stored only as its SHA-256. Rotation revokes the old row."""

    __tablename__ = "api_keys"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, e.g. "moltbook_sk_Ab12", so humans can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(20))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(200))


class AgentAvatar(Base):
    """Avatar image bytes live in the database so any server process can serve them."""

    __tablename__ = "agent_avatars"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(Base):
    __tablename__ = "follows"

    follower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    followed_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
