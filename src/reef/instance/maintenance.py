"""Periodic upkeep a server process does for its database.

SQLite has no autovacuum daemon to gather planner statistics: without them it can pick a plan
that reads every post of a submolt for a 15-post feed page (see docs/performance.md). Each
process refreshes them with a sampled ``ANALYZE`` (bounded by ``analysis_limit``) at start-up and
then hourly. PostgreSQL's autovacuum does this by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
ANALYZE_EVERY_SECONDS = 3600
ANALYSIS_LIMIT = 1000  # rows sampled per index: milliseconds even on large tables
# Below this many posts SQLite's built-in assumptions (big tables, use the index) plan well, and
# statistics of a nearly empty database would mislead it as the network grows.
MIN_POSTS_FOR_STATISTICS = 1000


async def refresh_sqlite_statistics(engine: AsyncEngine) -> bool:
    """ANALYZE when the database is big enough for statistics to matter; True when it did."""
    async with engine.begin() as conn:
        posts = (await conn.execute(text("SELECT count(*) FROM posts"))).scalar_one()
        if posts < MIN_POSTS_FOR_STATISTICS:
            return False
        await conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        await conn.execute(text("ANALYZE"))
        return True


async def _every_hour(engine: AsyncEngine) -> None:
    while True:
        try:
            await refresh_sqlite_statistics(engine)
        except Exception:  # a busy or read-only database: try again next time
            log.warning("could not refresh SQLite planner statistics", exc_info=True)
        await asyncio.sleep(ANALYZE_EVERY_SECONDS)


@contextlib.asynccontextmanager
async def upkeep(engine: AsyncEngine) -> AsyncIterator[None]:
    """Run the upkeep in the background for as long as the app lives."""
    if engine.dialect.name != "sqlite":
        yield
        return
    task = asyncio.create_task(_every_hour(engine), name="reef-sqlite-analyze")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
