"""Signing keys: one per instance shared by every server process, rotation without breaking
tokens already handed out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jwt

from reef.db import session_scope
from reef.identity import keys
from reef.kit.time import utcnow
from tests.fixtures import factories
from tests.identity.helpers import JWKS, app_key, mint, refused, verify


def kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def rotate(client: httpx.AsyncClient, *, immediately: bool) -> str:
    """What `reef identity rotate-key` does; then this process reloads its keyring at once."""
    app = client.app  # type: ignore[attr-defined]
    async with session_scope(app.state.sessionmaker) as session:
        new_kid, _ = await keys.rotate(session, immediately=immediately)
    keys.forget(app.state)
    return new_kid


async def test_old_tokens_verify_after_rotation_and_new_ones_use_the_new_key(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client)
    key = await app_key(client)
    old = await mint(client, agent, audience="example.com")
    new_kid = await rotate(client, immediately=True)
    new = await mint(client, agent, audience="example.com")
    assert kid(new) == new_kid != kid(old)
    for token in (old, new):
        resp = await verify(client, key, token, audience="example.com")
        assert resp.status_code == 200 and resp.json()["agent"]["id"] == str(agent.agent.id)
    published = (await client.get(JWKS)).json()["keys"]
    assert [k["kid"] for k in published] == [new_kid, kid(old)]  # newest first
    keyset = jwt.PyJWKSet.from_dict({"keys": published})
    for token in (old, new):
        jwt.decode(token, keyset[kid(token)], algorithms=["EdDSA"], audience="example.com")


async def test_a_rotation_publishes_first_and_signs_later(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client)
    before = await mint(client, agent)
    new_kid = await rotate(client, immediately=False)
    assert new_kid in {k["kid"] for k in (await client.get(JWKS)).json()["keys"]}
    assert kid(await mint(client, agent)) == kid(before)  # still the old key, for ten minutes
    ring = client.app.state.identity_keyring  # type: ignore[attr-defined]
    assert ring.signing_kid(utcnow() + keys.ACTIVATION_DELAY) == new_kid


async def test_every_server_process_signs_with_the_same_key(app_factory: Callable[..., Any]) -> None:
    async with app_factory() as first, app_factory() as second:
        agent = await factories.agent(first)
        key = await app_key(first)
        token = await mint(first, agent)
        assert (await verify(second, key, token)).status_code == 200
        assert kid(await mint(second, agent)) == kid(token)
        assert (await first.get(JWKS)).json() == (await second.get(JWKS)).json()


async def test_another_process_picks_up_a_rotation_on_an_unknown_kid(app_factory: Callable[..., Any]) -> None:
    async with app_factory() as first, app_factory() as second:
        agent = await factories.agent(first)
        key = await app_key(first)
        assert (await verify(second, key, await mint(second, agent))).status_code == 200  # second caches its keys
        second.app.state.identity_keyring = _aged(second.app.state.identity_keyring)  # type: ignore[attr-defined]
        await rotate(first, immediately=True)
        token = await mint(first, agent)
        assert (await verify(second, key, token)).status_code == 200


def _aged(ring: keys.Keyring) -> keys.Keyring:
    """The same keyring, loaded long enough ago that an unknown kid may trigger a reload."""
    return keys.Keyring(ring.keys, ring.current, ring.previous, ring.active_from, ring.loaded_at - 30)


async def test_a_token_from_another_instance_is_refused(app_factory: Callable[..., Any]) -> None:
    """Same database and keys, but another public URL (issuer): its tokens are not ours."""
    async with app_factory(public_url="http://elsewhere.test") as other, app_factory() as ours:
        agent = await factories.agent(ours)
        key = await app_key(ours)
        token = await mint(other, agent)
        refused(await verify(ours, key, token), 401, "invalid_token")
