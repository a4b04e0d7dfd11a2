"""The index itself: migration 0002 goes down and up on both databases (indexing what already
exists), and the queries use the index rather than scanning the tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from reef import migrate
from reef.config import Settings
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.search import fulltext_postgres, fulltext_sqlite, query
from reef.search.backend import Kind
from reef.search.service import backends
from reef.submolt.seed import seed_submolts
from tests.conftest import BACKENDS, empty_database
from tests.fixtures import factories
from tests.search.helpers import sessionmaker


async def _add_walrus(url: str, title: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url, database_pool_size=1))  # type: ignore[call-arg]
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            author = await factories.make_agent(session)
            post = await factories.make_post(session, author=author.agent, title=title, content="walrus tusks")
            await factories.make_comment(session, post=post, author=author.agent, content="a walrus comment")
    finally:
        await engine.dispose()


async def _found(url: str) -> dict[Kind, int]:
    engine = create_engine(Settings(_env_file=None, database_url=url, database_pool_size=1))  # type: ignore[call-arg]
    try:
        async with session_scope(create_sessionmaker(engine), write=False) as session:
            by_kind = backends(engine.dialect.name)
            parsed = query.parse("walrus")
            return {k: len(await by_kind[k].search(session, k, parsed, 50)) for k in (Kind.post, Kind.comment)}
    finally:
        await engine.dispose()


async def _search_objects(url: str) -> list[str]:
    engine = create_engine(Settings(_env_file=None, database_url=url, database_pool_size=1))  # type: ignore[call-arg]
    sql = (
        "SELECT name FROM sqlite_master WHERE name LIKE 'search%'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search%'"
    )
    try:
        async with engine.connect() as conn:
            return sorted(r[0] for r in await conn.execute(text(sql)))
    finally:
        await engine.dispose()


def _round_trip(url: str) -> None:
    # Rows are written at head (the models describe head, not older revisions); dropping back to
    # 0001 removes the index, and upgrading again must index the rows that already exist.
    migrate.upgrade(url)
    asyncio.run(_add_walrus(url, "Before the round trip"))
    assert asyncio.run(_found(url)) == {Kind.post: 1, Kind.comment: 1}
    assert asyncio.run(_search_objects(url))

    migrate.downgrade(url, "0001")
    assert asyncio.run(_search_objects(url)) == []

    migrate.upgrade(url)
    assert asyncio.run(_found(url)) == {Kind.post: 1, Kind.comment: 1}  # indexed by the upgrade
    asyncio.run(_add_walrus(url, "After the index"))  # and the triggers work again
    assert asyncio.run(_found(url)) == {Kind.post: 2, Kind.comment: 2}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_downgrade_and_upgrade(backend: str, tmp_path: Path) -> None:
    with empty_database(backend, tmp_path, "reef_search") as url:
        _round_trip(url)


async def test_queries_use_the_index(client: httpx.AsyncClient) -> None:
    parsed = query.parse('walrus "ice floe"')
    async with sessionmaker(client)() as session:
        if session.bind.dialect.name == "sqlite":
            for kind in (Kind.post, Kind.comment):
                sql = fulltext_sqlite._SQL[kind]
                params = {"match": fulltext_sqlite.match_expression(parsed), "limit": 5}
                plan = " | ".join(r[-1] for r in await session.execute(text("EXPLAIN QUERY PLAN " + sql), params))
                assert "VIRTUAL TABLE INDEX" in plan and "SCAN p" not in plan and "SCAN c" not in plan, plan
            return
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        for kind, index in [(Kind.post, "search_posts_fts"), (Kind.comment, "search_comments_fts")]:
            sql, params = fulltext_postgres.search_sql(kind, parsed)
            plan = "\n".join(r[0] for r in await session.execute(text("EXPLAIN " + sql), {**params, "limit": 5}))
            assert index in plan, plan
