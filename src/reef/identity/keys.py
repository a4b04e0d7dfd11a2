"""The instance's Ed25519 signing keys for identity tokens.

Keys live in the database (InstanceSecret rows ``identity_ed25519_<kid>`` holding the PEM private
key) so every server process signs with the same key. A pointer row (``identity_signing``) says
which key signs: ``{"current", "previous", "active_from"}``.

Rotation adds a new key that is *published* at once but *signs* only from ``active_from``
(10 minutes later by default): by then every process has reloaded its keyring (each reloads at
least every minute) and verifiers holding a cached JWKS (max-age 5 minutes) have fetched one
that lists the new key. Old public keys stay in the JWKS, so tokens signed before a rotation
verify until they expire.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession

from reef.errors import AppError
from reef.identity import repository
from reef.kit.time import utcnow

ALGORITHM = "EdDSA"
KEYRING_TTL_SECONDS = 60.0  # how stale a process's copy of the keys may get
MIN_REFRESH_SECONDS = 5.0  # an unknown kid forces a reload at most this often
JWKS_MAX_AGE_SECONDS = 300
ACTIVATION_DELAY = timedelta(minutes=10)  # > keyring TTL + JWKS max-age
TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    created_at: datetime

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(self.public_key, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, SigningKey]
    current: str
    previous: str | None
    active_from: datetime | None
    loaded_at: float = field(default_factory=time.monotonic)

    def signing_kid(self, now: datetime) -> str:
        if self.active_from and now < self.active_from and self.previous in self.keys:
            return self.previous  # the new key is published but not signing yet
        return self.current

    def signing_key(self, now: datetime) -> SigningKey:
        return self.keys[self.signing_kid(now)]

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        key = self.keys.get(kid)
        return key.public_key if key else None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        # Newest first: the key that signs (or soon will) leads.
        ordered = sorted(self.keys.values(), key=lambda k: (k.created_at, k.kid), reverse=True)
        return {"keys": [k.public_jwk() for k in ordered]}


def _new_key(now: datetime) -> tuple[str, str]:
    kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return kid, pem.decode()


def _pointer_json(current: str, previous: str | None, active_from: datetime | None) -> str:
    return json.dumps(
        {"current": current, "previous": previous, "active_from": active_from.isoformat() if active_from else None}
    )


def _parse_pointer(raw: str) -> tuple[str, str | None, datetime | None]:
    data = json.loads(raw)
    active_from = datetime.fromisoformat(data["active_from"]) if data.get("active_from") else None
    return data["current"], data.get("previous"), active_from


async def ensure(session: AsyncSession) -> None:
    """Create the first signing key unless there is one. Concurrent first uses agree on one key."""
    if await repository.pointer(session) is not None:
        return
    now = utcnow()
    kid, pem = _new_key(now)
    if await repository.insert_pointer(session, _pointer_json(kid, None, None)):
        await repository.add_key(session, kid, pem, now)


async def load(session: AsyncSession) -> Keyring | None:
    raw = await repository.pointer(session)
    if raw is None:
        return None
    current, previous, active_from = _parse_pointer(raw)
    keys = {}
    for row in await repository.key_rows(session):
        kid = row.name.removeprefix(repository.KEY_PREFIX)
        private = serialization.load_pem_private_key(row.value.encode(), password=None)
        if isinstance(private, Ed25519PrivateKey):
            keys[kid] = SigningKey(kid, private, row.created_at)
    if current not in keys:
        raise RuntimeError(f"identity signing key {current!r} is missing from the database")
    return Keyring(keys, current, previous, active_from)


async def rotate(session: AsyncSession, *, immediately: bool = False) -> tuple[str, datetime]:
    """Add a new signing key; returns its kid and when it starts signing."""
    await ensure(session)
    now = utcnow()
    raw = await repository.lock_pointer(session)
    assert raw is not None
    current, previous, active_from = _parse_pointer(raw)
    ring = Keyring({}, current, previous, active_from)
    signing_now = ring.signing_kid(now)
    kid, pem = _new_key(now)
    starts = now if immediately else now + ACTIVATION_DELAY
    await repository.add_key(session, kid, pem, now)
    await repository.set_pointer(session, _pointer_json(kid, signing_now, starts))
    return kid, starts


async def retire(session: AsyncSession, kid: str, *, force: bool = False) -> None:
    """Delete a key from the keyring (and the JWKS). Tokens it signed stop verifying."""
    await ensure(session)
    now = utcnow()
    raw = await repository.lock_pointer(session)
    assert raw is not None
    current, previous, active_from = _parse_pointer(raw)
    signing = Keyring({}, current, previous, active_from).signing_kid(now)
    if kid in (current, signing):
        raise AppError(400, "KEY_IN_USE", f"Key {kid} signs tokens", "Rotate first, then retire the old key.")
    # The key that signed until the last rotation: its tokens live on for up to an hour.
    needed_until = active_from + TOKEN_LIFETIME if kid == previous and active_from is not None else None
    if needed_until is not None and now < needed_until and not force:
        raise AppError(
            400,
            "KEY_STILL_NEEDED",
            f"Tokens signed by {kid} may still be valid",
            f"Wait until {needed_until.isoformat()} (tokens live one hour), or use --force.",
        )
    if not await repository.delete_key(session, kid):
        raise AppError(404, "NOT_FOUND", f"No signing key {kid}", "List the keys with `reef identity keys`.")


async def keyring_for(state: Any, session: AsyncSession, *, refresh: bool = False) -> Keyring:
    """This process's keyring (``app.state``), reloaded when older than a minute, or on demand
    (an unknown kid) at most every few seconds."""
    ring: Keyring | None = getattr(state, "identity_keyring", None)
    age = time.monotonic() - ring.loaded_at if ring else None
    if (
        ring is not None
        and age is not None
        and (age < MIN_REFRESH_SECONDS or (not refresh and age < KEYRING_TTL_SECONDS))
    ):
        return ring
    loaded = await load(session)
    if loaded is None:
        raise AppError(
            503,
            "SERVICE_UNAVAILABLE",
            "Identity keys are not set up",
            "The operator should restart the server or run `reef identity rotate-key`.",
        )
    state.identity_keyring = loaded
    return loaded


def forget(state: Any) -> None:
    """Drop this process's cached keyring (after a rotation made in the same process)."""
    if hasattr(state, "identity_keyring"):
        del state.identity_keyring
