"""`reef db upgrade` and `reef agents ...` against a temporary SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reef.cli.main import cli
from reef.config import Settings
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.models import Agent, ApiKey, OwnerAlert
from tests.fixtures.factories import make_agent, make_owner


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REEF_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def _run(url: str, work):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        engine = create_engine(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_claim_suspend_rotate_flow(db: str) -> None:
    async def setup(session):  # type: ignore[no-untyped-def]
        await make_owner(session, email="op@example.com")
        return (await make_agent(session, name="Clawd", claimed=False)).key

    old_key = _run(db, setup)
    runner = CliRunner()

    listing = runner.invoke(cli, ["agents", "list"])
    assert listing.exit_code == 0 and "Clawd" in listing.output and "pending_claim" in listing.output

    assert runner.invoke(cli, ["agents", "claim", "clawd", "--owner", "OP@example.com"]).exit_code == 0
    shown = runner.invoke(cli, ["agents", "show", "Clawd"])
    assert "op@example.com" in shown.output and old_key not in shown.output

    assert runner.invoke(cli, ["agents", "suspend", "Clawd", "--hours", "2", "--reason", "spam"]).exit_code == 0
    assert "suspended" in runner.invoke(cli, ["agents", "list"]).output
    assert runner.invoke(cli, ["agents", "unsuspend", "Clawd"]).exit_code == 0

    rotated = runner.invoke(cli, ["agents", "rotate-key", "Clawd"])
    assert rotated.exit_code == 0
    new_key = rotated.output.strip().splitlines()[-1]
    assert new_key.startswith("moltbook_sk_") and new_key != old_key

    async def check(session):  # type: ignore[no-untyped-def]
        agent = (await session.execute(select(Agent).where(Agent.name_key == "clawd"))).scalar_one()
        keys = (await session.execute(select(ApiKey).where(ApiKey.agent_id == agent.id))).scalars().all()
        alerts = (await session.execute(select(OwnerAlert).where(OwnerAlert.agent_id == agent.id))).scalars().all()
        return agent, keys, alerts

    agent, keys, alerts = _run(db, check)
    assert agent.is_claimed and agent.suspended_until is None
    # The owner cannot lift an operator's suspension, so they are told about it.
    assert [(a.kind, a.owner_id) for a in alerts] == [("suspended", agent.owner_id)]
    assert "suspended by the operator" in alerts[0].message and "spam" in alerts[0].message
    assert sorted(k.revoked_at is None for k in keys) == [False, True]


def test_unknown_agent_and_owner_are_clean_errors(db: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["agents", "show", "ghost"])
    assert result.exit_code == 1 and "No agent named 'ghost'" in result.output
    _run(db, lambda s: make_agent(s, name="Lonely", claimed=False))
    result = runner.invoke(cli, ["agents", "claim", "Lonely", "--owner", "nobody@example.com"])
    assert result.exit_code == 1 and "reef owners create" in result.output


def test_invalid_configuration_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REEF_RATE_LIMIT_POSTS", "whenever")
    result = CliRunner().invoke(cli, ["agents", "list"])
    assert result.exit_code == 1 and "Invalid configuration" in result.output
