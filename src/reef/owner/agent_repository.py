"""Queries behind the owner dashboard: an owner's agent by name, its live keys, its recent
activity, and the owner's alerts. Every query is scoped to the owner, so another owner's agent or
alert simply is not found."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, ApiKey, Comment, OwnerAlert, Post, Submolt


async def owned_agent_by_name(session: AsyncSession, owner_id: uuid.UUID, name: str, *, lock: bool) -> Agent | None:
    """The owner's agent called ``name`` (any case). ``lock`` takes its row lock, so two actions
    on one agent (two rotations, say) run one after the other and leave one live key."""
    stmt = select(Agent).where(Agent.name_key == name.lower(), Agent.owner_id == owner_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def live_keys(session: AsyncSession, agent_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ApiKey]]:
    """Unrevoked keys of several agents in one query, oldest first."""
    wanted = set(agent_ids)
    if not wanted:
        return {}
    stmt = (
        select(ApiKey)
        .where(ApiKey.agent_id.in_(wanted), ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    keys: dict[uuid.UUID, list[ApiKey]] = defaultdict(list)
    for key in (await session.execute(stmt)).scalars():
        keys[key.agent_id].append(key)
    return keys


@dataclass(frozen=True)
class PostRow:
    post: Post
    submolt_name: str


@dataclass(frozen=True)
class CommentRow:
    comment: Comment
    post_title: str


async def recent_posts(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[PostRow]:
    """The agent's latest posts, newest first, with their submolt names (one query, on the
    author index). Posts the agent deleted are left out."""
    stmt = (
        select(Post, Submolt.name)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Post.author_id == agent_id, Post.is_deleted.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [PostRow(post, name) for post, name in (await session.execute(stmt)).all()]


async def recent_comments(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[CommentRow]:
    """The agent's latest comments, newest first, with their posts' titles (one query)."""
    stmt = (
        select(Comment, Post.title)
        .join(Post, Post.id == Comment.post_id)
        .where(Comment.author_id == agent_id, Comment.is_deleted.is_(False))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return [CommentRow(comment, title) for comment, title in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class AlertRow:
    alert: OwnerAlert
    agent_name: str | None


async def unread_alerts(session: AsyncSession, owner_id: uuid.UUID, limit: int) -> list[AlertRow]:
    """The owner's unread alerts, newest first, with the names of the agents they concern."""
    stmt = (
        select(OwnerAlert, Agent.name)
        .outerjoin(Agent, Agent.id == OwnerAlert.agent_id)
        .where(OwnerAlert.owner_id == owner_id, OwnerAlert.read_at.is_(None))
        .order_by(OwnerAlert.created_at.desc(), OwnerAlert.id.desc())
        .limit(limit)
    )
    return [AlertRow(alert, name) for alert, name in (await session.execute(stmt)).all()]


async def count_unread_alerts(session: AsyncSession, owner_id: uuid.UUID) -> int:
    stmt = (
        select(func.count())
        .select_from(OwnerAlert)
        .where(OwnerAlert.owner_id == owner_id, OwnerAlert.read_at.is_(None))
    )
    return int((await session.execute(stmt)).scalar_one())


async def mark_alert_read(session: AsyncSession, owner_id: uuid.UUID, alert_id: uuid.UUID, now: datetime) -> bool:
    """Mark one of the owner's alerts read (an alert read before keeps its time). False when the
    owner has no such alert."""
    stmt = (
        update(OwnerAlert)
        .where(OwnerAlert.id == alert_id, OwnerAlert.owner_id == owner_id, OwnerAlert.read_at.is_(None))
        .values(read_at=now)
    )
    if (await session.execute(stmt)).rowcount:  # type: ignore[attr-defined]
        return True
    exists = select(OwnerAlert.id).where(OwnerAlert.id == alert_id, OwnerAlert.owner_id == owner_id)
    return (await session.execute(exists)).first() is not None


async def mark_all_alerts_read(session: AsyncSession, owner_id: uuid.UUID, now: datetime) -> int:
    stmt = update(OwnerAlert).where(OwnerAlert.owner_id == owner_id, OwnerAlert.read_at.is_(None)).values(read_at=now)
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
