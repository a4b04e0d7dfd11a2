from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from reef import migrate
from reef.config import Settings
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.instance.maintenance import MIN_POSTS_FOR_STATISTICS, refresh_sqlite_statistics
from tests.fixtures.factories import make_agent, make_post


def test_sqlite_statistics_are_gathered_once_the_network_is_big_enough(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}"
    migrate.upgrade(url)
    asyncio.run(_check(url))


async def _check(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    try:
        assert await refresh_sqlite_statistics(engine) is False  # a new instance: leave the planner alone
        async with session_scope(create_sessionmaker(engine)) as session:
            from reef.submolt.seed import seed_submolts

            await seed_submolts(session)
            author = await make_agent(session)
            for _ in range(MIN_POSTS_FOR_STATISTICS):
                await make_post(session, author=author.agent)
        assert await refresh_sqlite_statistics(engine) is True
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'posts'"))).scalar_one()
        assert rows > 0
    finally:
        await engine.dispose()
