"""The few reads the public events need beyond what their service already holds."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, ApiKey, Post, Submolt


async def submolt_of_post(session: AsyncSession, post_id: uuid.UUID) -> Submolt | None:
    stmt = select(Submolt).join(Post, Post.submolt_id == Submolt.id).where(Post.id == post_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def key_still_valid(session: AsyncSession, key_hash: str) -> bool:
    """Whether this key still opens its agent's stream (not revoked, agent not deactivated)."""
    stmt = (
        select(ApiKey.id)
        .join(Agent, Agent.id == ApiKey.agent_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), Agent.is_active.is_(True))
    )
    return (await session.execute(stmt)).first() is not None
