"""Queries about verification challenges, and the verification state of the content they guard.
The only place in the verification domain that builds SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Comment, Post, Submolt, VerificationChallenge
from reef.verification.nested import PENDING, VERIFIED

CONTENT_MODELS: dict[str, Any] = {"post": Post, "comment": Comment, "submolt": Submolt}


def published(column: Any) -> ColumnElement[bool]:
    """The filter every public read adds: content that never needed a challenge, or solved it."""
    return or_(column.is_(None), column == VERIFIED)


def is_published(status: str | None) -> bool:
    return status is None or status == VERIFIED


async def insert(session: AsyncSession, challenge: VerificationChallenge) -> VerificationChallenge:
    session.add(challenge)
    await session.flush()
    return challenge


async def by_code(session: AsyncSession, code: str) -> VerificationChallenge | None:
    """The challenge, locked until the transaction ends so two answers to it run one at a time."""
    stmt = select(VerificationChallenge).where(VerificationChallenge.code == code).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def expired_pending_of(session: AsyncSession, agent_id: uuid.UUID, now: datetime) -> list[VerificationChallenge]:
    stmt = (
        select(VerificationChallenge)
        .where(
            VerificationChallenge.agent_id == agent_id,
            VerificationChallenge.status == PENDING,
            VerificationChallenge.expires_at <= now,
        )
        .order_by(VerificationChallenge.expires_at)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def settle(session: AsyncSession, challenge_id: uuid.UUID, status: str, now: datetime | None = None) -> bool:
    """Move a pending challenge to ``status``; False when another request settled it first, so
    each challenge is counted once however many requests race."""
    stmt = (
        update(VerificationChallenge)
        .where(VerificationChallenge.id == challenge_id, VerificationChallenge.status == PENDING)
        .values(status=status, solved_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def count_attempt(session: AsyncSession, challenge_id: uuid.UUID) -> None:
    stmt = (
        update(VerificationChallenge)
        .where(VerificationChallenge.id == challenge_id)
        .values(attempts=VerificationChallenge.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def content(session: AsyncSession, content_type: str, content_id: uuid.UUID) -> Any:
    """The post, comment or submolt a challenge guards (None once it is gone), locked."""
    model = CONTENT_MODELS[content_type]
    return (await session.execute(select(model).where(model.id == content_id).with_for_update())).scalar_one_or_none()


async def delete_submolt(session: AsyncSession, submolt_id: uuid.UUID) -> None:
    """An unverified submolt is deleted when its challenge expires, so its name is free again
    (its moderator and subscription rows go with it)."""
    await session.execute(delete(Submolt).where(Submolt.id == submolt_id, Submolt.verification_status == PENDING))


async def expired_submolt_named(session: AsyncSession, name: str, now: datetime) -> VerificationChallenge | None:
    """The expired, still pending challenge of an unverified submolt that holds ``name``."""
    stmt = (
        select(VerificationChallenge)
        .join(Submolt, Submolt.id == VerificationChallenge.content_id)
        .where(
            Submolt.name == name,
            Submolt.verification_status == PENDING,
            VerificationChallenge.content_type == "submolt",
            VerificationChallenge.status == PENDING,
            VerificationChallenge.expires_at <= now,
        )
        .with_for_update(of=VerificationChallenge)
    )
    return (await session.execute(stmt)).scalars().first()


async def add_failures(session: AsyncSession, agent_id: uuid.UUID, count: int) -> int:
    """Add to the agent's run of failed challenges; returns the new run length."""
    stmt = (
        update(Agent)
        .where(Agent.id == agent_id)
        .values(verification_failures=Agent.verification_failures + count)
        .returning(Agent.verification_failures)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(stmt)).scalar_one())


async def suspend(session: AsyncSession, agent_id: uuid.UUID, until: datetime, reason: str) -> None:
    """Suspend and start a new run: the suspension is the penalty for this one."""
    stmt = (
        update(Agent)
        .where(Agent.id == agent_id)
        .values(suspended_until=until, suspension_reason=reason, suspended_by="verification", verification_failures=0)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def record_success(session: AsyncSession, agent_id: uuid.UUID) -> None:
    stmt = (
        update(Agent)
        .where(Agent.id == agent_id)
        .values(verification_failures=0, verified_count=Agent.verified_count + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)
