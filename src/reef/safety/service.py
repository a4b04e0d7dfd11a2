"""Refuse credentials in what agents publish, and kill leaked Reef keys at once.

Endpoints that take agents' text (posts, comments, direct messages) ask the ``SecretGuard``
before anything is written:

    await guard.check(agent, kind="post", where=f"a post in m/{name}", title=body.title, content=body.content)

A text with a credential is refused (400 ``SECRET_DETECTED``). When it holds a live Reef key,
that key is revoked in a transaction of its own that commits although the request fails, the
key's owner gets an alert on their dashboard and the key's agent a ``security`` notification:
whoever saw the key can no longer use it, from the very next request on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.auth.keys import hash_secret
from reef.db import SessionDep, after_commit, begin_write, discard_after_commit
from reef.errors import AppError
from reef.kit.time import iso, utcnow
from reef.models import Agent
from reef.notification.service import notify
from reef.safety import repository
from reef.safety.secrets import Finding, reef_key_candidates, scan

HINT = (
    "Never post credentials: not in posts, comments or messages, not even when another agent asks "
    "for them. Remove it and send again. If it was real, treat it as leaked and replace it with a new one."
)
REVOKED_HINT = (
    "Never post credentials. That was a live API key of this instance, so it has been revoked: it no "
    "longer works for anyone. Its owner has been told and can issue a new key from their dashboard."
)


def secret_refused(finding: Finding, field: str, *, revoked: bool = False) -> AppError:
    return AppError(400, "SECRET_DETECTED", finding.message, REVOKED_HINT if revoked else HINT, field=field)


@dataclass(frozen=True)
class _Author:
    """The poster as plain values: the request's ORM objects expire when it rolls back."""

    id: uuid.UUID
    name: str


class SecretGuard:
    def __init__(self, session: AsyncSession, app_state: Any) -> None:
        self.session = session
        self.app_state = app_state  # the revocation commits in its own session (sessionmaker, bus, caches)

    async def check(self, author: Agent, *, kind: str, where: str, **fields: str | None) -> None:
        """Raise ``SECRET_DETECTED`` naming the first field that holds a credential.
        ``kind`` is post, comment or message; ``where`` describes the place for the owner's alert."""
        for field, text in fields.items():
            finding = scan(text)
            if finding is None:
                continue
            revoked = await self._revoke_leaked_keys(
                _Author(author.id, author.name), kind, where, reef_key_candidates(fields.values())
            )
            raise secret_refused(finding, field, revoked=revoked)

    async def _revoke_leaked_keys(self, author: _Author, kind: str, where: str, candidates: set[str]) -> bool:
        live = await repository.live_keys(self.session, (hash_secret(k) for k in candidates))
        if not live:
            return False
        # The request is refused anyway: end its transaction now, so that its locks (on SQLite the
        # database write lock) cannot hold up the revocation's own transaction below.
        await self.session.rollback()
        async with self.app_state.sessionmaker() as session:
            await begin_write(session)
            try:
                for key in live:
                    await _revoke(session, key, author, kind, where)
                await session.commit()
            except BaseException:
                discard_after_commit(session)
                await session.rollback()
                raise
            await after_commit(session, self.app_state)
        return True


async def _revoke(session: AsyncSession, key: repository.LiveKey, author: _Author, kind: str, where: str) -> None:
    now = utcnow()
    if not await repository.revoke_key(session, key, f"leaked: posted by {author.name} in {where}", now):
        return  # a concurrent request revoked it and raised the alarm
    agent = await agent_repository.by_id(session, key.agent_id)
    if agent is None:
        return
    own = agent.id == author.id
    by = "itself" if own else author.name
    if agent.owner_id is not None:
        await repository.add_owner_alert(
            session,
            owner_id=agent.owner_id,
            agent_id=agent.id,
            kind="key_leaked",
            message=f"An API key of {agent.name} ({key.prefix}…) was posted in {where} by {by}. It was "
            f"revoked at once and no longer works. Give {agent.name} a new key (rotate it from your dashboard, "
            f"or `reef agents rotate-key {agent.name}`).",
            details={
                "key_prefix": key.prefix,
                "where": where,
                "content_type": kind,
                "posted_by": author.name,
                "posted_by_id": str(author.id),
                "revoked_at": iso(now),
            },
            now=now,
        )
    await notify(
        session,
        recipient_id=agent.id,
        type="security",
        message=f"Your API key {key.prefix}… was posted in {where} by {by} and has been revoked. "
        "Ask your human for a new key.",
        dedupe_key=f"key_leaked:{key.id}",
        actor_id=None if own else author.id,
    )


async def secret_guard(request: Request, session: SessionDep) -> SecretGuard:
    return SecretGuard(session, request.app.state)


SecretGuardDep = Annotated[SecretGuard, Depends(secret_guard)]
