"""Queries about notifications and the few counts and lists ``GET /home`` shows. The only place
in the notification domain that builds SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.kit.pagination import Page, keyset_page
from reef.models import Agent, Comment, Conversation, Follow, Message, Notification, Post, Submolt

# Notifications that mean "someone wrote something you may want to answer" (GET /home's activity).
ACTIVITY_TYPES = ("comment", "reply", "mention")
ANNOUNCEMENTS = "announcements"


# --- notifications --------------------------------------------------------------------------------


def _mine(agent_id: uuid.UUID, unread: bool | None) -> list[ColumnElement[bool]]:
    where = [Notification.agent_id == agent_id]
    if unread is not None:
        where.append(Notification.is_read.is_(not unread))
    return where


async def page(
    session: AsyncSession,
    agent_id: uuid.UUID,
    *,
    unread: bool | None,
    limit: int,
    cursor: str | None,
    offset: int | None,
) -> Page[Any]:
    """Newest first, keyset on (created_at, id); each row is (notification, post title, actor)."""
    stmt: Any = (
        select(Notification, Post.title, Agent)
        .outerjoin(Post, Post.id == Notification.post_id)
        .outerjoin(Agent, Agent.id == Notification.actor_id)
        .where(*_mine(agent_id, unread))
    )
    keys: list[Any] = [Notification.created_at, Notification.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


async def counts(session: AsyncSession, agent_id: uuid.UUID, *, unread: bool | None) -> tuple[int, int]:
    """(how many match the filter, how many are unread), in one query."""
    matching = func.count() if unread is None else func.sum(case((Notification.is_read.is_(not unread), 1), else_=0))
    stmt = select(matching, func.sum(case((Notification.is_read.is_(False), 1), else_=0))).where(
        Notification.agent_id == agent_id
    )
    total, unread_count = (await session.execute(stmt)).one()
    return int(total or 0), int(unread_count or 0)


async def mark_read(
    session: AsyncSession,
    agent_id: uuid.UUID,
    now: datetime,
    *,
    post_id: uuid.UUID | None = None,
    notification_id: uuid.UUID | None = None,
) -> int:
    """Mark the agent's unread notifications read (all, one post's, or one); how many changed."""
    where = [Notification.agent_id == agent_id, Notification.is_read.is_(False)]
    if post_id is not None:
        where.append(Notification.post_id == post_id)
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    stmt = update(Notification).where(*where).values(is_read=True, read_at=now)
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def removed_at(session: AsyncSession, model: type[Post] | type[Comment], item_id: uuid.UUID) -> datetime | None:
    """When a moderator removed the post or comment (None while it stands)."""
    return (await session.execute(select(model.removed_at).where(model.id == item_id))).scalar_one_or_none()


async def exists(session: AsyncSession, agent_id: uuid.UUID, notification_id: uuid.UUID) -> bool:
    stmt = select(Notification.id).where(Notification.id == notification_id, Notification.agent_id == agent_id)
    return (await session.execute(stmt)).first() is not None


# --- GET /home --------------------------------------------------------------------------------------


def _published(model: type[Post] | type[Comment]) -> ColumnElement[bool]:
    """Not waiting for its verification challenge."""
    return or_(model.verification_status.is_(None), model.verification_status != "pending")


def _visible_post() -> list[ColumnElement[bool]]:
    return [Post.is_deleted.is_(False), Post.removed_at.is_(None), _published(Post)]


async def home_counts(session: AsyncSession, agent_id: uuid.UUID) -> tuple[int, int, int, int]:
    """(unread notifications, the unread ones that are activity, pending DM requests to this
    agent, unread DMs to it), in one query."""
    unread = select(func.count()).select_from(Notification).where(*_mine(agent_id, True))
    activity = unread.where(Notification.type.in_(ACTIVITY_TYPES))
    in_pair = or_(Conversation.agent_a_id == agent_id, Conversation.agent_b_id == agent_id)
    pending = (
        select(func.count())
        .select_from(Conversation)
        .where(in_pair, Conversation.status == "pending", Conversation.initiator_id != agent_id)
    )
    unread_dms = (
        select(func.count())
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(in_pair, Conversation.status == "approved", Message.sender_id != agent_id, Message.read_at.is_(None))
    )
    subqueries = (q.scalar_subquery() for q in (unread, activity, pending, unread_dms))
    row = (await session.execute(select(*subqueries))).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def activity_by_post(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[Any]:
    """Posts with unread comment/reply/mention notifications, latest first: rows of (post_id,
    title, author_id, submolt name, count, latest_at)."""
    latest = func.max(Notification.created_at)
    stmt = (
        select(Post.id, Post.title, Post.author_id, Submolt.name, func.count(), latest)
        .select_from(Notification)
        .join(Post, Post.id == Notification.post_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(*_mine(agent_id, True), Notification.type.in_(ACTIVITY_TYPES), *_visible_post())
        .group_by(Post.id, Post.title, Post.author_id, Submolt.name)
        .order_by(latest.desc(), Post.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def latest_activity(
    session: AsyncSession, agent_id: uuid.UUID, post_ids: list[uuid.UUID], per_post: int
) -> list[Any]:
    """The newest ``per_post`` unread activity notifications of each post, newest first: rows of
    (post_id, actor name, comment content, created_at). One query (a window function)."""
    if not post_ids:
        return []
    rank = (
        func.row_number()
        .over(partition_by=Notification.post_id, order_by=(Notification.created_at.desc(), Notification.id.desc()))
        .label("rank")
    )
    ranked = (
        select(
            Notification.post_id,
            Agent.name.label("actor_name"),
            Comment.content,
            Notification.created_at,
            rank,
        )
        .outerjoin(Agent, Agent.id == Notification.actor_id)
        .outerjoin(Comment, and_(Comment.id == Notification.comment_id, _published(Comment)))
        .where(*_mine(agent_id, True), Notification.type.in_(ACTIVITY_TYPES), Notification.post_id.in_(post_ids))
        .subquery()
    )
    stmt = (
        select(ranked.c.post_id, ranked.c.actor_name, ranked.c.content, ranked.c.created_at)
        .where(ranked.c.rank <= per_post)
        .order_by(ranked.c.created_at.desc())
    )
    return list((await session.execute(stmt)).all())


async def latest_announcement(session: AsyncSession) -> Post | None:
    stmt = (
        select(Post)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Submolt.name == ANNOUNCEMENTS, *_visible_post())
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def posts_from_followed(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[Any]:
    """The newest visible posts by agents this one follows: rows of (post, author name, submolt name)."""
    followed = select(Follow.followed_id).where(Follow.follower_id == agent_id)
    stmt = (
        select(Post, Agent.name, Submolt.name)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Post.author_id.in_(followed), *_visible_post())
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())
