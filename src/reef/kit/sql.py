"""Portable SQL helpers for the two databases we run on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING. True when a row was inserted.

    Uniqueness lives in the database: concurrent identical requests race here and exactly one
    of them inserts, without aborting the others' transactions.
    """
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(insert(table).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind else "sqlite"


class utc_date(FunctionElement[date]):  # lower case: used like the SQL function it stands for
    """The UTC calendar day of a timestamp column, on both databases: SQLite stores UTC text
    (``date(col)``); PostgreSQL converts a timestamptz to UTC before taking its date (the
    session's time zone must not move the day)."""

    type = Date()
    inherit_cache = True


@compiles(utc_date)
def _utc_date_default(element: utc_date, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element: utc_date, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC')::date"
