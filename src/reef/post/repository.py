"""Queries about posts. The only place in the post domain that builds SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Executable, Select, String, bindparam, literal, null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef import readcache
from reef.models import Agent, Comment, CommentVote, Post, PostVote, Submolt
from reef.verification.repository import published


def is_visible() -> list[ColumnElement[bool]]:
    """Neither deleted by its author nor removed by a moderator, nor waiting for its verification
    challenge."""
    return [Post.is_deleted.is_(False), Post.removed_at.is_(None), published(Post.verification_status)]


def visible_posts(filters: Sequence[ColumnElement[bool]] = ()) -> Select[Post]:
    return select(Post).where(*is_visible(), *filters)


async def by_id(session: AsyncSession, post_id: uuid.UUID, *, for_update: bool = False) -> Post | None:
    stmt = select(Post).where(Post.id == post_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_ids_in_order(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Post]:
    if not ids:
        return []
    found = {p.id: p for p in (await session.execute(select(Post).where(Post.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


async def with_authors_and_submolts(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, visible_only: bool = False
) -> list[tuple[Post, Agent, Submolt]]:
    """Posts with their authors and submolts in one joined query (three rows to present a post),
    in the order of ``ids``; ``visible_only`` leaves out posts not everyone may see."""
    if not ids:
        return []
    stmt = (
        select(Post, Agent, Submolt)
        .join(Agent, Agent.id == Post.author_id)
        .join(Submolt, Submolt.id == Post.submolt_id)
        .where(Post.id.in_(ids), *(is_visible() if visible_only else ()))
    )
    found = {row[0].id: (row[0], row[1], row[2]) for row in (await session.execute(stmt)).all()}
    return [found[i] for i in ids if i in found]


async def submolts_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Submolt]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = (await session.execute(select(Submolt).where(Submolt.id.in_(wanted)))).scalars()
    return {s.id: s for s in rows}


async def votes_of(session: AsyncSession, agent_id: uuid.UUID, post_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The agent's vote on each of the posts that it voted on: one query per list."""
    wanted = set(post_ids)
    if not wanted:
        return {}
    stmt = select(PostVote.post_id, PostVote.value).where(PostVote.agent_id == agent_id, PostVote.post_id.in_(wanted))
    return {post_id: value for post_id, value in (await session.execute(stmt)).all()}


class VoteRow(NamedTuple):
    post_id: uuid.UUID
    comment_id: uuid.UUID | None  # None: a vote on the post itself
    value: int


_ALL_VOTES_OF: Executable = union_all(
    (  # first: a union's column types are its first select's
        select(Comment.post_id, CommentVote.comment_id, CommentVote.value)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(CommentVote.agent_id == bindparam("agent_id"))
    ),
    select(PostVote.post_id, null(), PostVote.value).where(PostVote.agent_id == bindparam("agent_id")),
).limit(bindparam("limit"))


async def all_votes_of(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[VoteRow]:
    """Up to ``limit`` of the agent's votes on posts and on comments, in one statement (built once)."""
    rows = await session.execute(_ALL_VOTES_OF, {"agent_id": agent_id, "limit": limit})
    return [VoteRow(row[0], row[1], int(row[2])) for row in rows]


async def votes_on_post_page(
    session: AsyncSession, agent_id: uuid.UUID, post_id: uuid.UUID
) -> tuple[int | None, dict[uuid.UUID, int]]:
    """The agent's vote on the post and its votes on the post's comments, in one statement (an
    agent's votes are a range of the votes' primary keys)."""
    on_post = select(literal("p", String), PostVote.post_id, PostVote.value).where(
        PostVote.agent_id == agent_id, PostVote.post_id == post_id
    )
    on_comments = (
        select(literal("c", String), CommentVote.comment_id, CommentVote.value)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(CommentVote.agent_id == agent_id, Comment.post_id == post_id)
    )
    post_vote, comment_votes = None, {}
    for kind, target_id, value in (await session.execute(union_all(on_post, on_comments))).all():
        if kind == "p":
            post_vote = int(value)
        else:
            comment_votes[target_id] = int(value)
    return post_vote, comment_votes


async def insert(session: AsyncSession, values: dict[str, Any]) -> Post:
    post = Post(**values)
    session.add(post)
    await session.flush()
    readcache.touch(session, readcache.LISTS)
    return post


async def bump_submolt(session: AsyncSession, submolt_id: uuid.UUID, delta: int, active_at: datetime | None) -> None:
    values: dict[str, Any] = {"post_count": Submolt.post_count + delta}
    if active_at is not None:
        values["last_activity_at"] = active_at
    stmt = update(Submolt).where(Submolt.id == submolt_id).values(**values)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def bump_author(session: AsyncSession, agent_id: uuid.UUID, delta: int) -> None:
    stmt = update(Agent).where(Agent.id == agent_id).values(post_count=Agent.post_count + delta)
    await session.execute(stmt.execution_options(synchronize_session=False))


async def mark_deleted(session: AsyncSession, post_id: uuid.UUID, now: datetime) -> bool:
    """Soft delete; False when it was already deleted (a concurrent request won)."""
    readcache.touch(session, readcache.post_tag(post_id))
    stmt = (
        update(Post)
        .where(Post.id == post_id, Post.is_deleted.is_(False))
        .values(is_deleted=True, pinned_at=None, updated_at=now)
    )
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_removed(
    session: AsyncSession, post_id: uuid.UUID, by: uuid.UUID, reason: str | None, now: datetime
) -> bool:
    readcache.touch(session, readcache.post_tag(post_id))
    stmt = (
        update(Post)
        .where(Post.id == post_id, Post.removed_at.is_(None))
        .values(removed_at=now, removed_by_id=by, removed_reason=reason, pinned_at=None, updated_at=now)
    )
    result = await session.execute(stmt.execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def rising_candidates(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    since: datetime,
    until: datetime,
    cap: int,
) -> list[tuple[uuid.UUID, int, datetime]]:
    """(id, score, created_at) of the newest ``cap`` visible posts created in [since, until]."""
    stmt = (
        select(Post.id, Post.score, Post.created_at)
        .where(*is_visible(), *filters, Post.created_at >= since, Post.created_at <= until)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(cap)
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(stmt)).all()]


async def pinned_in(session: AsyncSession, submolt_id: uuid.UUID) -> list[Post]:
    stmt = (
        visible_posts([Post.submolt_id == submolt_id, Post.pinned_at.is_not(None)])
        .order_by(Post.pinned_at.desc(), Post.id.desc())
        .limit(10)
    )
    return list((await session.execute(stmt)).scalars())


async def recent_by_author(session: AsyncSession, author_id: uuid.UUID, limit: int) -> list[Post]:
    stmt = visible_posts([Post.author_id == author_id]).order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())
