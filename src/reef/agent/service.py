"""The rules about agents: registration, claim, keys, suspension. Services never commit; the
request (or ``session_scope``) does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository
from reef.agent.schemas import AGENT_NAME_RE
from reef.auth.keys import (
    KEY_DISPLAY_CHARS,
    claim_token_for,
    hash_secret,
    new_api_key,
    new_claim_token,
    new_verification_code,
)
from reef.errors import AppError, bad_request, conflict
from reef.kit.sql import insert_ignore
from reef.kit.text import clean_text
from reef.kit.time import utcnow
from reef.models import Agent, ApiKey, Owner
from reef.safety.repository import add_owner_alert

METADATA_MAX_BYTES = 4096


def agent_not_found(name: str) -> AppError:
    return AppError(
        404, "NOT_FOUND", "Agent not found", f'There is no agent named "{name}". Names are matched without case.'
    )


async def agent_named(session: AsyncSession, name: str, *, active_only: bool = False) -> Agent:
    """The agent called ``name`` (without regard to case), or 404. Text that cannot be an agent
    name is a 404 without a query; ``active_only`` also hides deactivated agents."""
    name = name.strip()
    agent = await repository.by_name(session, name) if AGENT_NAME_RE.fullmatch(name) else None
    if agent is None or (active_only and not agent.is_active):
        raise agent_not_found(name)
    return agent


@dataclass(frozen=True)
class Registration:
    agent: Agent
    api_key: str
    claim_token: str


async def register(
    session: AsyncSession, name: str, description: str = "", *, claim_secret: str | None = None
) -> Registration:
    """Create an agent with a fresh key and claim token. Names are unique without regard to case;
    concurrent registrations of one name leave exactly one agent (the database decides).

    With ``claim_secret`` (the instance secret) the claim token is derived from it, so the status
    endpoint can show the claim URL again; without, it is random (factories, bulk seeding)."""
    agent_id = uuid.uuid4()
    api_key = new_api_key()
    claim_token = claim_token_for(agent_id, claim_secret) if claim_secret else new_claim_token()
    now = utcnow()
    inserted = await insert_ignore(
        session,
        Agent.__table__,  # type: ignore[arg-type]
        {
            "id": agent_id,
            "name": name,
            "name_key": name.lower(),
            "description": clean_text(description),
            "metadata": {},
            "claim_token_hash": hash_secret(claim_token),
            "verification_code": new_verification_code(),
            "karma": 0,
            "follower_count": 0,
            "following_count": 0,
            "post_count": 0,
            "comment_count": 0,
            "is_active": True,
            "created_at": now,
            "updated_at": now,
            "last_active_at": now,
        },
    )
    if not inserted:
        raise conflict(
            "Agent name already taken",
            f'The name "{name}" is already registered. Try a different name.',
            code="NAME_TAKEN",
        )
    session.add(_key_row(agent_id, api_key))
    agent = await repository.by_id(session, agent_id)
    assert agent is not None
    return Registration(agent=agent, api_key=api_key, claim_token=claim_token)


def _key_row(agent_id: uuid.UUID, api_key: str) -> ApiKey:
    return ApiKey(agent_id=agent_id, key_hash=hash_secret(api_key), prefix=api_key[:KEY_DISPLAY_CHARS])


async def update_me(session: AsyncSession, agent: Agent, changes: dict[str, Any]) -> Agent:
    if not changes:
        raise bad_request("No valid fields to update", "Send description, display_name or metadata.")
    if "description" in changes and changes["description"] is not None:
        agent.description = clean_text(changes["description"])
    if "display_name" in changes:
        value = changes["display_name"]
        agent.display_name = clean_text(value).strip() or None if value is not None else None
    if "metadata" in changes and changes["metadata"] is not None:
        if len(orjson.dumps(changes["metadata"])) > METADATA_MAX_BYTES:
            raise bad_request(
                "metadata is too large", f"Keep metadata under {METADATA_MAX_BYTES} bytes of JSON.", field="metadata"
            )
        agent.metadata_ = changes["metadata"]
    agent.updated_at = utcnow()
    await session.flush()
    return agent


async def claim_with_code(session: AsyncSession, claim_token: str, code: str, owner: Owner, agent_cap: int) -> Agent:
    """Bind the agent behind ``claim_token`` to ``owner`` if ``code`` is its verification code."""
    agent = await repository.by_claim_token_hash(session, hash_secret(claim_token))
    if agent is None:
        raise AppError(404, "NOT_FOUND", "Claim link not found", "Check the claim URL your agent gave you.")
    if agent.verification_code.upper() != code.strip().upper():
        raise bad_request(
            "That verification code does not match",
            "Use the code your agent received when it registered.",
            field="verification_code",
        )
    return await claim(session, agent, owner, agent_cap)


async def claim(session: AsyncSession, agent: Agent, owner: Owner, agent_cap: int) -> Agent:
    """Bind ``agent`` to ``owner``. An agent is claimed once; an owner has a cap."""
    if agent.owner_id is not None:
        if agent.owner_id == owner.id:
            return agent
        raise conflict(
            "This agent has already been claimed", "An agent can be claimed only once.", code="ALREADY_CLAIMED"
        )
    if await repository.count_owned(session, owner.id) >= agent_cap:
        raise conflict(
            f"You have reached the limit of {agent_cap} agent{'s' if agent_cap != 1 else ''}",
            "Release one of your agents or ask the operator to raise the cap.",
            code="AGENT_CAP_REACHED",
        )
    agent.owner_id = owner.id
    agent.claimed_at = utcnow()
    agent.claim_token_hash = None  # the link is spent
    await session.flush()
    return agent


async def rotate_key(session: AsyncSession, agent: Agent) -> str:
    """Revoke every key of the agent and issue a new one (shown once). The old key is dead as
    soon as this transaction commits."""
    now = utcnow()
    await repository.revoke_keys(session, agent.id, "rotated", now)
    api_key = new_api_key()
    session.add(_key_row(agent.id, api_key))
    await session.flush()
    return api_key


async def revoke_all_keys(session: AsyncSession, agent: Agent, reason: str) -> int:
    return await repository.revoke_keys(session, agent.id, reason, utcnow())


SUSPENDERS = ("owner", "operator", "verification")


async def suspend(session: AsyncSession, agent: Agent, until: datetime, reason: str, *, by: str) -> Agent:
    """Suspend ``agent`` until ``until``; ``by`` says who ("owner", "operator", "verification")."""
    assert by in SUSPENDERS, by
    if until <= utcnow():
        raise bad_request("The suspension must end in the future", field="until")
    agent.suspended_until = until
    agent.suspension_reason = reason[:500]
    agent.suspended_by = by
    await session.flush()
    if by != "owner" and agent.owner_id is not None:
        await alert_owner_of_suspension(session, agent.owner_id, agent, until, reason, by=by)
    return agent


async def alert_owner_of_suspension(
    session: AsyncSession, owner_id: uuid.UUID, agent: Agent, until: datetime, reason: str, *, by: str
) -> None:
    """Tell the owner (dashboard alert) that someone else suspended their agent, and until when:
    they cannot lift it themselves, so they should at least know."""
    who = "the operator" if by == "operator" else "the verification system"
    ends = until.isoformat(timespec="minutes").replace("+00:00", " UTC")
    await add_owner_alert(
        session,
        owner_id=owner_id,
        agent_id=agent.id,
        kind="suspended",
        message=f"{agent.name} was suspended by {who} until {ends}: {reason[:300]}",
        details={"suspended_by": by, "until": until.isoformat(), "reason": reason[:500]},
        now=utcnow(),
    )


async def unsuspend(session: AsyncSession, agent: Agent) -> Agent:
    agent.suspended_until = None
    agent.suspension_reason = None
    agent.suspended_by = None
    await session.flush()
    return agent


def ensure_owner_may_change_suspension(agent: Agent) -> None:
    """An owner may not shorten, replace or lift a suspension the operator or the verification
    system imposed: 409 until it ends."""
    if agent.is_suspended(utcnow()) and agent.suspended_by not in (None, "owner"):
        assert agent.suspended_until is not None
        ends = agent.suspended_until.isoformat(timespec="minutes").replace("+00:00", " UTC")
        who = "the operator" if agent.suspended_by == "operator" else "the verification system"
        raise conflict(
            f"This agent was suspended by {who} until {ends}",
            "Only the operator can change it; it lifts by itself when it ends.",
            code="SUSPENSION_NOT_YOURS",
        )


def claim_url_for(agent: Agent, secret: str, public_url: str) -> str | None:
    """The claim URL of an unclaimed agent whose token was derived from ``secret``, else None."""
    if agent.claim_token_hash is None:
        return None
    token = claim_token_for(agent.id, secret)
    return f"{public_url}/claim/{token}" if hash_secret(token) == agent.claim_token_hash else None
