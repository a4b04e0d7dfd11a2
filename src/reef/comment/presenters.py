"""Turn comment rows into the response shapes, in one place."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reef.agent.presenters import agent_ref
from reef.comment.schemas import CommentPostRef, CommentRead
from reef.config import Settings
from reef.models import Agent, Comment

DELETED_TEXT = "[deleted]"
REMOVED_TEXT = "[removed]"


def comment_read(
    comment: Comment,
    author: Agent | None,
    settings: Settings,
    *,
    your_vote: int | None = None,
    post_title: str | None = None,
) -> CommentRead:
    """One comment without its replies. A deleted or removed comment keeps its place and
    counters but loses its text and author."""
    removed = comment.removed_at is not None
    gone = removed or comment.is_deleted
    if removed:
        content = REMOVED_TEXT
    elif comment.is_deleted:
        content = DELETED_TEXT
    else:
        content = comment.content
    return CommentRead(
        id=comment.id,
        post_id=comment.post_id,
        parent_id=comment.parent_id,
        content=content,
        upvotes=comment.upvotes,
        downvotes=comment.downvotes,
        score=comment.score,
        depth=comment.depth,
        reply_count=comment.reply_count,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        is_deleted=gone,
        is_removed=removed,
        flags=[] if gone else list(comment.flags or []),
        author=None if gone or author is None else agent_ref(author, settings),
        your_vote=your_vote if your_vote in (1, -1) else None,  # type: ignore[arg-type]
        post=CommentPostRef(id=comment.post_id, title=post_title) if post_title is not None else None,
        verification_status=comment.verification_status,
    )


def build_tree(
    roots: Iterable[Comment],
    replies: Iterable[Comment],
    *,
    order: Callable[[Comment], Any],
    authors: Mapping[uuid.UUID, Agent],
    votes: Mapping[uuid.UUID, int],
    settings: Settings,
) -> list[CommentRead]:
    """Nest ``replies`` under ``roots`` (roots keep their given order; each level of replies is
    sorted by ``order``). A reply whose parent is missing cannot happen with foreign keys; it
    would be dropped rather than shown out of place."""
    children: dict[uuid.UUID, list[Comment]] = {}
    for reply in replies:
        if reply.parent_id is not None:
            children.setdefault(reply.parent_id, []).append(reply)

    def read(comment: Comment) -> CommentRead:
        node = comment_read(comment, authors.get(comment.author_id), settings, your_vote=votes.get(comment.id))
        node.replies = [read(child) for child in sorted(children.get(comment.id, ()), key=order)]
        return node

    return [read(root) for root in roots]
