from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin, utcnow


class Comment(IdMixin, CreatedMixin, Base):
    """A comment in a thread. The tree is a materialised path (``path`` is the ids from the root
    down, joined by '/') plus ``depth``; ``root_id`` lets one page of root comments fetch all
    their descendants with one indexed query."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_root", "post_id", "root_id"),
        Index("ix_comments_post_depth_created", "post_id", "depth", "created_at", "id"),
        Index("ix_comments_author_created", "author_id", "created_at", "id"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    root_id: Mapped[uuid.UUID] = mapped_column(index=True)  # own id for a root comment
    path: Mapped[str] = mapped_column(String(400))
    depth: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(Text)

    score: Mapped[int] = mapped_column(default=0)
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    best_rank: Mapped[float] = mapped_column(Float, default=0.0)  # Wilson lower bound
    controversy: Mapped[float] = mapped_column(Float, default=0.0)
    reply_count: Mapped[int] = mapped_column(default=0)

    verification_status: Mapped[str | None] = mapped_column(String(10))  # "pending" until solved
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    removed_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
