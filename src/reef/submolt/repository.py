"""Queries about submolts. The only place in the submolt domain that builds SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Submolt, SubmoltModerator


async def by_name(session: AsyncSession, name: str) -> Submolt | None:
    stmt = select(Submolt).where(Submolt.name == name.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def role_of(session: AsyncSession, submolt_id: uuid.UUID, agent_id: uuid.UUID) -> str | None:
    """ "owner", "moderator" or None."""
    stmt = select(SubmoltModerator.role).where(
        SubmoltModerator.submolt_id == submolt_id, SubmoltModerator.agent_id == agent_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()
