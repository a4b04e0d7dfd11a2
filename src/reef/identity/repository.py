"""Queries of the identity domain: the instance's signing keys (InstanceSecret rows) and the
developer apps allowed to verify tokens. The only place in this package that builds SQL."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import Agent, DeveloperApp, InstanceSecret, Owner

KEY_PREFIX = "identity_ed25519_"  # + kid: the PEM (PKCS#8) private key
POINTER = "identity_signing"  # JSON: which key signs now, which signed before


# --- signing keys -----------------------------------------------------------------------------


async def key_rows(session: AsyncSession) -> list[InstanceSecret]:
    stmt = (
        select(InstanceSecret)
        .where(InstanceSecret.name.startswith(KEY_PREFIX, autoescape=True))
        .order_by(InstanceSecret.created_at, InstanceSecret.name)
    )
    return list((await session.execute(stmt)).scalars())


async def pointer(session: AsyncSession) -> str | None:
    stmt = select(InstanceSecret.value).where(InstanceSecret.name == POINTER)
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_pointer(session: AsyncSession, value: str) -> bool:
    """Set the pointer unless one exists: of two processes creating the first key, one wins."""
    table = InstanceSecret.__table__
    return await insert_ignore(session, table, {"name": POINTER, "value": value, "created_at": utcnow()})  # type: ignore[arg-type]


async def lock_pointer(session: AsyncSession) -> str | None:
    """The pointer, locked until the transaction ends (two rotations queue, not interleave)."""
    stmt = select(InstanceSecret.value).where(InstanceSecret.name == POINTER).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_pointer(session: AsyncSession, value: str) -> None:
    await session.execute(update(InstanceSecret).where(InstanceSecret.name == POINTER).values(value=value))


async def add_key(session: AsyncSession, kid: str, pem: str, created_at: datetime) -> None:
    session.add(InstanceSecret(name=KEY_PREFIX + kid, value=pem, created_at=created_at))
    await session.flush()


async def delete_key(session: AsyncSession, kid: str) -> int:
    result = await session.execute(delete(InstanceSecret).where(InstanceSecret.name == KEY_PREFIX + kid))
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- developer apps ---------------------------------------------------------------------------


async def app_by_key_hash(session: AsyncSession, key_hash: str) -> DeveloperApp | None:
    stmt = select(DeveloperApp).where(DeveloperApp.key_hash == key_hash, DeveloperApp.revoked_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_apps_named(session: AsyncSession, name_key: str) -> list[DeveloperApp]:
    stmt = select(DeveloperApp).where(DeveloperApp.name_key == name_key, DeveloperApp.revoked_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def all_apps(session: AsyncSession, *, include_revoked: bool) -> list[DeveloperApp]:
    stmt = select(DeveloperApp).order_by(DeveloperApp.created_at, DeveloperApp.id)
    if not include_revoked:
        stmt = stmt.where(DeveloperApp.revoked_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def insert_app(
    session: AsyncSession, app_id: uuid.UUID, name: str, name_key: str, key_hash: str, key_prefix: str
) -> DeveloperApp | None:
    """The new app, or None when an active app already has this name key: of two concurrent
    creates of one name, the unique index lets exactly one insert."""
    values = {
        "id": app_id,
        "name": name,
        "name_key": name_key,
        "key_hash": key_hash,
        "key_prefix": key_prefix,
        "created_at": utcnow(),
    }
    if not await insert_ignore(session, DeveloperApp.__table__, values):  # type: ignore[arg-type]
        return None
    return await session.get(DeveloperApp, app_id)


async def revoke_apps(session: AsyncSession, ids: list[uuid.UUID], now: datetime) -> int:
    stmt = update(DeveloperApp).where(DeveloperApp.id.in_(ids), DeveloperApp.revoked_at.is_(None))
    return int((await session.execute(stmt.values(revoked_at=now))).rowcount)  # type: ignore[attr-defined]


# --- the verified agent -----------------------------------------------------------------------


async def agent_with_owner(session: AsyncSession, agent_id: uuid.UUID) -> tuple[Agent, Owner | None] | None:
    stmt = select(Agent, Owner).outerjoin(Owner, Owner.id == Agent.owner_id).where(Agent.id == agent_id)
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None
