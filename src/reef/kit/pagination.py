"""Keyset (cursor) pagination shared by every list.

A cursor is the sort key of the last item returned, base64url-encoded JSON. The next page asks
for rows strictly after it in the same order, so rows arriving meanwhile never cause duplicates
or gaps. Every sort ends in a unique column (the id), and all its keys run the same direction so
one row-value comparison (``(a, b, id) < (:a, :b, :id)``) serves an index range scan.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.errors import AppError

T = TypeVar("T")

DEFAULT_LIMIT = 25
MAX_LIMIT = 100

# The query parameters of a paged list endpoint, written once for every domain.
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"1-{MAX_LIMIT}, default {DEFAULT_LIMIT}")]
CursorQuery = Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_more: bool
    next_cursor: str | None


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": value.hex}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "u" in value:
            return uuid.UUID(hex=value["u"])
    return value


def encode_cursor(values: Sequence[Any], extra: dict[str, Any] | None = None) -> str:
    payload = {"k": [_to_json(v) for v in values], **(extra or {})}
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def invalid_cursor(
    hint: str = "Pass back the next_cursor of the previous page unchanged, or omit it for the first page.",
) -> AppError:
    return AppError(400, "INVALID_CURSOR", "Invalid cursor", hint, field="cursor")


def decode_cursor(cursor: str, size: int) -> tuple[list[Any], dict[str, Any]]:
    """The key values and any extra fields of a cursor made by ``encode_cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        values = [_from_json(v) for v in payload["k"]]
        if not isinstance(payload, dict) or len(values) != size:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise invalid_cursor() from None
    return values, {k: v for k, v in payload.items() if k != "k"}


INT32 = 2**31


def cursor_fits(values: Sequence[Any], kinds: Sequence[type]) -> bool:
    """Whether decoded cursor values have the types of their key columns (int within 32 bits,
    timezone-aware datetimes, ...): check before the values reach SQL, where a forged cursor
    would otherwise be a database error (PostgreSQL) or a silent mismatch (SQLite)."""
    for value, kind in zip(values, kinds, strict=True):
        if isinstance(value, bool):
            return False
        if kind is int:
            ok = isinstance(value, int) and -INT32 <= value < INT32
        elif kind is float:
            ok = isinstance(value, int | float) and abs(value) < 1e300
        elif kind is datetime:
            ok = isinstance(value, datetime) and value.tzinfo is not None
        else:
            ok = isinstance(value, kind)
        if not ok:
            return False
    return True


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    *,
    limit: int,
    cursor: str | None = None,
    offset: int | None = None,
    descending: bool = True,
    key_of: Any = None,
    cursor_extra: dict[str, Any] | None = None,
) -> Page[Any]:
    """Run ``stmt`` ordered by ``keys`` and return one page.

    ``key_of(row)`` gives a row's key values (default: attributes named like the key columns
    on the row's first element). ``offset`` is accepted for old clients when no cursor is given.
    """
    row_key = tuple_(*keys)
    if cursor:
        values, _ = decode_cursor(cursor, len(keys))
        stmt = stmt.where(row_key < tuple_(*values) if descending else row_key > tuple_(*values))
    elif offset:
        stmt = stmt.offset(offset)
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = list((await session.execute(stmt.order_by(*order).limit(limit + 1))).all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        values = key_of(last) if key_of else [getattr(last[0], str(k.key)) for k in keys]
        next_cursor = encode_cursor(values, cursor_extra)
    return Page(items=rows, has_more=has_more, next_cursor=next_cursor)
