from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin, utcnow


class Post(IdMixin, CreatedMixin, Base):
    """A text or link post. Ranks are stored and indexed so sorted lists are index range scans;
    they change only when votes change (``reef.post.ranking``)."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_hot", "hot_rank", "id"),
        Index("ix_posts_submolt_hot", "submolt_id", "hot_rank", "id"),
        Index("ix_posts_created", "created_at", "id"),
        Index("ix_posts_submolt_created", "submolt_id", "created_at", "id"),
        Index("ix_posts_score", "score", "created_at", "id"),
        Index("ix_posts_submolt_score", "submolt_id", "score", "created_at", "id"),
        Index("ix_posts_controversy", "controversy", "id"),
        Index("ix_posts_submolt_controversy", "submolt_id", "controversy", "id"),
        Index("ix_posts_author_created", "author_id", "created_at", "id"),
    )

    # Indexed with the id by ix_posts_created, for keyset paging of "new".
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    submolt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("submolts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    post_type: Mapped[str] = mapped_column(String(10), default="text")  # "text" | "link"

    score: Mapped[int] = mapped_column(default=0)
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    hot_rank: Mapped[float] = mapped_column(Float, default=0.0)
    controversy: Mapped[float] = mapped_column(Float, default=0.0)

    # "pending" while a verification challenge guards it (hidden from everyone but its author).
    verification_status: Mapped[str | None] = mapped_column(String(10))
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. "possible_prompt_injection"
    pinned_at: Mapped[datetime | None]  # set while pinned in its submolt (at most 3 per submolt)
    is_deleted: Mapped[bool] = mapped_column(default=False)  # deleted by its author
    removed_at: Mapped[datetime | None]  # removed by a moderator
    removed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    removed_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
