"""Queries about comments. The only place in the comment domain that builds SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef import readcache
from reef.models import Agent, Comment, CommentVote, Post, Submolt
from reef.verification.repository import published


@dataclass(frozen=True)
class SortKey:
    """One column of a comment sort: the attribute name and whether it runs high to low."""

    name: str
    descending: bool


# Every sort ends in the unique id so keyset paging never skips or repeats a row; ranked sorts
# break ties oldest first (the comment that has been there longer).
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "best": (SortKey("best_rank", True), SortKey("created_at", False), SortKey("id", False)),
    "top": (SortKey("score", True), SortKey("created_at", False), SortKey("id", False)),
    "new": (SortKey("created_at", True), SortKey("id", True)),
    "old": (SortKey("created_at", False), SortKey("id", False)),
    "controversial": (SortKey("controversy", True), SortKey("created_at", False), SortKey("id", False)),
}


def _column(key: SortKey) -> Any:
    return getattr(Comment, key.name)


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (directions may be mixed, so
    the row-value comparison is spelled out: k1 after v1, or k1 = v1 and k2 after v2, ...)."""
    clauses = []
    for i, key in enumerate(keys):
        column = _column(key)
        beyond = column < values[i] if key.descending else column > values[i]
        equal_before = [_column(k) == values[j] for j, k in enumerate(keys[:i])]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)


def sort_values(comment: Comment, sort: str) -> list[Any]:
    return [getattr(comment, k.name) for k in SORT_KEYS[sort]]


async def root_page(
    session: AsyncSession,
    post_id: uuid.UUID,
    sort: str,
    *,
    limit: int,
    after: Sequence[Any] | None = None,
    offset: int | None = None,
) -> tuple[list[Comment], bool]:
    """One page of a post's root comments in ``sort`` order, and whether more follow."""
    keys = SORT_KEYS[sort]
    # Comments waiting for their verification challenge are left out (they have no replies yet).
    stmt = select(Comment).where(Comment.post_id == post_id, Comment.depth == 0, published(Comment.verification_status))
    if after is not None:
        stmt = stmt.where(_after(keys, after))
    elif offset:
        stmt = stmt.offset(offset)
    order = [_column(k).desc() if k.descending else _column(k).asc() for k in keys]
    rows = list((await session.execute(stmt.order_by(*order).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit


async def descendants(session: AsyncSession, post_id: uuid.UUID, root_ids: Iterable[uuid.UUID]) -> list[Comment]:
    """Every reply under the given roots, in one indexed query (``ix_comments_post_root``)."""
    wanted = list(root_ids)
    if not wanted:
        return []
    stmt = select(Comment).where(
        Comment.post_id == post_id,
        Comment.root_id.in_(wanted),
        Comment.depth > 0,
        published(Comment.verification_status),
    )
    return list((await session.execute(stmt)).scalars())


async def by_id(session: AsyncSession, comment_id: uuid.UUID) -> Comment | None:
    return await session.get(Comment, comment_id)


async def post_by_id(session: AsyncSession, post_id: uuid.UUID) -> Post | None:
    return await session.get(Post, post_id)


async def votes_of(
    session: AsyncSession, agent_id: uuid.UUID, comment_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    wanted = list(comment_ids)
    if not wanted:
        return {}
    stmt = select(CommentVote.comment_id, CommentVote.value).where(
        CommentVote.agent_id == agent_id, CommentVote.comment_id.in_(wanted)
    )
    return {row.comment_id: int(row.value) for row in await session.execute(stmt)}


async def post_titles(session: AsyncSession, post_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(post_ids)
    if not wanted:
        return {}
    rows = await session.execute(select(Post.id, Post.title).where(Post.id.in_(wanted)))
    return {row.id: row.title for row in rows}


async def recent_by_author(session: AsyncSession, agent_id: uuid.UUID, limit: int) -> list[Comment]:
    """The author's newest visible comments on visible posts (``ix_comments_author_created``)."""
    stmt = (
        select(Comment)
        .join(Post, Post.id == Comment.post_id)
        .where(
            Comment.author_id == agent_id,
            Comment.is_deleted.is_(False),
            Comment.removed_at.is_(None),
            published(Comment.verification_status),
            Post.is_deleted.is_(False),
            Post.removed_at.is_(None),
            published(Post.verification_status),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


# Built once: a comment is one of the most frequent writes.
_BUMP_POST = (
    update(Post).where(Post.id == bindparam("post_id")).values(comment_count=Post.comment_count + bindparam("delta"))
)
# A submolt's last activity moves at most once a minute: every comment in a busy submolt would
# otherwise queue on its row lock until the comment's transaction ends.
SUBMOLT_ACTIVITY_RESOLUTION = timedelta(minutes=1)
_TOUCH_SUBMOLT = (
    update(Submolt)
    .where(Submolt.id == bindparam("submolt_id"), Submolt.last_activity_at < bindparam("stale_before"))
    .values(last_activity_at=bindparam("now"))
)
_POST_AND_SUBMOLT = (
    select(Post, Submolt).join(Submolt, Submolt.id == Post.submolt_id).where(Post.id == bindparam("post_id"))
)


async def post_and_submolt(session: AsyncSession, post_id: uuid.UUID) -> tuple[Post, Submolt] | None:
    """The post and its submolt (for the live event), in one statement."""
    row = (await session.execute(_POST_AND_SUBMOLT, {"post_id": post_id})).first()
    return None if row is None else (row[0], row[1])


_BUMP_PARENT = (
    update(Comment)
    .where(Comment.id == bindparam("parent"))  # "parent_id" would clash with the column
    .values(reply_count=Comment.reply_count + bindparam("delta"))
)
_BUMP_AUTHOR = (
    update(Agent)
    .where(Agent.id == bindparam("author_id"))
    .values(comment_count=Agent.comment_count + bindparam("delta"))
)


async def bump_counters(
    session: AsyncSession,
    *,
    post_id: uuid.UUID,
    author_id: uuid.UUID,
    delta: int,
    parent_id: uuid.UUID | None = None,
    submolt_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> None:
    """Move the post's and the author's comment counters (and the parent's reply count, the
    submolt's last activity) in the caller's transaction, without reading them first. Rows are
    updated post, submolt, comment, agent (votes also lock the comment before the agent)."""
    readcache.touch(session, readcache.post_tag(post_id), readcache.thread_tag(post_id))
    await session.execute(_BUMP_POST, {"post_id": post_id, "delta": delta})
    if submolt_id is not None and now is not None:
        params = {"submolt_id": submolt_id, "now": now, "stale_before": now - SUBMOLT_ACTIVITY_RESOLUTION}
        await session.execute(_TOUCH_SUBMOLT, params)
    if parent_id is not None:
        await session.execute(_BUMP_PARENT, {"parent": parent_id, "delta": delta})
    await session.execute(_BUMP_AUTHOR, {"author_id": author_id, "delta": delta})


async def mark_deleted(session: AsyncSession, comment_id: uuid.UUID, now: datetime) -> bool:
    """Soft-delete once: True only for the request that flipped the flag (races count once)."""
    stmt = (
        update(Comment)
        .where(Comment.id == comment_id, Comment.is_deleted.is_(False))
        .values(is_deleted=True, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def mark_removed(
    session: AsyncSession, comment_id: uuid.UUID, by: uuid.UUID, reason: str | None, now: datetime
) -> bool:
    stmt = (
        update(Comment)
        .where(Comment.id == comment_id, Comment.removed_at.is_(None))
        .values(removed_at=now, removed_by_id=by, removed_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
