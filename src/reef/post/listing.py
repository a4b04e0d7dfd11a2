"""Sorted, paged lists of posts: one implementation behind /posts, /submolts/{name}/feed and
/feed.

hot, new, top and controversial order by stored, indexed columns (``hot_rank``, ``created_at``,
``score``, ``controversy``; see the indexes on ``models.Post``), so every page is an index range
scan after the cursor however many posts exist. Every cursor also carries the sort it was made
for and a reference time (``ref``): the ``t`` window of top/controversial and the "now" of rising
stay fixed while a client pages, so pages neither repeat nor skip posts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.errors import AppError
from reef.kit.pagination import Page, decode_cursor, encode_cursor, invalid_cursor, keyset_page
from reef.kit.time import utcnow
from reef.models import Post
from reef.post import ranking, repository
from reef.post.schemas import PostSort, TimeWindow

# Each sort's keys, all descending, ending in the unique id (kit.pagination's rule).
SORT_KEYS: dict[PostSort, tuple[Any, ...]] = {
    PostSort.hot: (Post.hot_rank, Post.id),
    PostSort.new: (Post.created_at, Post.id),
    PostSort.top: (Post.score, Post.created_at, Post.id),
    PostSort.controversial: (Post.controversy, Post.id),
}
WINDOWS = {
    TimeWindow.hour: timedelta(hours=1),
    TimeWindow.day: timedelta(days=1),
    TimeWindow.week: timedelta(days=7),
    TimeWindow.month: timedelta(days=30),
    TimeWindow.year: timedelta(days=365),
}

# rising = (s + 1) / (age_hours + 2) ** 1.5 depends on "now", so it cannot be stored and indexed.
# It is computed over a bounded candidate set instead: the newest RISING_MAX_CANDIDATES posts of
# the last RISING_WINDOW. Older posts are not "rising" by any reading of the word, and the
# denominator agrees: at 3 days old a post needs ~220x the score of a brand-new one to rank with
# it. The bound keeps the cost of a rising page constant as posts accumulate.
RISING_WINDOW = timedelta(days=3)
RISING_MAX_CANDIDATES = 1000


def _invalid_cursor() -> AppError:
    return invalid_cursor(
        "Pass back the next_cursor of the previous page with the same sort, or omit it for the first page."
    )


def _cursor_context(cursor: str | None, sort: PostSort) -> tuple[list[Any] | None, datetime]:
    """The cursor's key values and reference time; a fresh reference time for a first page."""
    if not cursor:
        return None, utcnow()
    size = 2 if sort == PostSort.rising else len(SORT_KEYS[sort])
    values, extra = decode_cursor(cursor, size)
    if extra.get("s") != sort.value:
        raise _invalid_cursor()
    try:
        ref = datetime.fromisoformat(extra["ref"])
    except (KeyError, TypeError, ValueError):
        raise _invalid_cursor() from None
    if ref.tzinfo is None or not _well_typed(values, _KEY_TYPES[sort]):
        raise _invalid_cursor()
    return values, ref


# The Python type of each key value, checked so a forged cursor is a 400, never a database error.
_KEY_TYPES: dict[PostSort, tuple[str, ...]] = {
    PostSort.hot: ("float", "uuid"),
    PostSort.new: ("time", "uuid"),
    PostSort.top: ("int", "time", "uuid"),
    PostSort.controversial: ("float", "uuid"),
    PostSort.rising: ("float", "uuid"),
}
INT32 = 2**31


def _well_typed(values: list[Any], kinds: tuple[str, ...]) -> bool:
    for value, kind in zip(values, kinds, strict=True):
        if isinstance(value, bool):
            return False
        ok = {
            "float": isinstance(value, int | float) and abs(value) < 1e300,
            "int": isinstance(value, int) and -INT32 <= value < INT32,
            "time": isinstance(value, datetime) and value.tzinfo is not None,
            "uuid": isinstance(value, uuid.UUID),
        }[kind]
        if not ok:
            return False
    return True


