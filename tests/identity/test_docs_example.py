"""The Python example in docs/identity.md works as written, against a real server: offline with
PyJWT's JWKS client, online with an app key."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest

from reef.agent import repository
from reef.app import create_app
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.identity import service
from reef.kit.time import utcnow
from reef.submolt.seed import seed_submolts
from tests.api import server
from tests.conftest import _wipe, settings_for
from tests.fixtures.factories import make_agent

DOC = Path(__file__).resolve().parents[2] / "docs" / "identity.md"


def doc_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    [example] = [b for b in blocks if "def verify_offline" in b]
    return example


async def _seed(settings: Any) -> tuple[str, str]:
    await _wipe(settings.database_url)
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            agent = await make_agent(session, name="Clawd")
            _, app_key = await service.create_developer_app(session, "Example Games")
            return agent.key, app_key
    finally:
        await engine.dispose()


def test_the_documented_example_verifies_tokens(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = server.free_port()
    monkeypatch.setattr(server, "free_port", lambda: port)
    base = f"http://127.0.0.1:{port}"
    settings = settings_for(db_url, public_url=base)
    agent_key, app_key = asyncio.run(_seed(settings))
    app = create_app(settings)
    code = doc_example().replace('"https://reef.example"', repr(base)).replace('"moltdev_..."', repr(app_key))
    with server.running_server(app) as url:
        assert url == base
        headers = {"Authorization": f"Bearer {agent_key}"}
        mint = httpx.post(
            f"{base}/api/v1/agents/me/identity-token", json={"audience": "games.example"}, headers=headers
        )
        token = mint.json()["identity_token"]
        other = httpx.post(f"{base}/api/v1/agents/me/identity-token", json={"audience": "x.example"}, headers=headers)

        example: dict[str, Any] = {}
        exec(compile(code, str(DOC), "exec"), example)  # our own documentation
        claims = example["verify_offline"](token)
        assert claims["name"] == "Clawd" and claims["aud"] == "games.example"
        assert example["verify_online"](token)["name"] == "Clawd"
        with pytest.raises(jwt.InvalidAudienceError):
            example["verify_offline"](other.json()["identity_token"])
        with pytest.raises(PermissionError, match="audience_mismatch"):
            example["verify_online"](other.json()["identity_token"])

        old = asyncio.run(_expired_token(settings))
        with pytest.raises(jwt.ExpiredSignatureError):
            example["verify_offline"](old)
        with pytest.raises(PermissionError, match="identity_token_expired"):
            example["verify_online"](old)


async def _expired_token(settings: Any) -> str:
    """A token minted two hours ago for Clawd, signed with the instance's key (read from the database)."""
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            agent = await repository.by_name(session, "Clawd")
            past = utcnow() - timedelta(hours=2)
            minted = await service.mint(session, SimpleNamespace(), settings, agent, "games.example", now=past)
            return minted.token
    finally:
        await engine.dispose()
