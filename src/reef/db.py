"""Engine and session factories, and the one place a request's transaction commits.

SQLite runs in WAL mode with foreign keys on. Its transactions that will write start with
``BEGIN IMMEDIATE`` so that two writers queue on the database lock (``busy_timeout``) instead of
one failing when it upgrades a read lock; PostgreSQL writers serialise on row locks instead.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from reef import readcache
from reef.config import Settings
from reef.events import outbox
from reef.kit.loop_local import LoopLocal

log = logging.getLogger(__name__)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BEGIN_OPTION = "reef_sqlite_begin"
_NO_TRANSACTION = "NONE"
SQLITE_BUSY_SECONDS = 30  # how long a SQLite writer waits for the database before a 503


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        engine = create_async_engine(
            settings.database_url,
            connect_args={"timeout": SQLITE_BUSY_SECONDS},
            pool_size=settings.database_pool_size,
            max_overflow=0,
        )
        _configure_sqlite(engine)
        return engine
    # No pool_pre_ping: on asyncpg it costs three round trips per checkout. A connection that
    # died meanwhile fails its request with a 503 (errors.py) and is discarded; recycling keeps
    # connections younger than typical server-side idle timeouts.
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_recycle=1800,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the driver so we can choose BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        if mode != _NO_TRANSACTION:  # a read session's statements each run on their own
            conn.exec_driver_sql(f"BEGIN {mode}")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def begin_write(session: AsyncSession) -> None:
    """Begin the session's transaction as a writer. On SQLite, first wait for this process's
    writer turn (held until the transaction ends), then ``BEGIN IMMEDIATE``."""
    turn = _writer_turn(session.bind)
    if turn is not None:
        try:
            await asyncio.wait_for(turn.acquire(), SQLITE_BUSY_SECONDS)
        except TimeoutError:  # as busy_timeout would have failed: a 503, retry later
            raise PoolTimeoutError(f"no SQLite write turn within {SQLITE_BUSY_SECONDS} s") from None
        session.sync_session.info[_TURN_KEY] = turn
    try:
        await session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
    except BaseException:
        _end_writer_turn(session.sync_session)
        raise


# SQLite takes one writer at a time, and a writer that finds the database locked polls it with
# sleeps of up to 100 ms (busy_timeout): under load writes took seconds now and then. So the
# writers of one process take turns on an asyncio lock, in order and without polling; only
# writers of other processes still meet the busy timeout. One lock per engine and event loop.
_TURN_KEY = "reef_writer_turn"
_writer_turns: weakref.WeakKeyDictionary[Any, LoopLocal[asyncio.Lock]] = weakref.WeakKeyDictionary()


def _writer_turn(engine: Any) -> asyncio.Lock | None:
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return None
    turns = _writer_turns.get(engine.sync_engine)
    if turns is None:
        turns = _writer_turns[engine.sync_engine] = LoopLocal(asyncio.Lock)
    return turns.get()


@event.listens_for(Session, "after_transaction_end")
def _end_writer_turn(session: Session, transaction: Any = None) -> None:
    """The writer turn ends with the session's transaction (commit, rollback or close)."""
    if transaction is not None and transaction.parent is not None:
        return  # a savepoint ended; the transaction goes on
    turn = session.info.pop(_TURN_KEY, None)
    if turn is not None:
        turn.release()


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession], *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """One transaction for CLI commands and jobs: commit on success, roll back on error."""
    async with sessionmaker() as session:
        if write:
            await begin_write(session)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once after the endpoint returns and before the
    response is sent, so an acknowledged write is always durable. Live events the request
    recorded are published only after that commit."""
    sessionmaker = request.app.state.sessionmaker
    async with sessionmaker() as session:
        if request.method in WRITE_METHODS:
            await begin_write(session)
        try:
            yield session
            await session.commit()
        except BaseException:
            discard_after_commit(session)
            await session.rollback()
            raise
        await after_commit(session, request.app.state)


def discard_after_commit(session: AsyncSession) -> None:
    """Forget what a transaction that rolled back meant to announce."""
    outbox.take(session)
    readcache.take(session)


async def after_commit(session: AsyncSession, app_state: Any) -> None:
    """What a committed transaction announces: the cached pages (and cached keys) it changed are
    dropped in this process at once and in the others through the bus, with its live events."""
    events = outbox.take(session)
    stale = readcache.take(session)
    if stale:
        app_state.read_cache.invalidate(stale)
        events.append(readcache.invalidation_event(stale))
    if events:
        try:
            await app_state.events.publish(events)
        except Exception:  # the data is committed; a live update lost is not worth a failed request
            log.warning("could not publish %d live events", len(events), exc_info=True)


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for hot reads that write nothing (the cached post pages). Their connections run
    in autocommit, so a read makes no BEGIN and COMMIT round trips around its few SELECTs, and a
    session connects only when it runs a statement: a read answered from caches touches no
    connection at all."""
    # SQLite: no BEGIN (the driver's own transaction handling is off, see _configure_sqlite);
    # elsewhere the driver's autocommit. Switching SQLite's isolation level instead would leave
    # pooled connections in the driver's implicit-transaction mode afterwards.
    if engine.dialect.name == "sqlite":
        read_engine = engine.execution_options(**{_BEGIN_OPTION: _NO_TRANSACTION})
    else:
        read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(read_engine, expire_on_commit=False, autoflush=False)


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.read_sessionmaker() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]
