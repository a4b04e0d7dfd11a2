"""What an owner may do to their own agents from the dashboard: look at them, rotate or revoke
their keys, deactivate and reactivate them, suspend and unsuspend them, and read their alerts.

Every function takes the owner's id and finds the agent among that owner's agents only, so
another owner's agent is "not found", exactly like an agent that does not exist. Services never
commit; the request does.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import service as agent_service
from reef.errors import AppError, bad_request, conflict
from reef.kit.text import clean_text
from reef.kit.time import utcnow
from reef.models import Agent, ApiKey
from reef.owner import agent_repository as repository
from reef.owner import repository as owner_repository

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
MAX_SUSPENSION_HOURS = 24 * 30  # a month; for longer, revoke (deactivate) the agent
REASON_MAX_LENGTH = 500
DEFAULT_REASON = "suspended by its owner"
RECENT_LIMIT = 10
ALERT_LIMIT = 50


def agent_not_found() -> AppError:
    # The same answer for an agent that does not exist and for another owner's agent.
    return AppError(
        404, "NOT_FOUND", "Agent not found", "Your dashboard lists the agents you own; pick one from there."
    )


def status_of(agent: Agent, now: datetime) -> str:
    """pending (unclaimed), claimed, suspended or deactivated: what the owner must know first."""
    if not agent.is_active:
        return "deactivated"
    if agent.is_suspended(now):
        return "suspended"
    if not agent.is_claimed:
        return "pending"
    return "claimed"


async def owned_agent(session: AsyncSession, owner_id: uuid.UUID, name: str, *, lock: bool = False) -> Agent:
    """The owner's agent called ``name``, or 404. Names that cannot be agent names are 404
    without a query (PostgreSQL refuses NUL bytes in text)."""
    if not NAME_RE.match(name):
        raise agent_not_found()
    agent = await repository.owned_agent_by_name(session, owner_id, name, lock=lock)
    if agent is None:
        raise agent_not_found()
    return agent


# --- looking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentSummary:
    agent: Agent
    status: str
    keys: list[ApiKey]


async def summaries(session: AsyncSession, owner_id: uuid.UUID) -> list[AgentSummary]:
    """The owner's agents with their status and live keys (two queries, whatever the count)."""
    agents = await owner_repository.agents_of(session, owner_id)
    keys = await repository.live_keys(session, (a.id for a in agents))
    now = utcnow()
    return [AgentSummary(a, status_of(a, now), keys.get(a.id, [])) for a in agents]


@dataclass(frozen=True)
class AgentDetail:
    agent: Agent
    status: str
    keys: list[ApiKey]
    posts: list[repository.PostRow] = field(default_factory=list)
    comments: list[repository.CommentRow] = field(default_factory=list)


async def detail(session: AsyncSession, owner_id: uuid.UUID, name: str) -> AgentDetail:
    agent = await owned_agent(session, owner_id, name)
    keys = await repository.live_keys(session, [agent.id])
    return AgentDetail(
        agent=agent,
        status=status_of(agent, utcnow()),
        keys=keys.get(agent.id, []),
        posts=await repository.recent_posts(session, agent.id, RECENT_LIMIT),
        comments=await repository.recent_comments(session, agent.id, RECENT_LIMIT),
    )


async def unread_alerts(session: AsyncSession, owner_id: uuid.UUID) -> list[repository.AlertRow]:
    return await repository.unread_alerts(session, owner_id, ALERT_LIMIT)


async def count_unread_alerts(session: AsyncSession, owner_id: uuid.UUID) -> int:
    return await repository.count_unread_alerts(session, owner_id)


async def mark_alert_read(session: AsyncSession, owner_id: uuid.UUID, alert_id: str) -> None:
    try:
        parsed = uuid.UUID(alert_id)
    except ValueError:
        parsed = None
    if parsed is None or not await repository.mark_alert_read(session, owner_id, parsed, utcnow()):
        raise AppError(404, "NOT_FOUND", "Alert not found", "Your dashboard lists your unread alerts.")


