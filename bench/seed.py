"""Seed a benchmark database with a realistic network, by bulk inserts through SQLAlchemy Core.

    python -m bench.seed --database-url sqlite+aiosqlite:///bench/results/reef-bench.db --fresh
    python -m bench.seed --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/reef_bench --fresh --posts 200000

The database is migrated (``reef.migrate.upgrade``) and given its seeded submolts
(``reef.submolt.seed``) first, exactly as ``reef serve`` would. The rows come from
``bench.network``, with every counter and rank as the services keep them. The agents' plain API
keys, and a sample of post ids, go to a manifest file (under the git-ignored ``bench/results/``)
that the load driver reads.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bench import network
from reef import migrate
from reef.auth.passwords import hash_password
from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import (
    Agent,
    ApiKey,
    Comment,
    CommentVote,
    Follow,
    Owner,
    Post,
    PostVote,
    Submolt,
    SubmoltModerator,
    Subscription,
)
from reef.submolt.seed import seed_submolts

RESULTS_DIR = Path(__file__).parent / "results"
DEFAULT_SQLITE_URL = f"sqlite+aiosqlite:///{RESULTS_DIR / 'reef-bench.db'}"
BATCH_ROWS = 5000
HOT_SAMPLE = 500  # the posts agents mostly open: the top of the hot list
RANDOM_SAMPLE = 2000  # and some from anywhere in the archive


def manifest_path_for(database_url: str) -> Path:
    url = make_url(database_url)
    name = Path(url.database or "reef").stem if url.get_backend_name() == "sqlite" else url.database
    return RESULTS_DIR / f"{name}.manifest.json"


async def _admin_execute(database_url: str, statements: list[str]) -> None:
    admin_url = make_url(database_url).set(database="postgres")
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def recreate_database(database_url: str) -> None:
    """Start from nothing: delete the SQLite file, or drop and create the PostgreSQL database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.database
    asyncio.run(
        _admin_execute(database_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    )


def drop_database(database_url: str) -> None:
    """Drop the benchmark database and forget its manifest (its keys would no longer work)."""
    manifest_path_for(database_url).unlink(missing_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
    else:
        asyncio.run(_admin_execute(database_url, [f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)']))


async def _insert(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_ROWS):
        await conn.execute(table.insert(), rows[start : start + BATCH_ROWS])


async def seed_network(
    database_url: str, size: network.Size, seed: int = 42, sqlite_analyze: bool = False
) -> dict[str, Any]:
    """Insert a network into a migrated database that has no posts yet; returns the manifest.

    PostgreSQL is ANALYZEd afterwards (autovacuum would do it within a minute of a bulk load).
    SQLite gathers planner statistics only when told to, and Reef does not (yet) tell it, so it
    is analysed only with ``sqlite_analyze`` (see docs/performance.md for the difference)."""
    engine = create_async_engine(database_url)
    try:
        from reef.db import create_sessionmaker

        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
        async with engine.begin() as conn:
            if (await conn.execute(select(func.count()).select_from(Post))).scalar_one():
                raise SystemExit("The database already has posts; use --fresh to start from an empty one.")
            seeded = dict((await conn.execute(select(Submolt.name, Submolt.id))).all())
        net, seeded_counters = network.build(size, utcnow(), seeded, hash_password("bench owner password"), seed)
        async with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql("PRAGMA synchronous=OFF")
            for model, rows in (
                (Owner, net.owners),
                (Agent, net.agents),
                (ApiKey, net.api_keys),
                (Submolt, net.submolts),
                (SubmoltModerator, net.moderators),
                (Subscription, net.subscriptions),
                (Follow, net.follows),
                (Post, net.posts),
                (Comment, net.comments),
                (PostVote, net.post_votes),
                (CommentVote, net.comment_votes),
            ):
                await _insert(conn, model.__table__, rows)
            await conn.execute(
                update(Submolt.__table__)
                .where(Submolt.__table__.c.id == bindparam("b_id"))
                .values(
                    post_count=bindparam("post_count"),
                    subscriber_count=bindparam("subscriber_count"),
                    last_activity_at=bindparam("last_activity_at"),
                ),
                seeded_counters,
            )
        if engine.dialect.name == "postgresql" or sqlite_analyze:
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return _manifest(net, seed, len(seeded))


def _manifest(net: network.Network, seed: int, seeded_submolts: int) -> dict[str, Any]:
    rng = random.Random(seed)
    hot = sorted(net.posts, key=lambda p: p["hot_rank"], reverse=True)[:HOT_SAMPLE]
    anywhere = rng.sample(net.posts, min(RANDOM_SAMPLE, len(net.posts)))
    counts = net.counts()
    counts["submolts"] += seeded_submolts
    author_index = {agent["id"]: i for i, agent in enumerate(net.agents)}
    return {
        "counts": counts,
        "post_authors": {str(p["id"]): author_index[p["author_id"]] for p in [*hot, *anywhere]},
        "keys": net.plain_keys,
        "hot_post_ids": [str(p["id"]) for p in hot],
        "post_ids": [str(p["id"]) for p in anywhere],
    }


def seed_database(
    database_url: str,
    size: network.Size,
    *,
    fresh: bool = False,
    seed: int = 42,
    manifest: Path | None = None,
    sqlite_analyze: bool = False,
) -> Path:
    """Migrate, seed and write the manifest; returns the manifest's path."""
    if fresh:
        recreate_database(database_url)
    migrate.upgrade(database_url)
    data = asyncio.run(seed_network(database_url, size, seed, sqlite_analyze))
    data["database_url"] = make_url(database_url).render_as_string(hide_password=True)
    path = manifest or manifest_path_for(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_SQLITE_URL, help="async SQLAlchemy URL (REEF_DATABASE_URL form)"
    )
    parser.add_argument("--fresh", action="store_true", help="delete/recreate the database first")
    parser.add_argument("--agents", type=int, default=network.Size.agents)
    parser.add_argument("--submolts", type=int, default=network.Size.submolts)
    parser.add_argument("--posts", type=int, default=network.Size.posts, help="comments and votes scale with it")
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same network)")
    parser.add_argument("--manifest", type=Path, help="where to write keys and post ids")
    parser.add_argument("--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite too")
    args = parser.parse_args(argv)
    size = network.Size.scaled(args.posts)
    size.agents, size.submolts = args.agents, args.submolts
    started = time.perf_counter()
    path = seed_database(
        args.database_url,
        size,
        fresh=args.fresh,
        seed=args.seed,
        manifest=args.manifest,
        sqlite_analyze=args.sqlite_analyze,
    )
    counts = json.loads(path.read_text())["counts"]
    print(f"Seeded {counts} in {time.perf_counter() - started:.1f} s; manifest {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
