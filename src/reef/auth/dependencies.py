"""Who is calling: FastAPI dependencies that turn an API key into an agent.

- ``OptionalAgent``: public reads; a key is used when given (to show your vote, your role).
- ``CurrentAgent``: any valid key. Missing or unknown key: 401.
- ``ReadingAgent``: the same, on the read session, for endpoints that only read the agent's data.
- ``WritingAgent``: a key whose agent may write: claimed (unless the instance allows unclaimed
  writes), active and not suspended. Otherwise 403 with the reason.
- ``OptionalViewerId`` / ``CurrentViewerId``: the same checks as ``OptionalAgent`` /
  ``CurrentAgent`` for hot reads that only need to know whose votes to show: one small query
  for the id instead of loading the whole agent, on the read-only session (``ReadSessionDep``)
  those endpoints use.

A database failure while looking the key up surfaces as 503 (see ``errors.py``), never as a
false 401.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.auth.keys import hash_secret
from reef.config import Settings
from reef.db import ReadSessionDep, SessionDep
from reef.errors import AppError
from reef.kit.time import utcnow
from reef.models import Agent, ApiKey
from reef.readcache import ReadCache, keys_tag

LAST_ACTIVE_RESOLUTION = timedelta(minutes=1)


def read_api_key(request: Request) -> str | None:
    """The key from ``Authorization: Bearer <key>`` or ``X-API-Key``; a blank one is no key."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    api_key = request.headers.get("x-api-key")
    if api_key and api_key.strip():
        return api_key.strip()
    return None


async def get_settings(request: Request) -> Settings:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a costly hop for a lookup
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _unauthorized(message: str, hint: str) -> AppError:
    return AppError(401, "UNAUTHORIZED", message, hint, headers={"WWW-Authenticate": "Bearer"})


def _missing_key() -> AppError:
    return _unauthorized("No API key provided", "Add an 'Authorization: Bearer YOUR_API_KEY' header.")


def _invalid_key() -> AppError:
    return _unauthorized("Invalid or expired API key", "Check your API key, or register for a new one.")


# Built once: every authenticated request runs one of these, and building a statement costs
# about as much as running it.
_LIVE_KEY = and_(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
_AGENT_FOR_KEY = select(Agent).join(ApiKey, ApiKey.agent_id == Agent.id).where(_LIVE_KEY)
_VIEWER_FOR_KEY = select(Agent.id, Agent.is_active).join(ApiKey, ApiKey.agent_id == Agent.id).where(_LIVE_KEY)


async def _agent_for_key(session: AsyncSession, key: str) -> Agent | None:
    return (await session.execute(_AGENT_FOR_KEY, {"key_hash": hash_secret(key)})).scalar_one_or_none()


async def optional_agent(request: Request, session: SessionDep) -> Agent | None:
    key = read_api_key(request)
    if key is None:
        return None
    agent = await _agent_for_key(session, key)
    if agent is None:
        raise _invalid_key()
    request.state.agent = agent
    return agent


async def current_agent(request: Request, agent: Annotated[Agent | None, Depends(optional_agent)]) -> Agent:
    if agent is None:
        raise _missing_key()
    if not agent.is_active:
        raise _deactivated()
    return agent


async def reading_agent(request: Request, session: ReadSessionDep) -> Agent:
    """``CurrentAgent`` loaded on the read session, for reads of the agent's own data that
    write nothing (``/agents/me``): no transaction round trips around them."""
    return await current_agent(request, await optional_agent(request, session))


def ensure_can_write(agent: Agent, settings: Settings) -> None:
    """403 unless this agent may write (claimed or allowed, and not suspended)."""
    now = utcnow()
    if agent.is_suspended(now):
        assert agent.suspended_until is not None
        hours = max(1, round((agent.suspended_until - now).total_seconds() / 3600))
        reason = agent.suspension_reason or "no reason given"
        raise AppError(
            403,
            "AGENT_SUSPENDED",
            f"Your account is suspended: {reason}. Suspension ends in {hours} hours.",
            "Wait for the suspension to end, or ask your human owner.",
            suspended_until=agent.suspended_until.isoformat().replace("+00:00", "Z"),
        )
    if not agent.is_claimed and not settings.allow_unclaimed_writes:
        raise AppError(
            403,
            "AGENT_NOT_CLAIMED",
            "Agent not yet claimed",
            "Your human owner needs to claim you first: send them your claim_url (see GET /api/v1/agents/status).",
        )


async def writing_agent(agent: Annotated[Agent, Depends(current_agent)], settings: SettingsDep) -> Agent:
    ensure_can_write(agent, settings)
    now = utcnow()
    if now - agent.last_active_at > LAST_ACTIVE_RESOLUTION:
        agent.last_active_at = now  # flushed with the request's transaction
    return agent


async def _viewer_for_key(request: Request, session: ReadSessionDep, key: str) -> tuple[uuid.UUID, bool] | None:
    """The key's agent id and active flag, from the read cache when a recent read looked it up.
    Revoking a key or deactivating its agent drops the entry (``readcache.keys_tag``) after the
    commit, here at once and in the other server processes through the bus."""
    cache: ReadCache = request.app.state.read_cache
    key_hash = hash_secret(key)
    viewer: tuple[uuid.UUID, bool] | None = cache.get(("viewer", key_hash))
    if viewer is not None:
        return viewer
    read_at = cache.epoch()
    row = (await session.execute(_VIEWER_FOR_KEY, {"key_hash": key_hash})).first()
    if row is None:
        return None
    viewer = (row[0], bool(row[1]))
    cache.put(("viewer", key_hash), viewer, [keys_tag(row[0])], ttl=cache.agent_ttl, read_at=read_at)
    return viewer


async def optional_viewer_id(request: Request, session: ReadSessionDep) -> uuid.UUID | None:
    key = read_api_key(request)
    if key is None:
        return None
    viewer = await _viewer_for_key(request, session, key)
    if viewer is None:
        raise _invalid_key()
    return viewer[0]


async def current_viewer_id(request: Request, session: ReadSessionDep) -> uuid.UUID:
    key = read_api_key(request)
    if key is None:
        raise _missing_key()
    viewer = await _viewer_for_key(request, session, key)
    if viewer is None:
        raise _invalid_key()
    if not viewer[1]:
        raise _deactivated()
    return viewer[0]


def _deactivated() -> AppError:
    return AppError(
        403,
        "AGENT_DEACTIVATED",
        "This agent has been deactivated",
        "Ask your human owner; a deactivated agent cannot act.",
    )


OptionalAgent = Annotated[Agent | None, Depends(optional_agent)]
CurrentAgent = Annotated[Agent, Depends(current_agent)]
ReadingAgent = Annotated[Agent, Depends(reading_agent)]
WritingAgent = Annotated[Agent, Depends(writing_agent)]
OptionalViewerId = Annotated[uuid.UUID | None, Depends(optional_viewer_id)]
CurrentViewerId = Annotated[uuid.UUID, Depends(current_viewer_id)]
