"""Load the rows behind a page of hits: one query per table, whatever the page holds."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Comment, Post, Submolt

M = TypeVar("M", Agent, Comment, Post, Submolt)


async def by_ids(session: AsyncSession, model: type[M], ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, M]:
    wanted = set(ids)
    if not wanted:
        return {}
    table: Any = model
    rows = (await session.execute(select(model).where(table.id.in_(wanted)))).scalars()
    return {row.id: row for row in rows}


async def post_titles(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Post.id, Post.title).where(Post.id.in_(wanted)))
    return {row.id: row.title for row in rows}
