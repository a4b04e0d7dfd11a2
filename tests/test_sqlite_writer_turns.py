"""SQLite writers of one process take turns (``db.begin_write``): one writing transaction at a
time, in the order they asked, and the turn passes on however the transaction ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reef.config import Settings
from reef.db import begin_write, create_engine, create_sessionmaker, session_scope


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}"))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE log (n INTEGER, event TEXT)"))
    yield engine
    await engine.dispose()


async def _settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_writers_take_turns_in_the_order_they_asked(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    order: list[tuple[int, str]] = []

    async def write(n: int) -> None:
        async with session_scope(sessions) as session:
            order.append((n, "in"))
            await session.execute(text("INSERT INTO log VALUES (:n, 'in')"), {"n": n})
            await asyncio.sleep(0.01)  # other writers ask meanwhile
            order.append((n, "out"))

    tasks = []
    for n in range(6):
        tasks.append(asyncio.create_task(write(n)))
        await _settle()
    await asyncio.gather(*tasks)
    assert order == [(n, step) for n in range(6) for step in ("in", "out")]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM log"))).scalar() == 6


@pytest.mark.parametrize("ending", ["commit", "rollback", "error", "close"])
async def test_the_turn_passes_on_however_the_transaction_ends(engine: AsyncEngine, ending: str) -> None:
    sessions = create_sessionmaker(engine)
    session: AsyncSession = sessions()
    await begin_write(session)
    await session.execute(text("INSERT INTO log VALUES (1, 'first')"))
    if ending == "commit":
        await session.commit()
    elif ending == "rollback":
        await session.rollback()
    elif ending == "error":
        with pytest.raises(Exception, match="no such table"):
            await session.execute(text("INSERT INTO missing VALUES (1)"))
        await session.rollback()
    await session.close()

    async def next_writer() -> None:
        async with session_scope(sessions) as other:
            await other.execute(text("INSERT INTO log VALUES (2, 'next')"))

    await asyncio.wait_for(next_writer(), 5)


async def test_a_writer_can_begin_again_after_ending_its_transaction(engine: AsyncEngine) -> None:
    """As a refused request does before revoking a leaked key in a session of its own."""
    sessions = create_sessionmaker(engine)
    async with sessions() as request_session:
        await begin_write(request_session)
        await request_session.execute(text("INSERT INTO log VALUES (1, 'refused')"))
        await request_session.rollback()
        await asyncio.wait_for(_write_in_own_session(sessions), 5)
        await begin_write(request_session)  # and the first session may write again
        await request_session.execute(text("INSERT INTO log VALUES (3, 'again')"))
        await request_session.commit()
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT n FROM log ORDER BY n"))).scalars().all()
    assert rows == [2, 3]


async def _write_in_own_session(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessions) as session:
        await session.execute(text("INSERT INTO log VALUES (2, 'own')"))
