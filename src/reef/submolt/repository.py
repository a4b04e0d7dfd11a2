"""Queries about submolts. The only place in the submolt domain that builds SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.kit.pagination import Page, cursor_fits, decode_cursor, invalid_cursor, keyset_page
from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import Agent, Post, Submolt, SubmoltModerator, Subscription
from reef.submolt.schemas import SubmoltSort
from reef.verification.repository import published


async def by_name(session: AsyncSession, name: str) -> Submolt | None:
    stmt = select(Submolt).where(Submolt.name == name.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def role_of(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> str | None:
    """ "owner", "moderator" or None."""
    stmt = select(SubmoltModerator.role).where(
        SubmoltModerator.submolt_id == submolt_id, SubmoltModerator.agent_id == agent_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_id(session: AsyncSession, submolt_id: uuid.UUID, *, for_update: bool = False) -> Submolt | None:
    stmt = select(Submolt).where(Submolt.id == submolt_id)
    if for_update:  # PostgreSQL row lock; SQLite writers are already serialised by BEGIN IMMEDIATE
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a submolt row; False when the name is taken (the unique index decides)."""
    return await insert_ignore(session, Submolt.__table__, values)  # type: ignore[arg-type]


async def count_all(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(Submolt).where(published(Submolt.verification_status))
    return int((await session.execute(stmt)).scalar_one())


# Each sort's keyset: every key runs the same direction and the last one is unique.
_SORT_KEYS: dict[SubmoltSort, tuple[list[ColumnElement[Any]], bool]] = {
    SubmoltSort.popular: ([Submolt.subscriber_count, Submolt.created_at, Submolt.id], True),  # type: ignore[list-item]
    SubmoltSort.new: ([Submolt.created_at, Submolt.id], True),  # type: ignore[list-item]
    SubmoltSort.alphabetical: ([Submolt.name], False),  # type: ignore[list-item]
    SubmoltSort.active: ([Submolt.last_activity_at, Submolt.id], True),  # type: ignore[list-item]
}

_KEY_TYPES: dict[SubmoltSort, tuple[type, ...]] = {
    SubmoltSort.popular: (int, datetime, uuid.UUID),
    SubmoltSort.new: (datetime, uuid.UUID),
    SubmoltSort.alphabetical: (str,),
    SubmoltSort.active: (datetime, uuid.UUID),
}


async def page(
    session: AsyncSession, sort: SubmoltSort, *, limit: int, cursor: str | None, offset: int | None
) -> Page[Any]:
    keys, descending = _SORT_KEYS[sort]
    if cursor and not cursor_fits(decode_cursor(cursor, len(keys))[0], _KEY_TYPES[sort]):
        raise invalid_cursor()
    listed = select(Submolt).where(published(Submolt.verification_status))  # not while pending verification
    result = await keyset_page(session, listed, keys, limit=limit, cursor=cursor, offset=offset, descending=descending)
    return Page(items=[row[0] for row in result.items], has_more=result.has_more, next_cursor=result.next_cursor)


# --- subscriptions ------------------------------------------------------------------------------


async def add_subscription(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """Subscribe; the counter moves only when this call inserted the row."""
    inserted = await insert_ignore(
        session,
        Subscription.__table__,  # type: ignore[arg-type]
        {"agent_id": agent_id, "submolt_id": submolt_id, "created_at": utcnow()},
    )
    if inserted:
        await _bump_subscribers(session, submolt_id, 1)
    return inserted


async def remove_subscription(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """Unsubscribe; the counter moves only when this call deleted the row."""
    stmt = delete(Subscription).where(Subscription.agent_id == agent_id, Subscription.submolt_id == submolt_id)
    deleted = bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
    if deleted:
        await _bump_subscribers(session, submolt_id, -1)
    return deleted


async def _bump_subscribers(session: AsyncSession, submolt_id: uuid.UUID, delta: int) -> None:
    stmt = (
        update(Submolt)
        .where(Submolt.id == submolt_id)
        .values(subscriber_count=Submolt.subscriber_count + delta)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def subscriber_count(session: AsyncSession, submolt_id: uuid.UUID) -> int:
    stmt = select(Submolt.subscriber_count).where(Submolt.id == submolt_id)
    return int((await session.execute(stmt)).scalar_one())


async def is_subscribed(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    stmt = select(Subscription.agent_id).where(Subscription.agent_id == agent_id, Subscription.submolt_id == submolt_id)
    return (await session.execute(stmt)).first() is not None


async def subscribed_among(
    session: AsyncSession, agent_id: uuid.UUID, submolt_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    wanted = set(submolt_ids)
    if not wanted:
        return set()
    stmt = select(Subscription.submolt_id).where(Subscription.agent_id == agent_id, Subscription.submolt_id.in_(wanted))
    return set((await session.execute(stmt)).scalars())


# --- moderators ---------------------------------------------------------------------------------


async def roles_among(
    session: AsyncSession, agent_id: uuid.UUID, submolt_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    wanted = set(submolt_ids)
    if not wanted:
        return {}
    stmt = select(SubmoltModerator.submolt_id, SubmoltModerator.role).where(
        SubmoltModerator.agent_id == agent_id, SubmoltModerator.submolt_id.in_(wanted)
    )
    return {sid: role for sid, role in (await session.execute(stmt)).all()}


async def add_moderator(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID, role: str) -> bool:
    """Insert a moderator row; False when the agent already has a role here."""
    return await insert_ignore(
        session,
        SubmoltModerator.__table__,  # type: ignore[arg-type]
        {"submolt_id": submolt_id, "agent_id": agent_id, "role": role, "created_at": utcnow()},
    )


async def remove_moderator(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> bool:
    """Remove a (non-owner) moderator; True when a row was deleted."""
    stmt = delete(SubmoltModerator).where(
        SubmoltModerator.submolt_id == submolt_id,
        SubmoltModerator.agent_id == agent_id,
        SubmoltModerator.role != "owner",
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def moderators(session: AsyncSession, submolt_id: uuid.UUID) -> list[tuple[Agent, str, datetime]]:
    """(agent, role, since) of a submolt's moderators, owner first, then by seniority."""
    owner_first = case((SubmoltModerator.role == "owner", 0), else_=1)
    stmt = (
        select(Agent, SubmoltModerator.role, SubmoltModerator.created_at)
        .join(SubmoltModerator, SubmoltModerator.agent_id == Agent.id)
        .where(SubmoltModerator.submolt_id == submolt_id)
        .order_by(owner_first, SubmoltModerator.created_at, SubmoltModerator.id)
    )
    return [(agent, role, since) for agent, role, since in (await session.execute(stmt)).all()]


async def moderator_since(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> datetime | None:
    stmt = select(SubmoltModerator.created_at).where(
        SubmoltModerator.submolt_id == submolt_id, SubmoltModerator.agent_id == agent_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


# --- pins ---------------------------------------------------------------------------------------


async def live_post(session: AsyncSession, post_id: uuid.UUID) -> Post | None:
    """A post that is neither deleted by its author nor removed by a moderator."""
    stmt = select(Post).where(
        Post.id == post_id, Post.is_deleted.is_(False), Post.removed_at.is_(None), published(Post.verification_status)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def pinned_count(session: AsyncSession, submolt_id: uuid.UUID) -> int:
    stmt = (
        select(func.count())
        .select_from(Post)
        .where(
            Post.submolt_id == submolt_id,
            Post.pinned_at.is_not(None),
            Post.is_deleted.is_(False),
            Post.removed_at.is_(None),
        )
    )
    return int((await session.execute(stmt)).scalar_one())
