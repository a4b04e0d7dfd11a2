"""At most one active developer app per name, without regard to case, decided by the database
(a partial unique index on ``developer_apps.name_key``); and migration 0008, which revokes the
duplicates an older database may hold before it adds that index."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from reef import migrate
from reef.db import session_scope
from reef.errors import AppError
from reef.identity import repository, service
from reef.models import DeveloperApp
from tests.conftest import BACKENDS, empty_database


async def create(client: httpx.AsyncClient, name: str) -> DeveloperApp:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        app, _ = await service.create_developer_app(session, name)
    return app


async def active_names(client: httpx.AsyncClient) -> list[str]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return [a.name for a in await service.list_developer_apps(session)]


async def test_a_name_in_another_case_is_taken(client: httpx.AsyncClient) -> None:
    await create(client, "Example Games")
    for taken in ("example games", "EXAMPLE GAMES", "  Example Games  "):
        with pytest.raises(AppError) as refused:
            await create(client, taken)
        assert refused.value.status == 409 and refused.value.code == "CONFLICT", taken
        assert "already exists" in refused.value.message
    assert await active_names(client) == ["Example Games"]


async def test_a_revoked_name_can_be_used_again(client: httpx.AsyncClient) -> None:
    first = await create(client, "Example Games")
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        assert await service.revoke_developer_app(session, "EXAMPLE games") == "Example Games"
    second = await create(client, "example GAMES")
    assert second.id != first.id and await active_names(client) == ["example GAMES"]
    # Any number of revoked apps may share a name; only the active one is unique.
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await service.revoke_developer_app(session, "example games")
    await create(client, "Example Games")
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        everything = await service.list_developer_apps(session, include_revoked=True)
    assert sorted((a.name, a.revoked_at is None) for a in everything) == [
        ("Example Games", False),
        ("Example Games", True),
        ("example GAMES", False),
    ]


async def test_names_that_cannot_be_stored_are_refused(client: httpx.AsyncClient) -> None:
    # "İ" lower-cases to two characters: the key would not fit where the name does.
    for bad in ("", "   ", "x" * 101, "İ" * 100):
        with pytest.raises(AppError) as refused:
            await create(client, bad)
        assert refused.value.status == 400, bad
    assert (await create(client, "İ" * 50)).name_key == "i̇" * 50


async def test_the_database_refuses_a_second_active_app_of_one_name(client: httpx.AsyncClient) -> None:
    """The index itself, without the service's read-first check: what decides a race."""
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        first = await repository.insert_app(session, uuid.uuid4(), "Racer", "racer", "a" * 64, "moltdev_aaaa")
        second = await repository.insert_app(session, uuid.uuid4(), "RACER", "racer", "b" * 64, "moltdev_bbbb")
    assert first is not None and first.name == "Racer"
    assert second is None
    assert await active_names(client) == ["Racer"]


async def test_concurrent_creates_of_one_name_leave_one_active_app(client: httpx.AsyncClient) -> None:
    async def attempt(name: str) -> int:
        try:
            await create(client, name)
        except AppError as exc:
            return exc.status
        return 201

    codes = await asyncio.gather(*(attempt("Racer" if i % 2 else "racer") for i in range(10)))
    assert sorted(codes) == [201] + [409] * 9, codes
    assert [name.lower() for name in await active_names(client)] == ["racer"]


# --- migration 0008 on a database that already holds duplicates -------------------------------


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (migrations run outside the shared test database)."""
    with empty_database(request.param, tmp_path, "reef_apps") as url:
        yield url


def test_the_migration_revokes_all_but_the_oldest_active_app_of_each_name(empty_db: str) -> None:
    migrate.upgrade(empty_db, "0007")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    earlier_revocation = start + timedelta(days=1)
    # (name, created days after start, revoked_at): what two racing creates could have left.
    rows = [
        ("Games", 2, None),
        ("GAMES", 1, None),  # the oldest "games": kept
        ("games", 3, None),
        ("Games", 0, earlier_revocation),  # revoked already: left as it was
        ("Solo", 5, None),
        ("Twins", 4, None),  # same created_at: the smaller id is kept
        ("twins", 4, None),
    ]
    ids = sorted(uuid.uuid4() for _ in rows)
    twin_ids = ids[5], ids[6]

    async def seed() -> None:
        engine = create_async_engine(empty_db)
        async with engine.begin() as conn:
            for n, (app_id, (name, days, revoked)) in enumerate(zip(ids, rows, strict=True)):
                # Only the columns of revision 0007 (name_key comes with 0008).
                values = {"id": app_id, "name": name, "key_hash": f"{n:064d}", "key_prefix": "moltdev_abcd"}
                values |= {"created_at": start + timedelta(days=days), "revoked_at": revoked}
                await conn.execute(insert(DeveloperApp.__table__).values(**values))
        await engine.dispose()

    asyncio.run(seed())
    before = datetime.now(UTC)
    migrate.upgrade(empty_db)

    async def read() -> list[DeveloperApp]:
        engine = create_async_engine(empty_db)
        async with AsyncSession(engine) as session:
            apps = list((await session.scalars(select(DeveloperApp))).all())
        await engine.dispose()
        return apps

    apps = {a.id: a for a in asyncio.run(read())}
    active = sorted((a.name, a.name_key) for a in apps.values() if a.revoked_at is None)
    assert active == [("GAMES", "games"), ("Solo", "solo"), ("Twins", "twins")]
    assert apps[twin_ids[0]].revoked_at is None and apps[twin_ids[1]].revoked_at is not None
    newly_revoked = [a for a in apps.values() if a.revoked_at is not None and a.revoked_at >= before]
    assert sorted(a.name for a in newly_revoked) == ["Games", "games", "twins"]
    assert [a.revoked_at for a in apps.values() if a.created_at == start] == [earlier_revocation]

    # Down and up again: the index goes and comes back; the revocations stay.
    migrate.downgrade(empty_db, "0007")
    migrate.upgrade(empty_db)
    assert len([a for a in asyncio.run(read()) if a.revoked_at is None]) == 3
