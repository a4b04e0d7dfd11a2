"""``reef owners`` against a temporary SQLite database, as an operator would run it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from reef import migrate
from reef.auth.keys import hash_secret
from reef.auth.passwords import verify_password
from reef.cli.main import cli
from reef.models import Owner, OwnerInvite

PASSWORD = "a long enough password"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    yield url


@pytest.fixture
def run(database: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"REEF_DATABASE_URL": database, "REEF_PUBLIC_URL": "https://reef.example/"}

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["owners", *args], env=env, input=input)

    return invoke


def rows(database: str, model: type) -> list:  # type: ignore[type-arg]
    async def fetch() -> list:  # type: ignore[type-arg]
        engine = create_async_engine(database)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(select(model))).all())
        finally:
            await engine.dispose()

    return asyncio.run(fetch())


def test_create_and_list(run, database: str) -> None:  # type: ignore[no-untyped-def]
    result = run("create", "--email", "Ada@Example.com", "--password", PASSWORD, "--handle", "Ada", "--admin")
    assert result.exit_code == 0, result.output
    assert "Created owner @ada (ada@example.com) with admin rights" in result.output
    result = run("create", "--email", "bob@example.com", "--password", PASSWORD)
    assert result.exit_code == 0 and "@bob" in result.output

    [ada, bob] = sorted(rows(database, Owner), key=lambda r: r.email)
    assert ada.is_admin and not bob.is_admin and verify_password(ada.password_hash, PASSWORD)

    result = run("list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["HANDLE", "EMAIL", "ADMIN", "AGENTS", "CREATED", "LAST", "LOGIN"]
    assert any("@ada" in line and "yes" in line for line in lines) and any("@bob" in line for line in lines)


def test_create_prompts_for_the_password(run, database: str) -> None:  # type: ignore[no-untyped-def]
    result = run("create", "--email", "p@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    [owner] = rows(database, Owner)
    assert verify_password(owner.password_hash, PASSWORD)


def test_create_refuses_bad_input_cleanly(run, database: str) -> None:  # type: ignore[no-untyped-def]
    assert run("create", "--email", "a@example.com", "--password", PASSWORD).exit_code == 0
    for args, message in [
        (["--email", "A@example.com", "--password", PASSWORD], "already exists"),
        (["--email", "c@example.com", "--password", "short"], "at least 10 characters"),
        (["--email", "nope", "--password", PASSWORD], "email address"),
        (["--email", "d@example.com", "--password", PASSWORD, "--handle", "x"], "Handle must be"),
    ]:
        result = run("create", *args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert len(rows(database, Owner)) == 1


def test_invite_prints_a_url_and_stores_only_a_hash(run, database: str) -> None:  # type: ignore[no-untyped-def]
    result = run("invite", "--email", "Guest@Example.com", "--days", "3")
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("https://reef.example/signup?invite=reef_invite_")
    assert "guest@example.com" in result.output
    token = url.split("invite=", 1)[1]
    [invite] = rows(database, OwnerInvite)
    assert invite.token_hash == hash_secret(token) and invite.email == "guest@example.com" and invite.used_at is None

    assert run("invite").exit_code == 0
    assert run("invite", "--days", "0").exit_code == 2
    assert len(rows(database, OwnerInvite)) == 2


def test_list_with_no_owners(run) -> None:  # type: ignore[no-untyped-def]
    result = run("list")
    assert result.exit_code == 0 and "(none)" in result.output
