"""Queries about owner accounts and invites. The only place in the owner domain that builds SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.kit.sql import insert_ignore
from reef.models import Agent, Owner, OwnerInvite


async def by_id(session: AsyncSession, owner_id: uuid.UUID) -> Owner | None:
    return await session.get(Owner, owner_id)


async def by_email(session: AsyncSession, email: str) -> Owner | None:
    stmt = select(Owner).where(Owner.email == email)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_owner(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert an owner row; False when its email or handle is already taken (the database decides)."""
    return await insert_ignore(session, Owner.__table__, values)  # type: ignore[arg-type]


async def set_last_login(session: AsyncSession, owner_id: uuid.UUID, now: datetime) -> None:
    await session.execute(update(Owner).where(Owner.id == owner_id).values(last_login_at=now))


@dataclass(frozen=True)
class OwnerRow:
    owner: Owner
    agent_count: int


async def list_with_agent_counts(session: AsyncSession, limit: int) -> list[OwnerRow]:
    agent_count = (
        select(func.count()).select_from(Agent).where(Agent.owner_id == Owner.id).correlate(Owner).scalar_subquery()
    )
    stmt = select(Owner, agent_count).order_by(Owner.created_at.desc(), Owner.id).limit(limit)
    return [OwnerRow(owner, int(count)) for owner, count in (await session.execute(stmt)).all()]


async def invite_by_token_hash(session: AsyncSession, token_hash: str) -> OwnerInvite | None:
    stmt = select(OwnerInvite).where(OwnerInvite.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_invite_used(session: AsyncSession, invite_id: uuid.UUID, now: datetime) -> bool:
    """Spend an invite if it is still unused and unexpired. One UPDATE, so two sign-ups racing
    for the same invite cannot both succeed."""
    stmt = (
        update(OwnerInvite)
        .where(OwnerInvite.id == invite_id, OwnerInvite.used_at.is_(None), OwnerInvite.expires_at > now)
        .values(used_at=now)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def agents_of(session: AsyncSession, owner_id: uuid.UUID) -> list[Agent]:
    stmt = select(Agent).where(Agent.owner_id == owner_id).order_by(Agent.claimed_at.desc(), Agent.id)
    return list((await session.execute(stmt)).scalars())


async def agent_by_claim_token_hash(session: AsyncSession, token_hash: str) -> Agent | None:
    """The agent behind a live claim link, for showing the claim page (no row lock: a read)."""
    stmt = select(Agent).where(Agent.claim_token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()
