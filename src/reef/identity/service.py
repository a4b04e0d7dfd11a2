"""Identity rules: mint a token for an agent, verify one for a registered app, manage app keys.

Never commits: the request (or the CLI's one transaction) does.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reef.auth.keys import hash_secret
from reef.config import Settings
from reef.errors import AppError
from reef.identity import keys, repository, tokens
from reef.identity.tokens import MintedToken, TokenRefused
from reef.kit.time import iso, utcnow
from reef.models import Agent, DeveloperApp, Owner

APP_KEY_PREFIX = "moltdev_"
APP_KEY_DISPLAY_CHARS = 12  # "moltdev_" and four random characters, safe to list
APP_NAME_MAX = 100
APP_KEY_HEADERS = ("x-moltbook-app-key", "x-reef-app-key")

# error code -> (HTTP status, message, hint). Codes and statuses as Moltbook's developer docs.
REFUSALS: dict[str, tuple[int, str, str]] = {
    "identity_token_expired": (
        401,
        "The identity token has expired",
        "Ask the agent for a fresh one: tokens live one hour (POST /api/v1/agents/me/identity-token).",
    ),
    "invalid_token": (
        401,
        "The identity token is not valid",
        "Pass the token exactly as the agent gave it; it must be signed by this instance.",
    ),
    "audience_required": (
        401,
        "This token was minted for a specific audience",
        "Send the audience your app told agents to use, in the `audience` field.",
    ),
    "audience_mismatch": (
        401,
        "This token was minted for another audience",
        'Ask the agent for a token minted with your audience: {"audience": "<your domain>"}.',
    ),
    "agent_not_found": (404, "The agent of this token no longer exists", "Treat the sign-in as failed."),
    "agent_deactivated": (
        403,
        "The agent of this token is deactivated or suspended",
        "Treat the sign-in as failed; a suspended agent can sign in again when its suspension ends.",
    ),
    "missing_app_key": (
        401,
        "No app key provided",
        "Send your app key in the X-Moltbook-App-Key header; the instance operator creates one with "
        "`reef apps create <name>`.",
    ),
    "invalid_app_key": (
        401,
        "Unknown or revoked app key",
        "Check the X-Moltbook-App-Key header, or ask the instance operator for a new key.",
    ),
    "rate_limit_exceeded": (429, "Too many verifications", "Wait and try again; see retry_after_seconds."),
}


class IdentityError(AppError):
    """A refused verification in the contract's shape: ``{success: false, valid: false, error:
    "<code>", message, hint, code: "<CODE>"}``."""

    def __init__(
        self, error: str, *, hint: str | None = None, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        status, message, default_hint = REFUSALS[error]
        super().__init__(status, error.upper(), error, hint or default_hint, headers=headers, **extra)
        self.description = message

    def body(self) -> dict[str, Any]:
        return {"success": False, "valid": False, **super().body(), "message": self.description}


# --- minting ----------------------------------------------------------------------------------


async def mint(
    session: AsyncSession,
    state: Any,
    settings: Settings,
    agent: Agent,
    audience: str | None,
    *,
    now: datetime | None = None,
) -> MintedToken:
    ring = await keys.keyring_for(state, session)
    return tokens.mint(
        ring, issuer=settings.public_url, agent_id=agent.id, name=agent.name, audience=audience, now=now or utcnow()
    )


# --- verifying --------------------------------------------------------------------------------


def read_app_key(headers: Any) -> str | None:
    """The app key from ``X-Moltbook-App-Key``, ``X-Reef-App-Key`` or ``Authorization: Bearer moltdev_...``."""
    for name in APP_KEY_HEADERS:
        value = (headers.get(name) or "").strip()
        if value:
            return str(value)
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip().startswith(APP_KEY_PREFIX):
        return str(token.strip())
    return None


async def authenticate_app(session: AsyncSession, key: str | None) -> DeveloperApp:
    if key is None:
        raise IdentityError("missing_app_key")
    if not key.startswith(APP_KEY_PREFIX) or len(key) > 200:
        raise IdentityError("invalid_app_key")
    # Looked up by its SHA-256: no comparison of the secret itself that could leak timing.
    app = await repository.app_by_key_hash(session, hash_secret(key))
    if app is None:
        raise IdentityError("invalid_app_key")
    return app


async def verify(
    session: AsyncSession, state: Any, settings: Settings, token: str, audience: str | None
) -> tuple[dict[str, Any], Agent, Owner | None]:
    """The token's claims and its agent (with owner), or an IdentityError."""
    try:
        kid = tokens.kid_of(token)
        ring = await keys.keyring_for(state, session)
        public_key = ring.public_key(kid)
        if public_key is None:  # perhaps rotated in by another process since we loaded
            public_key = (await keys.keyring_for(state, session, refresh=True)).public_key(kid)
        if public_key is None:
            raise TokenRefused("invalid_token")
        claims = tokens.verify(token, public_key, issuer=settings.public_url, audience=audience)
        agent_id = uuid.UUID(str(claims["sub"]))
    except TokenRefused as refused:
        raise IdentityError(refused.code) from refused
    except ValueError as exc:  # sub is not an agent id
        raise IdentityError("invalid_token") from exc
    found = await repository.agent_with_owner(session, agent_id)
    if found is None:
        raise IdentityError("agent_not_found")
    agent, owner = found
    if not agent.is_active:
        raise IdentityError("agent_deactivated", reason="deactivated")
    if agent.is_suspended(utcnow()):
        raise IdentityError("agent_deactivated", reason="suspended", suspended_until=iso(agent.suspended_until))
    return claims, agent, owner


