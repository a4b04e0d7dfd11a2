"""Identity tokens: minted by agents, verified online by apps and offline with PyJWT and the JWKS."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, update

from reef.db import session_scope
from reef.identity.keys import SigningKey
from reef.kit.time import utcnow
from reef.models import Agent
from tests.fixtures import factories
from tests.identity.helpers import JWKS, MINT, app_key, mint, mint_at, refused, verify

ISSUER = "http://reef.test"


async def offline_keys(client: httpx.AsyncClient) -> jwt.PyJWKSet:
    """What a third party does once: fetch the published keys. Checking tokens needs no server."""
    resp = await client.get(JWKS)
    assert resp.status_code == 200
    return jwt.PyJWKSet.from_dict(resp.json())


async def signing_key(client: httpx.AsyncClient) -> SigningKey:
    """The server's own signing key, to sign tokens the server would never issue."""
    assert (await client.get(JWKS)).status_code == 200  # loads the keyring
    return client.app.state.identity_keyring.signing_key(utcnow())  # type: ignore[attr-defined,no-any-return]


def offline_verify(keyset: jwt.PyJWKSet, token: str, audience: str | None = None) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    options = {} if audience else {"verify_aud": False}
    return jwt.decode(  # type: ignore[no-any-return]
        token, keyset[kid], algorithms=["EdDSA"], issuer=ISSUER, audience=audience, options=options
    )


async def test_minted_token_verifies_online(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client, name="Clawd", description="a crab")
    key = await app_key(client)
    resp = await client.post(MINT, headers=agent.headers)
    assert resp.status_code == 200, resp.text
    minted = resp.json()
    assert minted["success"] is True and minted["token_type"] == "Bearer"
    assert minted["expires_in"] == 3600 and minted["audience"] is None and minted["hint"]
    expires = datetime.fromisoformat(minted["expires_at"])
    assert timedelta(minutes=59) < expires - utcnow() <= timedelta(hours=1)

    resp = await verify(client, key, minted["identity_token"])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["valid"] is True
    seen = body["agent"]
    assert seen["id"] == str(agent.agent.id) and seen["name"] == "Clawd" and seen["description"] == "a crab"
    assert seen["is_claimed"] is True and seen["stats"] == {"posts": 0, "comments": 0}
    assert seen["owner"]["handle"] and seen["owner"]["x_handle"] == seen["owner"]["handle"]
    assert {"karma", "avatar_url", "created_at", "follower_count"} <= set(seen)
    assert body["token"]["audience"] is None and body["token"]["expires_at"]


async def test_token_claims(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client, name="Claims")
    token = await mint(client, agent, audience="example.com")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["sub"] == str(agent.agent.id) and claims["name"] == "Claims"
    assert claims["aud"] == "example.com" and claims["exp"] - claims["iat"] == 3600 and len(claims["jti"]) == 32
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    other = await mint(client, agent, audience="example.com")
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims["jti"]


async def test_token_verifies_offline_against_published_keys(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client, name="Offline")
    resp = await client.get(JWKS)
    assert "max-age=" in resp.headers["cache-control"] and "public" in resp.headers["cache-control"]
    [jwk] = resp.json()["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA" and jwk["use"] == "sig"
    assert "d" not in jwk  # never the private part
    keyset = await offline_keys(client)

    bound = await mint(client, agent, audience="example.com")
    claims = offline_verify(keyset, bound, audience="example.com")
    assert claims["sub"] == str(agent.agent.id) and jwt.get_unverified_header(bound)["kid"] == jwk["kid"]
    with pytest.raises(jwt.InvalidAudienceError):
        offline_verify(keyset, bound, audience="evil.example")
    assert offline_verify(keyset, await mint(client, agent))["name"] == "Offline"


async def test_expired_token_is_refused_online_and_offline(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client)
    key = await app_key(client)
    token = await mint_at(client, agent, utcnow() - timedelta(hours=2))
    refused(await verify(client, key, token), 401, "identity_token_expired")
    keyset = await offline_keys(client)
    with pytest.raises(jwt.ExpiredSignatureError):
        offline_verify(keyset, token)
    # One that expired a minute ago, too.
    token = await mint_at(client, agent, utcnow() - timedelta(minutes=61))
    refused(await verify(client, key, token), 401, "identity_token_expired")


async def test_audience_rules(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client)
    key = await app_key(client)
    bound = await mint(client, agent, audience="example.com")
    refused(await verify(client, key, bound), 401, "audience_required")
    refused(await verify(client, key, bound, audience="evil.example"), 401, "audience_mismatch")
    refused(await verify(client, key, bound, audience="example.co"), 401, "audience_mismatch")
    assert (await verify(client, key, bound, audience="example.com")).json()["token"]["audience"] == "example.com"
    # An app that names its audience accepts only tokens bound to it: an unbound token could be
    # replayed by any app that received it.
    unbound = await mint(client, agent)
    refused(await verify(client, key, unbound, audience="example.com"), 401, "audience_mismatch")
    assert (await verify(client, key, unbound)).status_code == 200


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_tampered_and_forged_tokens_are_refused(client: httpx.AsyncClient) -> None:
    agent, other = await factories.agents(client, 2)
    key = await app_key(client)
    token = await mint(client, agent)
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    now = int(utcnow().timestamp())
    forger = Ed25519PrivateKey.generate()
    forged_claims = {**claims, "sub": str(other.agent.id)}
    cases = {
        "payload swapped": f"{header}.{_b64(forged_claims)}.{signature}",
        "signature flipped": f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}",
        "no signature": f"{header}.{payload}.",
        "alg none": jwt.encode(forged_claims, None, algorithm="none", headers={"kid": kid}),
        "HS256 with the public key": jwt.encode(forged_claims, "x" * 32, algorithm="HS256", headers={"kid": kid}),
        "another key, same kid": jwt.encode(forged_claims, forger, algorithm="EdDSA", headers={"kid": kid}),
        "unknown kid": jwt.encode(forged_claims, forger, algorithm="EdDSA", headers={"kid": "nope"}),
        "not a JWT": "hello",
        "empty": "",
        "API key": agent.key,
    }
    for label, bad in cases.items():
        body = refused(await verify(client, key, bad), 401, "invalid_token")
        assert "agent" not in body, label
    keyset = await offline_keys(client)
    with pytest.raises(jwt.InvalidSignatureError):
        offline_verify(keyset, cases["payload swapped"])
    # Well signed, but not by this instance's issuer, or lacking required claims.
    signer = await signing_key(client)
    for label, wrong in {
        "other issuer": {**claims, "iss": "http://elsewhere.test"},
        "no jti": {k: v for k, v in claims.items() if k != "jti"},
        "sub not an id": {**claims, "sub": "Clawd"},
        "iat in the future": {**claims, "iat": now + 3600, "exp": now + 7200},
    }.items():
        signed = jwt.encode(wrong, signer.private_key, algorithm="EdDSA", headers={"kid": signer.kid})
        assert (await verify(client, key, signed)).json()["error"] == "invalid_token", label


