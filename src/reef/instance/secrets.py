"""Secrets the instance keeps for itself in the database, so every server process shares them."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import InstanceSecret


async def get_or_create(session: AsyncSession, name: str) -> str:
    """The secret called ``name``, generated on first use. Concurrent first uses agree."""
    await insert_ignore(
        session,
        InstanceSecret.__table__,  # type: ignore[arg-type]
        {"name": name, "value": secrets.token_urlsafe(48), "created_at": utcnow()},
    )
    return (await session.execute(select(InstanceSecret.value).where(InstanceSecret.name == name))).scalar_one()
