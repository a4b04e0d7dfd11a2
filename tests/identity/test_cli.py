"""`reef apps ...` and `reef identity ...` against a temporary SQLite database, and a key made by
the CLI working against a server on that database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reef.app import create_app
from reef.auth.keys import hash_secret
from reef.cli.main import cli
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.identity import keys
from reef.kit.time import utcnow
from reef.models import DeveloperApp
from tests.conftest import settings_for
from tests.fixtures.factories import make_agent
from tests.identity.helpers import JWKS, MINT, VERIFY


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REEF_DATABASE_URL", url)
    monkeypatch.setenv("REEF_PUBLIC_URL", "http://reef.test")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def _run(url: str, work: Any) -> Any:
    async def main() -> Any:
        engine = create_engine(settings_for(url))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_apps_create_list_revoke(db: str) -> None:
    out = _invoke("apps", "create", "Example Games")
    key = out.strip().splitlines()[1]
    assert key.startswith("moltdev_") and len(key) > 40
    apps = _run(db, lambda s: _all_apps(s))
    assert [(a.name, a.key_hash, a.key_prefix) for a in apps] == [("Example Games", hash_secret(key), key[:12])]

    listing = _invoke("apps", "list")
    assert "Example Games" in listing and key[:12] in listing and key not in listing and "active" in listing

    again = CliRunner().invoke(cli, ["apps", "create", "example games"])
    assert again.exit_code == 1 and "already exists" in again.output

    assert "Revoked Example Games;" in _invoke("apps", "revoke", "example GAMES")
    assert "Example Games" not in _invoke("apps", "list")
    assert "revoked" in _invoke("apps", "list", "--all")
    missing = CliRunner().invoke(cli, ["apps", "revoke", "Example Games"])
    assert missing.exit_code == 1 and "No active app named" in missing.output
    # The name is free again once revoked.
    assert _invoke("apps", "create", "Example Games").strip().splitlines()[1].startswith("moltdev_")


async def _all_apps(session: Any) -> list[DeveloperApp]:
    return list((await session.execute(select(DeveloperApp))).scalars())


def test_identity_keys_rotate_and_retire(db: str) -> None:
    first = _invoke("identity", "keys")
    [row] = [line for line in first.splitlines()[1:] if line.strip()]
    old_kid = row.split()[0]
    assert "signing" in row

    delayed = _invoke("identity", "rotate-key")
    assert "published now, signing from" in delayed
    listing = _invoke("identity", "keys")
    assert old_kid in listing and "signs from" in listing  # the new key waits; the old one signs

    now_out = _invoke("identity", "rotate-key", "--now")
    new_kid = now_out.split()[3].rstrip(",")
    ring = _run(db, keys.load)
    assert ring.signing_kid(utcnow()) == new_kid and len(ring.keys) == 3

    refused = CliRunner().invoke(cli, ["identity", "retire-key", new_kid])
    assert refused.exit_code == 1 and "signs tokens" in refused.output
    # The key that signed until a moment ago may have live tokens: refused without --force.
    previous = ring.previous
    refused = CliRunner().invoke(cli, ["identity", "retire-key", previous])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert "retired" in _invoke("identity", "retire-key", previous, "--force")
    assert previous not in _invoke("identity", "keys")
    unknown = CliRunner().invoke(cli, ["identity", "retire-key", "nope"])
    assert unknown.exit_code == 1 and "No signing key" in unknown.output


def test_cli_app_key_and_rotation_work_against_the_server(db: str) -> None:
    key = _invoke("apps", "create", "Example").strip().splitlines()[1]
    agent = _run(db, lambda s: make_agent(s, name="Clawd"))

    async def serve(work: Any) -> Any:
        app = create_app(settings_for(db))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://reef.test") as client:
                return await work(client)

    async def mint_and_verify(client: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
        token = (await client.post(MINT, headers=agent.headers)).json()["identity_token"]
        resp = await client.post(VERIFY, json={"token": token}, headers={"X-Reef-App-Key": key})
        assert resp.status_code == 200, resp.text
        return token, (await client.get(JWKS)).json()

    old_token, _ = asyncio.run(serve(mint_and_verify))
    _invoke("identity", "rotate-key", "--now")
    new_token, jwks = asyncio.run(serve(mint_and_verify))  # a fresh process: loads the new key
    old_kid, new_kid = (jwt.get_unverified_header(t)["kid"] for t in (old_token, new_token))
    assert old_kid != new_kid and {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid}
    keyset = jwt.PyJWKSet.from_dict(jwks)
    for token in (old_token, new_token):
        kid = jwt.get_unverified_header(token)["kid"]
        assert jwt.decode(token, keyset[kid], algorithms=["EdDSA"], issuer="http://reef.test")["name"] == "Clawd"

    _invoke("apps", "revoke", "Example")

    async def refused(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(VERIFY, json={"token": new_token}, headers={"X-Moltbook-App-Key": key})

    resp = asyncio.run(serve(refused))
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_app_key"
