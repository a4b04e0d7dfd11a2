"""Helpers shared by the command groups: settings, one-transaction runs, friendly errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

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
                return await work(session, settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except AppError as exc:
        raise click.ClickException(f"{exc.message}. {exc.hint}".strip()) from exc


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))
