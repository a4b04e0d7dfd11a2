"""Guard: the migrations build exactly the schema the models describe, on both databases, and go
down and up again cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from reef import migrate
from reef.models import Base
from tests.conftest import empty_database


def _assert_no_drift(url: str) -> None:
    """Alembic's own check: autogenerate (through env.py and its filters) finds nothing to do."""
    command.check(migrate.alembic_config(url))


def _cycle(url: str) -> None:
    migrate.upgrade(url)
    _assert_no_drift(url)
    migrate.downgrade(url, "base")
    migrate.upgrade(url)
    _assert_no_drift(url)


def test_sqlite_migrations_match_models_and_round_trip(tmp_path: Path) -> None:
    with empty_database("sqlite", tmp_path, "reef_migr") as url:
        _cycle(url)


def test_postgres_migrations_match_models_and_round_trip(tmp_path: Path) -> None:
    with empty_database("postgresql", tmp_path, "reef_migr") as url:
        _cycle(url)


def test_every_foreign_key_is_indexed() -> None:
    """Convention 4: every foreign key has an index whose first column is the key column."""
    missing = []
    for table in Base.metadata.sorted_tables:
        leading = {idx.columns.values()[0].name for idx in table.indexes}
        leading |= {c.columns.values()[0].name for c in table.constraints if hasattr(c, "columns") and c.columns}
        for fk in table.foreign_keys:
            if fk.parent.name not in leading:
                missing.append(f"{table.name}.{fk.parent.name}")
    assert missing == []


@pytest.mark.parametrize("revision", ["head"])
def test_single_head(revision: str) -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    from reef.config import Settings
    from reef.db import create_engine

    async def run() -> str:
        engine = create_engine(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"))
        async with engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await engine.dispose()
        return f"{mode}/{fks}"

    assert asyncio.run(run()) == "wal/1"
