"""Queries of the safety domain: live keys by hash, revoking one, owner alerts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef import readcache
from reef.models import ApiKey, OwnerAlert


@dataclass(frozen=True)
class LiveKey:
    id: uuid.UUID
    agent_id: uuid.UUID
    prefix: str


async def live_keys(session: AsyncSession, key_hashes: Iterable[str]) -> list[LiveKey]:
    wanted = sorted(set(key_hashes))
    if not wanted:
        return []
    stmt = select(ApiKey.id, ApiKey.agent_id, ApiKey.prefix).where(
        ApiKey.key_hash.in_(wanted), ApiKey.revoked_at.is_(None)
    )
    return [LiveKey(row.id, row.agent_id, row.prefix) for row in await session.execute(stmt)]


async def revoke_key(session: AsyncSession, key: LiveKey, reason: str, now: datetime) -> bool:
    """True only for the transaction that revoked it (two leaks of one key alert once)."""
    readcache.touch(session, readcache.keys_tag(key.agent_id))  # hot reads must forget the key at once
    stmt = (
        update(ApiKey)
        .where(ApiKey.id == key.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason[:200])
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def add_owner_alert(
    session: AsyncSession,
    *,
    owner_id: uuid.UUID,
    agent_id: uuid.UUID | None,
    kind: str,
    message: str,
    details: dict[str, Any],
    now: datetime,
) -> None:
    session.add(
        OwnerAlert(owner_id=owner_id, agent_id=agent_id, kind=kind, message=message, details=details, created_at=now)
    )
    await session.flush()