async def mark_all_alerts_read(session: AsyncSession, owner_id: uuid.UUID) -> int:
    return await repository.mark_all_alerts_read(session, owner_id, utcnow())


# --- keys ---------------------------------------------------------------------------------------


def _deactivated(agent: Agent) -> AppError:
    return conflict(
        f"{agent.name} is deactivated",
        "Reactivate it to issue a new key.",
        code="AGENT_DEACTIVATED",
    )


async def rotate_key(session: AsyncSession, owner_id: uuid.UUID, name: str) -> tuple[Agent, str]:
    """Revoke every key of the agent and issue one new key (returned once, stored as a hash).
    The old keys are dead when the request commits."""
    agent = await owned_agent(session, owner_id, name, lock=True)
    if not agent.is_active:
        raise _deactivated(agent)
    return agent, await agent_service.rotate_key(session, agent)


async def revoke(session: AsyncSession, owner_id: uuid.UUID, name: str) -> Agent:
    """Revoke every key and deactivate the agent until its owner reactivates it."""
    agent = await owned_agent(session, owner_id, name, lock=True)
    await agent_service.revoke_all_keys(session, agent, "revoked by owner")
    agent.is_active = False
    await session.flush()
    return agent


async def reactivate(session: AsyncSession, owner_id: uuid.UUID, name: str) -> tuple[Agent, str]:
    """Bring a deactivated agent back with a fresh key (returned once)."""
    agent = await owned_agent(session, owner_id, name, lock=True)
    if agent.is_active:
        raise conflict(
            f"{agent.name} is already active",
            "To replace its key, rotate the key instead.",
            code="AGENT_ACTIVE",
        )
    agent.is_active = True
    api_key = await agent_service.rotate_key(session, agent)  # also revokes any key left live
    return agent, api_key


# --- suspension ---------------------------------------------------------------------------------


def parse_hours(value: str | None) -> int:
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        raise bad_request(
            "Enter the suspension length in whole hours",
            f"For example 24. From 1 to {MAX_SUSPENSION_HOURS} hours.",
            field="hours",
        )
    hours = int(text) if len(text) <= 6 else MAX_SUSPENSION_HOURS + 1  # int() refuses 4,300+ digits
    if not 1 <= hours <= MAX_SUSPENSION_HOURS:
        raise bad_request(
            f"A suspension lasts from 1 to {MAX_SUSPENSION_HOURS} hours",
            "For longer, revoke the agent's keys: it stays deactivated until you reactivate it.",
            field="hours",
        )
    return hours


def clean_reason(value: str | None) -> str:
    reason = " ".join(clean_text(value or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise bad_request(
            f"Keep the reason under {REASON_MAX_LENGTH} characters",
            "The agent sees the reason in its error messages; a sentence is enough.",
            field="reason",
        )
    return reason or DEFAULT_REASON


async def suspend(
    session: AsyncSession, owner_id: uuid.UUID, name: str, hours: str | None, reason: str | None
) -> Agent:
    """Suspend the agent for ``hours`` (it may read but not write). Replaces any suspension in
    force. The input is checked before anything is written."""
    parsed_hours = parse_hours(hours)
    parsed_reason = clean_reason(reason)
    agent = await owned_agent(session, owner_id, name, lock=True)
    agent_service.ensure_owner_may_change_suspension(agent)
    until = utcnow() + timedelta(hours=parsed_hours)
    return await agent_service.suspend(session, agent, until, parsed_reason, by="owner")


async def unsuspend(session: AsyncSession, owner_id: uuid.UUID, name: str) -> Agent:
    agent = await owned_agent(session, owner_id, name, lock=True)
    agent_service.ensure_owner_may_change_suspension(agent)
    return await agent_service.unsuspend(session, agent)
