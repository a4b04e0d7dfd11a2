"""Test harness.

Every test that uses ``client`` or ``session`` runs once on SQLite and once on PostgreSQL (the
``db_url`` fixture is parametrised). Each backend gets one freshly migrated database per test run;
tables are emptied and re-seeded before each test. PostgreSQL and Redis tests skip with a reason
when the servers are unreachable, and fail instead when ``CI=true``.

``REEF_TEST_DATABASES=sqlite`` (or ``postgresql``) narrows a local run to one backend.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from reef import migrate
from reef.app import create_app
from reef.config import Settings
from reef.db import session_scope
from reef.models import Base
from reef.submolt.seed import seed_submolts

PG_ADMIN_URL = os.environ.get("REEF_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = [b.strip() for b in os.environ.get("REEF_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: CI must run every backend."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires it)", pytrace=False)
    pytest.skip(reason)


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@contextmanager
def empty_database(backend: str, directory: Path, prefix: str) -> Iterator[str]:
    """The URL of a database of its own, with no tables yet: a SQLite file in ``directory``, or a
    PostgreSQL database dropped afterwards (``unavailable`` when PostgreSQL cannot be reached)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'{prefix}.db'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused, auth, ...
        unavailable(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(request.param, Path(tmp_path_factory.mktemp("db")), "reef_test") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:
        unavailable(f"Redis unreachable at {REDIS_URL}: {exc.__class__.__name__}")
    return REDIS_URL


def settings_for(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "public_url": "http://reef.test",
        "rate_limits_enabled": False,
        # Tests of other features see content published at once; verification tests opt in.
        "verification_mode": "off",
        "secret_key": "test-secret-key-not-for-production",
        "database_pool_size": 5,
        # Many tests write rows directly (factories) and read them back at once through the API;
        # the read cache's own tests (tests/post/test_read_cache.py) turn it on.
        "read_cache_seconds": 0,
        "read_cache_post_seconds": 0,
        "read_cache_agent_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def _wipe(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await conn.execute(text(f"DELETE FROM {table}"))
            await _wipe_extra(conn)
    finally:
        await engine.dispose()


async def _wipe_extra(conn: Any) -> None:
    """Hook for migration-only tables (e.g. full-text indexes) that must be emptied too."""
    if conn.dialect.name == "sqlite":  # the FTS5 index (PostgreSQL keeps its vectors on the rows)
        await conn.execute(text("DELETE FROM search_fts"))
        await conn.execute(text("DELETE FROM search_docs"))


@pytest.fixture
async def app_factory(db_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Build apps on the clean test database: ``async with app_factory(**settings) as client``."""
    await _wipe(db_url)
    stack: list[Any] = []

    class _Running:
        def __init__(self, **overrides: Any) -> None:
            self.settings = settings_for(db_url, **overrides)
            self.app = create_app(self.settings, redis_namespace=f"reef-test-{uuid.uuid4().hex[:8]}")

        async def __aenter__(self) -> httpx.AsyncClient:
            self._lifespan = self.app.router.lifespan_context(self.app)
            await self._lifespan.__aenter__()
            async with session_scope(self.app.state.sessionmaker) as session:
                await seed_submolts(session)
            transport = httpx.ASGITransport(app=self.app, client=("203.0.113.7", 50000))
            self.client = httpx.AsyncClient(transport=transport, base_url="http://reef.test")
            self.client.app = self.app  # type: ignore[attr-defined]
            return self.client

        async def __aexit__(self, *exc: object) -> None:
            await self.client.aclose()
            await self._lifespan.__aexit__(None, None, None)

    def make(**overrides: Any) -> _Running:
        running = _Running(**overrides)
        stack.append(running)
        return running

    yield make


@pytest.fixture
async def client(app_factory: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh app with default test settings (rate limits off)."""
    async with app_factory() as c:
        yield c


@pytest.fixture
async def session(client: httpx.AsyncClient) -> AsyncIterator[AsyncSession]:
    """A session on the same database as ``client``, committed at the end of the test step that
    uses it (use ``async with fresh_session(client)`` to read after requests)."""
    async with client.app.state.sessionmaker() as s:  # type: ignore[attr-defined]
        yield s
        await s.commit()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
