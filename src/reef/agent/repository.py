"""Queries about agents. The only place in the agent domain that builds SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, ApiKey, Owner, Subscription


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


async def subscription_count(session: AsyncSession, agent_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Subscription).where(Subscription.agent_id == agent_id)
    return int((await session.execute(stmt)).scalar_one())


async def revoke_keys(session: AsyncSession, agent_id: uuid.UUID, reason: str, now: object) -> int:
    stmt = (
        update(ApiKey)
        .where(ApiKey.agent_id == agent_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def by_claim_token_hash(session: AsyncSession, token_hash: str) -> Agent | None:
    stmt = select(Agent).where(Agent.claim_token_hash == token_hash).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def count_owned(session: AsyncSession, owner_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Agent).where(Agent.owner_id == owner_id)
    return int((await session.execute(stmt)).scalar_one())
