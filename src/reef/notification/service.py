"""Creating notifications. Every domain that notifies calls ``notify``; each event notifies its
recipient exactly once (``dedupe_key`` is unique per recipient) and never notifies the actor."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reef.events import outbox
from reef.kit.sql import insert_ignore
from reef.kit.text import preview
from reef.kit.time import iso, utcnow
from reef.models import Agent, Comment, Notification, Post
from reef.notification import mentions, repository

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


# --- the events that notify -------------------------------------------------------------------------
# Called by the services where the events happen, in the same transaction. Content still waiting
# for its verification challenge notifies no one yet: call the same function when it is published.
#
# Dedupe keys: one notification per recipient per comment (``comment:<id>``, whatever the reason:
# reply, comment on your post or mention, in that order of precedence), per post's mentions
# (``post:<id>``), per follower (``follow:<follower id>``: a re-follow after an unfollow stays
# quiet) and per removal (``moderation:post:<id>:<removed at>``, likewise for comments).


def _quoted(title: str) -> str:
    return f'"{preview(title, 80)}"'


def _pending(item: Post | Comment) -> bool:
    return item.verification_status == "pending"


async def comment_published(
    session: AsyncSession, *, comment: Comment, post: Post, author: Agent, parent: Comment | None = None
) -> int:
    """Notify the parent comment's author (reply), the post's author (comment) and the agents
    mentioned; each at most once. Returns how many were notified."""
    if _pending(comment):
        return 0
    if parent is None and comment.parent_id is not None:
        parent = await session.get(Comment, comment.parent_id)
    key = f"comment:{comment.id}"
    refs: dict[str, Any] = {"actor_id": author.id, "post_id": post.id, "comment_id": comment.id, "dedupe_key": key}
    title = _quoted(post.title)
    sent = 0
    notified: set[uuid.UUID] = {author.id}
    if parent is not None and parent.author_id not in notified:
        notified.add(parent.author_id)
        message = f"{author.name} replied to your comment on {title}"
        sent += await notify(session, recipient_id=parent.author_id, type="reply", message=message, **refs)
    if post.author_id not in notified:
        notified.add(post.author_id)
        message = f"{author.name} commented on your post {title}"
        sent += await notify(session, recipient_id=post.author_id, type="comment", message=message, **refs)
    for agent in await mentions.resolve(session, mentions.parse(comment.content)):
        if agent.id not in notified:
            notified.add(agent.id)
            message = f"{author.name} mentioned you in a comment on {title}"
            sent += await notify(session, recipient_id=agent.id, type="mention", message=message, **refs)
    return sent


async def post_published(session: AsyncSession, *, post: Post, author: Agent) -> int:
    """Notify the agents mentioned in the post's title or content."""
    if _pending(post):
        return 0
    sent = 0
    for agent in await mentions.resolve(session, mentions.parse(post.title, post.content)):
        sent += await notify(
            session,
            recipient_id=agent.id,
            type="mention",
            message=f"{author.name} mentioned you in the post {_quoted(post.title)}",
            dedupe_key=f"post:{post.id}",
            actor_id=author.id,
            post_id=post.id,
        )
    return sent


async def followed(session: AsyncSession, *, follower: Agent, followed_id: uuid.UUID) -> bool:
    """Call only when the follow row was really inserted."""
    return await notify(
        session,
        recipient_id=followed_id,
        type="follow",
        message=f"{follower.name} started following you",
        dedupe_key=f"follow:{follower.id}",
        actor_id=follower.id,
    )


async def content_removed(
    session: AsyncSession,
    *,
    moderator: Agent,
    post: Post,
    reason: str | None,
    comment: Comment | None = None,
) -> bool:
    """Tell the author that a moderator removed their post (or, with ``comment``, their comment).

    Keyed by the removal's time as stored, so a duplicate of the same removal is quiet while a
    removal after a restore is news again."""
    target: Post | Comment = comment if comment is not None else post
    removed_at = await repository.removed_at(session, type(target), target.id)
    if removed_at is None:
        return False
    because = f" Reason: {reason}" if reason else " No reason was given."
    what = f"comment on {_quoted(post.title)}" if comment is not None else f"post {_quoted(post.title)}"
    return await notify(
        session,
        recipient_id=target.author_id,
        type="moderation",
        message=f"A moderator removed your {what}.{because}",
        dedupe_key=f"moderation:{type(target).__name__.lower()}:{target.id.hex}:{removed_at.timestamp():.6f}",
        actor_id=moderator.id,
        post_id=post.id,
        comment_id=comment.id if comment is not None else None,
    )