async def test_deactivated_suspended_and_deleted_agents_are_refused(client: httpx.AsyncClient) -> None:
    gone, revoked, suspended = await factories.agents(client, 3)
    key = await app_key(client)
    tokens = {a.agent.id: await mint(client, a) for a in (gone, revoked, suspended)}
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Agent).where(Agent.id == revoked.agent.id).values(is_active=False))
        until = utcnow() + timedelta(hours=3)
        await session.execute(update(Agent).where(Agent.id == suspended.agent.id).values(suspended_until=until))
        await session.execute(delete(Agent).where(Agent.id == gone.agent.id))
    refused(await verify(client, key, tokens[gone.agent.id]), 404, "agent_not_found")
    body = refused(await verify(client, key, tokens[revoked.agent.id]), 403, "agent_deactivated")
    assert body["reason"] == "deactivated"
    body = refused(await verify(client, key, tokens[suspended.agent.id]), 403, "agent_deactivated")
    assert body["reason"] == "suspended" and body["suspended_until"].startswith(str(until.year))


async def test_only_claimed_active_agents_mint(client: httpx.AsyncClient) -> None:
    unclaimed = await factories.agent(client, claimed=False)
    suspended = await factories.agent(client, suspended=True)
    assert (await client.post(MINT)).status_code == 401
    resp = await client.post(MINT, headers=unclaimed.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    resp = await client.post(MINT, headers=suspended.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_SUSPENDED"


async def test_mint_body_is_optional_and_validated(client: httpx.AsyncClient) -> None:
    agent = await factories.agent(client)
    h = agent.headers
    for kwargs in ({}, {"content": b""}, {"json": {}}, {"json": {"audience": "  "}}, {"json": {"other": 1}}):
        resp = await client.post(MINT, headers=h, **kwargs)  # type: ignore[arg-type]
        assert resp.status_code == 200 and resp.json()["audience"] is None, (kwargs, resp.text)
    resp = await client.post(MINT, headers=h, json={"audience": " example.com "})
    assert resp.json()["audience"] == "example.com"
    for bad in (5, ["a"], "x" * 256, "a\nb"):
        resp = await client.post(MINT, headers=h, json={"audience": bad})
        assert resp.status_code == 400 and resp.json()["field"] == "audience", (bad, resp.text)
    key = await app_key(client)
    resp = await client.post("/api/v1/agents/verify-identity", json={}, headers={"X-Moltbook-App-Key": key})
    assert resp.status_code == 400 and resp.json()["field"] == "token"
    resp = await verify(client, key, "x" * 5000)
    assert resp.status_code == 400 and resp.json()["field"] == "token"


async def test_verify_for_a_random_agent_id_is_not_found(client: httpx.AsyncClient) -> None:
    key = await app_key(client)
    signer = await signing_key(client)
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": ISSUER, "sub": str(uuid.uuid4()), "iat": now, "exp": now + 60, "jti": "x"}
    token = jwt.encode(claims, signer.private_key, algorithm="EdDSA", headers={"kid": signer.kid})
    refused(await verify(client, key, token), 404, "agent_not_found")
