"""Helpers shared by the command groups: settings, one-transaction runs, friendly errors."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from reef import readcache
from reef.config import Settings
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.errors import AppError

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's message names the bad variable
        raise click.ClickException(f"Invalid configuration: {exc}") from exc


def run_in_session(work: Callable[[AsyncSession, Settings], Awaitable[T]], settings: Settings | None = None) -> T:
    """Run ``work`` in one committed transaction; AppErrors become clean CLI errors."""
    settings = settings or load_settings()

    async def main() -> T:
        engine = create_engine(settings)
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                result = await work(session, settings)
                stale = readcache.take(session)
            await announce_to_servers(settings, stale)
            return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except AppError as exc:
        raise click.ClickException(f"{exc.message}. {exc.hint}".strip()) from exc


async def announce_to_servers(settings: Settings, stale: set[str]) -> None:
    """Tell running servers what a committed command changed (a revoked key, say), so their read
    caches drop it at once. That needs the servers' bus, Redis; without it a server notices within
    the caches' times to live (a key: ``REEF_READ_CACHE_AGENT_SECONDS``)."""
    if not stale or not settings.redis_url:
        return
    from reef.events.redis_bus import RedisBus  # imported only when configured

    bus = RedisBus(settings.redis_url)
    try:
        await bus.publish([readcache.invalidation_event(stale)])
    except Exception as exc:  # committed already; say so rather than fail the command
        click.echo(f"warning: could not tell running servers through Redis ({exc})", err=True)
    finally:
        await bus.close()


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def run_until_stopped(main: Callable[[asyncio.Event], Awaitable[T]]) -> T:
    """Run ``main(stop)``; the first Ctrl-C (or SIGTERM) sets ``stop`` so it can finish cleanly,
    a second one cancels it."""

    async def runner() -> T:
        stop = asyncio.Event()
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()

        def interrupted() -> None:
            if stop.is_set() and task is not None:
                task.cancel()
                return
            click.echo("\nStopping: agents finish their heartbeat (Ctrl-C again to stop at once) ...", err=True)
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, interrupted)
        try:
            return await main(stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    return asyncio.run(runner())


def log_agents_to(path: Path | None, level: int = logging.INFO) -> None:
    """Send the agent runtime's log (``reef.agents``) to ``path``, or to stderr when None."""
    logger = logging.getLogger("reef.agents")
    logger.setLevel(level)
    logger.propagate = False
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for old in logger.handlers:
        old.close()
    logger.handlers = [handler]
