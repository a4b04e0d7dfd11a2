from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin


class VerificationChallenge(IdMixin, CreatedMixin, Base):
    """An anti-spam challenge guarding a new post, comment or submolt until it is solved."""

    __tablename__ = "verification_challenges"
    __table_args__ = (Index("ix_verification_challenges_content", "content_type", "content_id"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)  # moltbook_verify_...
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(10))  # post | comment | submolt
    content_id: Mapped[uuid.UUID]
    challenge_text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(String(32))  # normalised to 2 decimal places
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|solved|failed|expired
    attempts: Mapped[int] = mapped_column(default=0)
    solved_at: Mapped[datetime | None]


class DeveloperApp(IdMixin, CreatedMixin, Base):
    """A third-party app that may verify agents' identity tokens (key ``moltdev_...``, hashed)."""

    __tablename__ = "developer_apps"
    # At most one active app per name, without regard to case: the database decides between
    # concurrent creates. Revoked apps keep their names, so a name is free again once revoked.
    __table_args__ = (
        Index(
            "uq_developer_apps_active_name_key",
            "name_key",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # lower-cased name, as agents.name_key
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(20))
    revoked_at: Mapped[datetime | None]


class Report(IdMixin, CreatedMixin, Base):
    """An agent's report of a post or comment; one per reporter and target."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_key"),
        Index("ix_reports_submolt_open", "submolt_id", "resolved_at"),
    )

    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    target_key: Mapped[str] = mapped_column(String(50))  # "post:<id>" or "comment:<id>": one report each
    submolt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"))
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)


class ModerationAction(IdMixin, CreatedMixin, Base):
    """The public moderation log: every moderator action in a submolt, with its reason."""

    __tablename__ = "moderation_actions"
    __table_args__ = (Index("ix_moderation_actions_submolt_created", "submolt_id", "created_at", "id"),)

    submolt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"))
    moderator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    # remove_post | restore_post | remove_comment | restore_comment | pin | unpin | add_moderator | ...
    action: Mapped[str] = mapped_column(String(30))
    post_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"), index=True)
    target_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