async def page_of_posts(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    *,
    sort: PostSort,
    t: TimeWindow = TimeWindow.all,
    limit: int,
    cursor: str | None = None,
    offset: int | None = None,
) -> Page[Post]:
    """One page of visible posts matching ``filters`` in ``sort`` order."""
    values, ref = _cursor_context(cursor, sort)
    extra = {"s": sort.value, "ref": ref.isoformat()}
    if sort == PostSort.rising:
        return await _rising_page(session, filters, ref, values, limit=limit, offset=offset, extra=extra)
    where = list(filters)
    if sort in (PostSort.top, PostSort.controversial) and t in WINDOWS:
        where.append(Post.created_at >= ref - WINDOWS[t])
    page = await keyset_page(
        session,
        repository.visible_posts(where),
        list(SORT_KEYS[sort]),
        limit=limit,
        cursor=cursor,
        offset=offset,
        cursor_extra=extra,
    )
    return Page(items=[row[0] for row in page.items], has_more=page.has_more, next_cursor=page.next_cursor)


async def page_of_post_ids(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    *,
    sort: PostSort,
    t: TimeWindow = TimeWindow.all,
    limit: int,
    cursor: str | None = None,
    offset: int | None = None,
) -> Page[uuid.UUID]:
    """The same page as ``page_of_posts``, as post ids only: the sort keys come back as plain
    rows, no post is loaded (hot reads take the posts from the read cache)."""
    values, ref = _cursor_context(cursor, sort)
    extra = {"s": sort.value, "ref": ref.isoformat()}
    if sort == PostSort.rising:
        ids, has_more, next_cursor = await _rising_ids(session, filters, ref, values, limit, offset, extra)
        return Page(items=ids, has_more=has_more, next_cursor=next_cursor)
    where = list(filters)
    if sort in (PostSort.top, PostSort.controversial) and t in WINDOWS:
        where.append(Post.created_at >= ref - WINDOWS[t])
    keys = list(SORT_KEYS[sort])
    page = await keyset_page(
        session,
        select(*keys).where(*repository.is_visible(), *where),
        keys,
        limit=limit,
        cursor=cursor,
        offset=offset,
        key_of=list,
        cursor_extra=extra,
    )
    return Page(items=[row[-1] for row in page.items], has_more=page.has_more, next_cursor=page.next_cursor)


async def _rising_page(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    ref: datetime,
    after: list[Any] | None,
    *,
    limit: int,
    offset: int | None,
    extra: dict[str, Any],
) -> Page[Post]:
    ids, has_more, next_cursor = await _rising_ids(session, filters, ref, after, limit, offset, extra)
    posts = await repository.by_ids_in_order(session, ids)
    return Page(items=posts, has_more=has_more, next_cursor=next_cursor)


async def _rising_ids(
    session: AsyncSession,
    filters: Sequence[ColumnElement[bool]],
    ref: datetime,
    after: list[Any] | None,
    limit: int,
    offset: int | None,
    extra: dict[str, Any],
) -> tuple[list[uuid.UUID], bool, str | None]:
    candidates = await repository.rising_candidates(session, filters, ref - RISING_WINDOW, ref, RISING_MAX_CANDIDATES)
    ranked = sorted(
        (
            (ranking.rising(score, (ref - created).total_seconds() / 3600), post_id)
            for post_id, score, created in candidates
        ),
        reverse=True,
    )
    if after is not None:
        key = (float(after[0]), after[1])
        ranked = [entry for entry in ranked if entry < key]
    elif offset:
        ranked = ranked[offset:]
    has_more = len(ranked) > limit
    ranked = ranked[:limit]
    next_cursor = encode_cursor(list(ranked[-1]), extra) if has_more and ranked else None
    return [post_id for _, post_id in ranked], has_more, next_cursor
