"""Owner sessions for the web pages: a signed cookie, and CSRF tokens bound to it.

The session cookie (signed with the instance's secret key by itsdangerous, HttpOnly, SameSite=Lax,
Secure on https instances) holds the owner's id, their ``session_version`` (bumping it signs out
every session at once) and a random nonce. Every POST form carries a CSRF token: the nonce,
signed. Before sign-in, a separate signed pre-session cookie carries the nonce, so the login and
sign-up forms are protected too.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from reef.models import Owner

SESSION_COOKIE = "reef_session"
PRESESSION_COOKIE = "reef_presession"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE = int(timedelta(days=30).total_seconds())
PRESESSION_MAX_AGE = int(timedelta(days=2).total_seconds())


@dataclass(frozen=True)
class SessionData:
    owner_id: uuid.UUID
    version: int
    nonce: str


@dataclass(frozen=True)
class CsrfState:
    token: str
    new_presession: str | None  # a pre-session cookie value to set, when one was just started


def _serializer(request: Request, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret_key, salt=f"reef.owner.{purpose}")


def _cookie_options(request: Request) -> dict[str, Any]:
    secure = request.app.state.settings.public_url.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def _loads(request: Request, purpose: str, value: str | None, max_age: int) -> Any:
    if not value:
        return None
    try:
        return _serializer(request, purpose).loads(value, max_age=max_age)
    except BadData:  # tampered, expired, or signed with another key
        return None


# --- the session --------------------------------------------------------------------------------


def read_session(request: Request) -> SessionData | None:
    """The session cookie's contents if its signature and age are good (not yet checked
    against the database: see ``signed_in_owner``)."""
    data = _loads(request, "session", request.cookies.get(SESSION_COOKIE), SESSION_MAX_AGE)
    if not isinstance(data, dict):
        return None
    try:
        return SessionData(uuid.UUID(str(data["o"])), int(data["v"]), str(data["n"]))
    except (KeyError, TypeError, ValueError):
        return None


async def signed_in_owner(request: Request, session: AsyncSession) -> Owner | None:
    """The signed-in owner, or None when the cookie is missing, invalid, expired, or from before
    the owner's ``session_version`` was bumped."""
    data = read_session(request)
    if data is None:
        return None
    owner = await session.get(Owner, data.owner_id)
    if owner is None or owner.session_version != data.version:
        return None
    return owner


def start_session(response: Response, request: Request, owner: Owner) -> None:
    """Sign ``owner`` in on this response. A fresh nonce each time, so a token or cookie seen
    before sign-in is worthless after it."""
    payload = {"o": str(owner.id), "v": owner.session_version, "n": secrets.token_urlsafe(24)}
    value = _serializer(request, "session").dumps(payload)
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, **_cookie_options(request))


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, **_cookie_options(request))


# --- CSRF ---------------------------------------------------------------------------------------


def _presession_nonce(request: Request) -> str | None:
    value = _loads(request, "presession", request.cookies.get(PRESESSION_COOKIE), PRESESSION_MAX_AGE)
    return value if isinstance(value, str) else None


def _current_nonce(request: Request) -> str | None:
    data = read_session(request)
    return data.nonce if data else _presession_nonce(request)


def csrf_for(request: Request) -> CsrfState:
    """The CSRF token for forms on the page being rendered; starts a pre-session if needed."""
    nonce = _current_nonce(request)
    new_presession = None
    if nonce is None:
        nonce = secrets.token_urlsafe(24)
        new_presession = _serializer(request, "presession").dumps(nonce)
    return CsrfState(_serializer(request, "csrf").dumps(nonce), new_presession)


def remember_presession(response: Response, request: Request, state: CsrfState) -> None:
    if state.new_presession:
        response.set_cookie(
            PRESESSION_COOKIE, state.new_presession, max_age=PRESESSION_MAX_AGE, **_cookie_options(request)
        )


def csrf_valid(request: Request, submitted: str | None) -> bool:
    """True when ``submitted`` is a token for this browser's current session or pre-session."""
    nonce = _current_nonce(request)
    if not nonce or not submitted:
        return False
    value = _loads(request, "csrf", submitted, SESSION_MAX_AGE)
    return isinstance(value, str) and hmac.compare_digest(value.encode(), nonce.encode())
