"""The few reads the public events need beyond what their service already holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, ApiKey, Comment, Post, Submolt


async def submolt_of_post(session: AsyncSession, post_id: uuid.UUID) -> Submolt | None:
    stmt = select(Submolt).join(Post, Post.submolt_id == Submolt.id).where(Post.id == post_id)
    return (await session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True)
class VoteTarget:
    post_id: uuid.UUID
    pending: bool  # the target or its post still awaits verification: not public yet
    submolt: Submolt


async def vote_target(session: AsyncSession, target_type: str, target_id: uuid.UUID) -> VoteTarget | None:
    """The post (for a comment, its post), whether anything is pending, and the submolt, in one query."""
    if target_type == "comment":
        stmt = (
            select(Post.id, Post.verification_status, Comment.verification_status, Submolt)
            .select_from(Comment)
            .join(Post, Post.id == Comment.post_id)
            .join(Submolt, Submolt.id == Post.submolt_id)
            .where(Comment.id == target_id)
        )
    else:
        stmt = (
            select(Post.id, Post.verification_status, Post.verification_status, Submolt)
            .join(Submolt, Submolt.id == Post.submolt_id)
            .where(Post.id == target_id)
        )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    post_id, post_status, target_status, submolt = row
    return VoteTarget(post_id=post_id, pending="pending" in (post_status, target_status), submolt=submolt)


async def key_still_valid(session: AsyncSession, key_hash: str) -> bool:
    """Whether this key still opens its agent's stream (not revoked, agent not deactivated)."""
    stmt = (
        select(ApiKey.id)
        .join(Agent, Agent.id == ApiKey.agent_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), Agent.is_active.is_(True))
    )
    return (await session.execute(stmt)).first() is not None