def rate_limited(exc: AppError) -> IdentityError:
    """The limiter's 429, in the identity error shape (retry fields kept)."""
    return IdentityError("rate_limit_exceeded", hint=exc.hint, headers=exc.headers, **exc.extra)


# --- developer apps (operators, through the CLI) ----------------------------------------------


def new_app_key() -> str:
    return APP_KEY_PREFIX + secrets.token_urlsafe(32)


def app_name_taken(name: str) -> AppError:
    return AppError(
        409, "CONFLICT", f"An app named {name!r} already exists", "Revoke it first, or choose another name."
    )


async def create_developer_app(session: AsyncSession, name: str) -> tuple[DeveloperApp, str]:
    """A new app and its key (shown once; only its hash is stored). At most one active app has a
    name, without regard to case; of concurrent creates of one name, exactly one succeeds."""
    name = name.strip()
    name_key = name.lower()
    # The key is checked too: lower-casing can lengthen a name ("İ" becomes two characters).
    if not name or max(len(name), len(name_key)) > APP_NAME_MAX:
        raise AppError(400, "BAD_REQUEST", f"App names are 1-{APP_NAME_MAX} characters", "Choose another name.")
    # Asked first for the common case; the unique index decides a race between two creates.
    if await repository.active_apps_named(session, name_key):
        raise app_name_taken(name)
    key = new_app_key()
    app = await repository.insert_app(
        session, uuid.uuid4(), name, name_key, hash_secret(key), key[:APP_KEY_DISPLAY_CHARS]
    )
    if app is None:
        raise app_name_taken(name)
    return app, key


async def list_developer_apps(session: AsyncSession, *, include_revoked: bool = False) -> list[DeveloperApp]:
    return await repository.all_apps(session, include_revoked=include_revoked)


async def revoke_developer_app(session: AsyncSession, name: str) -> str:
    """Revoke the active app called ``name`` (any case); its key stops working at once."""
    apps = await repository.active_apps_named(session, name.strip().lower())
    if not apps:
        raise AppError(404, "NOT_FOUND", f"No active app named {name!r}", "List apps with `reef apps list`.")
    await repository.revoke_apps(session, [a.id for a in apps], utcnow())
    return apps[0].name
