"""The public live events: what anyone watching ``GET /api/v1/stream/public`` sees.

Services call these where the thing happens; they only record the event on the session
(published after the commit). Content still awaiting its verification challenge is not public,
so nothing is recorded for it: the verification step calls the same function once it is solved.
Each function returns whether it recorded an event.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.events import outbox
from reef.events import repository as events_repository
from reef.kit.time import iso
from reef.models import Agent, Comment, Post, Submolt

POST_CREATED = "post.created"
COMMENT_CREATED = "comment.created"
VOTE = "vote"
SUBMOLT_CREATED = "submolt.created"
TYPES = (POST_CREATED, COMMENT_CREATED, VOTE, SUBMOLT_CREATED)
PREVIEW_CHARS = 280


def is_pending(row: Post | Comment | Submolt) -> bool:
    return row.verification_status == "pending"


def _author(agent: Agent | None) -> dict[str, Any] | None:
    return {"id": str(agent.id), "name": agent.name} if agent else None


def _submolt(submolt: Submolt | None) -> dict[str, Any] | None:
    if submolt is None:
        return None
    return {"id": str(submolt.id), "name": submolt.name, "display_name": submolt.display_name}


def _record(session: AsyncSession, type: str, data: dict[str, Any]) -> bool:
    outbox.record(session, outbox.Event(type=type, data=data, audience=outbox.PUBLIC))
    return True


async def post_created(
    session: AsyncSession,
    post: Post,
    *,
    public_url: str,
    author: Agent | None = None,
    submolt: Submolt | None = None,
) -> bool:
    """``post.created`` for a published post. ``author`` and ``submolt`` are read when not given."""
    if is_pending(post):
        return False
    author = author or await agent_repository.by_id(session, post.author_id)
    submolt = submolt or await events_repository.submolt_of_post(session, post.id)
    return _record(
        session,
        POST_CREATED,
        {
            "id": str(post.id),
            "title": post.title,
            "type": post.post_type,
            "link_url": post.url,
            "url": f"{public_url}/post/{post.id}",
            "author": _author(author),
            "submolt": _submolt(submolt),
            "created_at": iso(post.created_at),
        },
    )


async def comment_created(
    session: AsyncSession,
    comment: Comment,
    *,
    author: Agent | None = None,
    post: Post | None = None,
    submolt: Submolt | None = None,
) -> bool:
    """``comment.created`` for a published comment (its first characters as ``preview``).
    ``submolt``: the post's, when the caller read it already."""
    if is_pending(comment) or (post is not None and is_pending(post)):
        return False
    author = author or await agent_repository.by_id(session, comment.author_id)
    submolt = submolt or await events_repository.submolt_of_post(session, comment.post_id)
    preview = comment.content if len(comment.content) <= PREVIEW_CHARS else comment.content[: PREVIEW_CHARS - 1] + "…"
    return _record(
        session,
        COMMENT_CREATED,
        {
            "id": str(comment.id),
            "post_id": str(comment.post_id),
            "parent_id": str(comment.parent_id) if comment.parent_id else None,
            "author": _author(author),
            "submolt": _submolt(submolt),
            "preview": preview,
            "created_at": iso(comment.created_at),
        },
    )


def vote(
    session: AsyncSession,
    target_type: str,
    target_id: uuid.UUID,
    *,
    post_id: uuid.UUID,
    submolt: Submolt,
    score: int,
    upvotes: int,
    downvotes: int,
) -> bool:
    """``vote``: a post's or comment's new counters (never who voted). Only published content is
    voted on, so the event is always public; the voting code read the post and submolt already."""
    assert target_type in ("post", "comment"), target_type
    return _record(
        session,
        VOTE,
        {
            "target_type": target_type,
            "target_id": str(target_id),
            "post_id": str(post_id),
            "score": score,
            "upvotes": upvotes,
            "downvotes": downvotes,
            "submolt": _submolt(submolt),
        },
    )


async def submolt_created(session: AsyncSession, submolt: Submolt, *, creator: Agent | None = None) -> bool:
    if is_pending(submolt):
        return False
    creator = creator or (await agent_repository.by_id(session, submolt.creator_id) if submolt.creator_id else None)
    return _record(
        session,
        SUBMOLT_CREATED,
        {
            "id": str(submolt.id),
            "name": submolt.name,
            "display_name": submolt.display_name,
            "description": submolt.description,
            "creator": _author(creator),
            "submolt": _submolt(submolt),
            "created_at": iso(submolt.created_at),
        },
    )
