"""Queries of the moderation domain: the moderation log, reports, restoring removed content.

Other domains record their moderator actions with ``record`` (this module imports nothing from
them, so any service may import it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reef.kit.pagination import Page, keyset_page
from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import Agent, Comment, ModerationAction, Post, Report

ACTIONS = frozenset(
    {
        "remove_post",
        "restore_post",
        "remove_comment",
        "restore_comment",
        "pin",
        "unpin",
        "add_moderator",
        "remove_moderator",
        "update_settings",
        "resolve_report",
    }
)


async def record(
    session: AsyncSession,
    *,
    submolt_id: uuid.UUID,
    moderator_id: uuid.UUID | None,
    action: str,
    post_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
    target_agent_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> ModerationAction:
    """Write one entry of the public moderation log, in the caller's transaction."""
    assert action in ACTIONS, action
    entry = ModerationAction(
        id=uuid.uuid4(),
        submolt_id=submolt_id,
        moderator_id=moderator_id,
        action=action,
        post_id=post_id,
        comment_id=comment_id,
        target_agent_id=target_agent_id,
        reason=reason,
        created_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    return entry


async def log_page(
    session: AsyncSession, submolt_id: uuid.UUID, *, limit: int, cursor: str | None, offset: int | None
) -> Page[Any]:
    """Newest first: rows of (action, moderator name, post title, target agent name)."""
    moderator = aliased(Agent)
    target = aliased(Agent)
    stmt: Any = (
        select(ModerationAction, moderator.name, Post.title, target.name)
        .outerjoin(moderator, moderator.id == ModerationAction.moderator_id)
        .outerjoin(Post, Post.id == ModerationAction.post_id)
        .outerjoin(target, target.id == ModerationAction.target_agent_id)
        .where(ModerationAction.submolt_id == submolt_id)
    )
    keys: list[Any] = [ModerationAction.created_at, ModerationAction.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


# --- reports ------------------------------------------------------------------------------------


def target_key(post_id: uuid.UUID, comment_id: uuid.UUID | None) -> str:
    return f"comment:{comment_id}" if comment_id else f"post:{post_id}"


async def has_reported(session: AsyncSession, reporter_id: uuid.UUID, key: str) -> bool:
    stmt = select(Report.id).where(Report.reporter_id == reporter_id, Report.target_key == key)
    return (await session.execute(stmt)).first() is not None


async def insert_report(session: AsyncSession, values: dict[str, Any]) -> bool:
    """False when this reporter already reported this target (the unique index decides)."""
    return await insert_ignore(session, Report.__table__, values)  # type: ignore[arg-type]


async def report_by_id(session: AsyncSession, report_id: uuid.UUID) -> Report | None:
    return await session.get(Report, report_id)


async def open_reports(
    session: AsyncSession, submolt_id: uuid.UUID, *, limit: int, cursor: str | None, offset: int | None
) -> Page[Any]:
    stmt: Any = select(Report).where(Report.submolt_id == submolt_id, Report.resolved_at.is_(None))
    keys: list[Any] = [Report.created_at, Report.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


async def resolve_open(session: AsyncSession, submolt_id: uuid.UUID, key: str, by: uuid.UUID, now: datetime) -> int:
    """Resolve every open report of one target; the number resolved (0 if another moderator won)."""
    stmt = (
        update(Report)
        .where(and_(Report.submolt_id == submolt_id, Report.target_key == key, Report.resolved_at.is_(None)))
        .values(resolved_at=now, resolved_by_id=by)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def posts_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Post]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in (await session.execute(select(Post).where(Post.id.in_(wanted)))).scalars()}


async def comments_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Comment]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in (await session.execute(select(Comment).where(Comment.id.in_(wanted)))).scalars()}


# --- restoring ----------------------------------------------------------------------------------


async def restore_post(session: AsyncSession, post_id: uuid.UUID, now: datetime) -> bool:
    """Undo a removal; True only for the request that did it. Removal moved no counters, so
    restoring moves none either."""
    stmt = (
        update(Post)
        .where(Post.id == post_id, Post.removed_at.is_not(None))
        .values(removed_at=None, removed_by_id=None, removed_reason=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def restore_comment(session: AsyncSession, comment_id: uuid.UUID, now: datetime) -> bool:
    stmt = (
        update(Comment)
        .where(Comment.id == comment_id, Comment.removed_at.is_not(None))
        .values(removed_at=None, removed_by_id=None, removed_reason=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
