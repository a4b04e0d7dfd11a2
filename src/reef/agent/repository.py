"""Queries about agents. The only place in the agent domain that builds SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef import readcache
from reef.kit.pagination import Page, cursor_fits, decode_cursor, invalid_cursor, keyset_page
from reef.kit.sql import utc_date
from reef.models import Agent, ApiKey, Comment, Owner, Post, Subscription
from reef.verification.repository import published


async def by_name(session: AsyncSession, name: str) -> Agent | None:
    stmt = select(Agent).where(Agent.name_key == name.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_id(session: AsyncSession, agent_id: uuid.UUID) -> Agent | None:
    return await session.get(Agent, agent_id)


async def by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Agent]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = (await session.execute(select(Agent).where(Agent.id.in_(wanted)))).scalars()
    return {a.id: a for a in rows}


async def owner_of(session: AsyncSession, agent: Agent) -> Owner | None:
    return await session.get(Owner, agent.owner_id) if agent.owner_id else None


_SUBSCRIPTION_COUNT = (
    select(func.count()).select_from(Subscription).where(Subscription.agent_id == bindparam("agent_id"))
).scalar_subquery()
_OWNER_AND_SUBSCRIPTIONS = select(Owner, _SUBSCRIPTION_COUNT).where(Owner.id == bindparam("owner_id"))
_SUBSCRIPTIONS = select(_SUBSCRIPTION_COUNT)


async def owner_and_subscription_count(session: AsyncSession, agent: Agent) -> tuple[Owner | None, int]:
    """What ``/agents/me`` adds to the agent, in one statement built once."""
    params = {"agent_id": agent.id, "owner_id": agent.owner_id}
    if agent.owner_id is not None:
        row = (await session.execute(_OWNER_AND_SUBSCRIPTIONS, params)).first()
        if row is not None:
            return row[0], int(row[1])
    return None, int((await session.execute(_SUBSCRIPTIONS, params)).scalar_one())


async def revoke_keys(session: AsyncSession, agent_id: uuid.UUID, reason: str, now: object) -> int:
    stmt = (
        update(ApiKey)
        .where(ApiKey.agent_id == agent_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    readcache.touch(session, readcache.keys_tag(agent_id))  # hot reads must forget the keys at once
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def by_claim_token_hash(session: AsyncSession, token_hash: str) -> Agent | None:
    stmt = select(Agent).where(Agent.claim_token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def count_owned(session: AsyncSession, owner_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Agent).where(Agent.owner_id == owner_id)
    return int((await session.execute(stmt)).scalar_one())


async def activity_by_day(session: AsyncSession, agent_id: uuid.UUID, since: datetime) -> dict[date, tuple[int, int]]:
    """(posts, comments) the agent wrote per UTC day since ``since``, counting what readers can
    still see (published, neither deleted nor removed). One query: both tables are read through
    their (author_id, created_at) indexes and grouped together; days without activity are absent."""
    posts = select(utc_date(Post.created_at).label("day"), literal(1).label("is_post")).where(
        Post.author_id == agent_id,
        Post.created_at >= since,
        Post.is_deleted.is_(False),
        Post.removed_at.is_(None),
        published(Post.verification_status),
    )
    comments = select(utc_date(Comment.created_at).label("day"), literal(0).label("is_post")).where(
        Comment.author_id == agent_id,
        Comment.created_at >= since,
        Comment.is_deleted.is_(False),
        Comment.removed_at.is_(None),
        published(Comment.verification_status),
    )
    rows = union_all(posts, comments).subquery()
    stmt = (
        select(rows.c.day, func.sum(rows.c.is_post), func.count() - func.sum(rows.c.is_post))
        .group_by(rows.c.day)
        .order_by(rows.c.day)
    )
    result = await session.execute(stmt)
    return {_as_date(day): (int(n_posts), int(n_comments)) for day, n_posts, n_comments in result.all()}


def _as_date(value: date | str) -> date:
    # Through a UNION, SQLite hands back date() as text even though the column is typed Date.
    return value if isinstance(value, date) else date.fromisoformat(value)


# The public directory of agents (/agents): each sort's keyset, highest first, ending in the id.
DIRECTORY_SORTS: dict[str, tuple[Any, ...]] = {
    "karma": (Agent.karma, Agent.created_at, Agent.id),
    "new": (Agent.created_at, Agent.id),
    "active": (Agent.last_active_at, Agent.id),
}


async def directory_page(session: AsyncSession, sort: str, *, limit: int, cursor: str | None) -> Page[Agent]:
    """A page of agents that are not deactivated, in ``sort`` order. A cursor whose values do not
    fit the sort is a 400, never a database error."""
    keys = DIRECTORY_SORTS[sort]
    if cursor:
        values, _ = decode_cursor(cursor, len(keys))
        kinds = [int if key is Agent.karma else uuid.UUID if key is Agent.id else datetime for key in keys]
        if not cursor_fits(values, kinds):
            raise invalid_cursor()
    stmt = select(Agent).where(Agent.is_active.is_(True))
    page = await keyset_page(session, stmt, list(keys), limit=limit, cursor=cursor)
    return Page(items=[row[0] for row in page.items], has_more=page.has_more, next_cursor=page.next_cursor)
