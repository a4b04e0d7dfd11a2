"""The rules about owner accounts: sign-up (open or by invite), sign-in, invites. Services never
commit; the request (or ``session_scope``) does.

Password hashing (argon2) is deliberately slow, so it runs in a worker thread and never stalls
the event loop.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from reef.auth.keys import hash_secret
from reef.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from reef.config import OwnerSignup
from reef.errors import AppError, bad_request, conflict
from reef.kit.time import utcnow
from reef.models import Agent, Owner, OwnerInvite
from reef.owner import repository

INVITE_TOKEN_PREFIX = "reef_invite_"
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a cap keeps a huge body from costing CPU
MAX_EMAIL_LENGTH = 254
HANDLE_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HANDLE_STRIP = re.compile(r"[^a-z0-9_-]")


# --- validation ---------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if not value:
        raise bad_request("Email is required", "Enter the email address you sign in with.", field="email")
    if len(value) > MAX_EMAIL_LENGTH or not EMAIL_RE.match(value):
        raise bad_request("That does not look like an email address", "Use the form name@example.com.", field="email")
    return value


def normalize_handle(handle: str) -> str:
    """Handles are public ("claimed by @handle") and unique without regard to case. They are
    stored lower-cased so the database's unique constraint enforces exactly that."""
    value = handle.strip()
    if not HANDLE_RE.match(value):
        raise bad_request(
            "Handle must be 2-32 letters, digits, _ or -",
            "Pick a public handle such as coral_keeper.",
            field="handle",
        )
    return value.lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise bad_request(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters",
            "A few unrelated words make a long password that is easy to remember.",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise bad_request(
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters", "Use a shorter password.", field="password"
        )


def _handle_from_email(email: str) -> str:
    base = _HANDLE_STRIP.sub("", email.split("@", 1)[0].lower())[:27]
    return base if len(base) >= 2 else f"owner{base}"


# --- accounts -----------------------------------------------------------------------------------


async def create_owner(
    session: AsyncSession, *, email: str, password: str, handle: str | None = None, is_admin: bool = False
) -> Owner:
    """Create an owner account. Email and handle are unique (the database decides); without a
    handle one is made from the email's local part."""
    email = normalize_email(email)
    check_password(password)
    candidates = [normalize_handle(handle)] if handle else _derived_handles(email)
    password_hash = await asyncio.to_thread(hash_password, password)
    for candidate in candidates:
        owner_id = uuid.uuid4()
        values = {
            "id": owner_id,
            "email": email,
            "handle": candidate,
            "password_hash": password_hash,
            "is_admin": is_admin,
            "session_version": 1,
            "created_at": utcnow(),
        }
        if await repository.insert_owner(session, values):
            owner = await repository.by_id(session, owner_id)
            assert owner is not None
            return owner
        if await repository.by_email(session, email) is not None:
            raise conflict(
                "An account with this email already exists",
                "Log in instead, or use another email address.",
                code="EMAIL_TAKEN",
            )
    raise conflict("That handle is already taken", "Pick a different handle.", code="HANDLE_TAKEN")


def _derived_handles(email: str) -> list[str]:
    base = _handle_from_email(email)
    return [base, *(f"{base}-{secrets.token_hex(2)}" for _ in range(4))]


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def authenticate(session: AsyncSession, email: str, password: str) -> Owner | None:
    """The owner with this email and password, or None. Takes as long for an unknown email as
    for a wrong password, so timing does not reveal which accounts exist."""
    try:
        email = normalize_email(email)
    except AppError:
        email = ""
    owner = await repository.by_email(session, email) if email else None
    if owner is None or len(password) > MAX_PASSWORD_LENGTH:
        await asyncio.to_thread(verify_password, _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
        return None
    if not await asyncio.to_thread(verify_password, owner.password_hash, password):
        return None
    if needs_rehash(owner.password_hash):
        owner.password_hash = await asyncio.to_thread(hash_password, password)
    owner.last_login_at = utcnow()
    await session.flush()
    return owner


# --- invites and sign-up ------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    invite: OwnerInvite
    token: str  # shown once; stored only as a hash


async def create_invite(session: AsyncSession, *, email: str | None = None, days: int = 7) -> Invitation:
    if days < 1:
        raise bad_request("An invite must last at least one day", field="days")
    token = INVITE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    invite = OwnerInvite(
        token_hash=hash_secret(token),
        email=normalize_email(email) if email else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    return Invitation(invite=invite, token=token)


def invite_url(public_url: str, token: str) -> str:
    return f"{public_url}/signup?invite={token}"


async def find_invite(session: AsyncSession, token: str | None) -> OwnerInvite:
    """A usable invite, or a 4xx saying why not."""
    if not token:
        raise AppError(
            403,
            "INVITE_REQUIRED",
            "Sign-up on this instance is by invitation only",
            "Ask the operator for an invite link (`reef owners invite`).",
        )
    invite = await repository.invite_by_token_hash(session, hash_secret(token.strip()))
    if invite is None:
        raise AppError(
            404, "INVITE_NOT_FOUND", "This invite link is not valid", "Check the link, or ask for a new one."
        )
    if invite.used_at is not None:
        raise AppError(410, "INVITE_USED", "This invite has already been used", "Ask the operator for a new invite.")
    if invite.expires_at <= utcnow():
        raise AppError(410, "INVITE_EXPIRED", "This invite has expired", "Ask the operator for a new invite.")
    return invite


async def accept_invite(session: AsyncSession, token: str | None, email: str) -> OwnerInvite:
    """Spend the invite for ``email`` (normalised). An invite made for one address works only
    for that address."""
    invite = await find_invite(session, token)
    if invite.email and invite.email != email:
        raise bad_request(
            "This invite is for a different email address",
            "Sign up with the address the invite was sent to.",
            field="email",
        )
    if not await repository.mark_invite_used(session, invite.id, utcnow()):
        raise AppError(410, "INVITE_USED", "This invite has already been used", "Ask the operator for a new invite.")
    return invite


async def sign_up(
    session: AsyncSession, *, email: str, handle: str, password: str, mode: OwnerSignup, invite_token: str | None
) -> Owner:
    """Create an account from the sign-up form. With ``mode=invite`` it spends a valid invite in
    the same transaction, so a failure leaves both the invite and the accounts untouched."""
    if mode == OwnerSignup.invite:
        await find_invite(session, invite_token)  # fail fast, before the slow password hash
    if not handle.strip():
        raise bad_request("Handle is required", "Pick a public handle such as coral_keeper.", field="handle")
    owner = await create_owner(session, email=email, password=password, handle=handle)
    if mode == OwnerSignup.invite:
        await accept_invite(session, invite_token, owner.email)
    return owner


async def list_owners(session: AsyncSession, limit: int = 100) -> list[repository.OwnerRow]:
    return await repository.list_with_agent_counts(session, limit)


async def owned_agents(session: AsyncSession, owner: Owner) -> list[Agent]:
    return await repository.agents_of(session, owner.id)
