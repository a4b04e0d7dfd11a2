"""Identity tokens: signed JWTs (EdDSA over Ed25519) minted for an agent, checked with PyJWT.

Claims: ``iss`` (the instance's public URL), ``sub`` (agent id), ``name``, ``aud`` (when the agent
names the app it is for), ``iat``, ``exp`` (one hour later), ``jti``. The header carries ``kid``,
the key in ``/.well-known/jwks.json`` that verifies it. Nothing here touches the database.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reef.identity.keys import ALGORITHM, TOKEN_LIFETIME, Keyring

REQUIRED_CLAIMS = ["iss", "sub", "iat", "exp", "jti"]


@dataclass(frozen=True)
class MintedToken:
    token: str
    kid: str
    jti: str
    issued_at: datetime
    expires_at: datetime
    audience: str | None


class TokenRefused(Exception):
    """A token that does not verify; ``code`` is the contract's error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def mint(
    ring: Keyring, *, issuer: str, agent_id: uuid.UUID, name: str, audience: str | None, now: datetime
) -> MintedToken:
    key = ring.signing_key(now)
    issued = now.replace(microsecond=0)
    expires = issued + TOKEN_LIFETIME
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": str(agent_id),
        "name": name,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if audience:
        claims["aud"] = audience
    token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})
    return MintedToken(token, key.kid, claims["jti"], issued, expires, audience)


def kid_of(token: str) -> str:
    """The ``kid`` from the token's header (not yet trusted: the signature is checked later)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise TokenRefused("invalid_token") from exc
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM or not isinstance(kid, str):
        raise TokenRefused("invalid_token")
    return kid


def verify(token: str, public_key: Ed25519PublicKey, *, issuer: str, audience: str | None) -> dict[str, Any]:
    """The token's claims if its signature, issuer, lifetime and audience hold."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": REQUIRED_CLAIMS, "verify_aud": False},
        )
    except jwt.ExpiredSignatureError as exc:  # raised only once the signature has verified
        raise TokenRefused("identity_token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenRefused("invalid_token") from exc
    check_audience(claims.get("aud"), audience)
    return claims


def check_audience(token_audience: object, wanted: str | None) -> None:
    """A token bound to an audience is valid only for that audience, and an app that names its
    audience accepts only tokens bound to it (an unbound token could be replayed by anyone who
    received it)."""
    bound = [token_audience] if isinstance(token_audience, str) else token_audience
    if bound is not None and not (isinstance(bound, list) and all(isinstance(a, str) for a in bound)):
        raise TokenRefused("invalid_token")
    if bound and wanted is None:
        raise TokenRefused("audience_required")
    if wanted is not None and not any(hmac.compare_digest(a.encode(), wanted.encode()) for a in bound or []):
        raise TokenRefused("audience_mismatch")


def claim_time(claims: dict[str, Any], name: str) -> datetime:
    """A time claim (``iat``, ``exp``) as a UTC datetime."""
    return datetime.fromtimestamp(int(claims[name]), UTC)


def audience_of(claims: dict[str, Any]) -> str | None:
    aud = claims.get("aud")
    return aud if isinstance(aud, str) else None
