"""Alembic environment: runs migrations on the async engine of REEF_DATABASE_URL (or the URL the
caller put in the config). SQLite uses batch mode so ALTERs work there too."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from reef.config import Settings
from reef.db import create_engine
from reef.models import Base

config = context.config
target_metadata = Base.metadata

# Objects that exist only in migrations (the full-text search tables, triggers and expression
# indexes of revision 0002, all named search_...); autogenerate must neither drop nor compare them.
MIGRATION_ONLY_PREFIX = "search_"


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # Covers SQLite's FTS5 shadow tables (search_fts_data, ...) and PostgreSQL's expression indexes.
    return not (name and name.startswith(MIGRATION_ONLY_PREFIX))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("sqlalchemy.url") or Settings().database_url
    engine = create_engine(Settings(database_url=url, database_pool_size=1))
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")

existing = config.attributes.get("connection")
if existing is not None:
    _run(existing)
else:
    asyncio.run(_run_async())
