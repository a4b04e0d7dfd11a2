from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from reef.auth.passwords import verify_password
from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Owner, OwnerInvite
from reef.owner import service
from reef.web.rendering import safe_next
from tests.fixtures.factories import make_owner
from tests.web.pages import PASSWORD, csrf_from, log_in, log_out, sign_up


async def owners(client: httpx.AsyncClient) -> list[Owner]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return list((await session.execute(select(Owner))).scalars())


async def an_owner(client: httpx.AsyncClient, email: str = "human@example.com", password: str = PASSWORD) -> Owner:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        return await make_owner(session, email=email, password=password, handle="human")


async def invite(client: httpx.AsyncClient, *, email: str | None = None, expired: bool = False) -> str:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        invitation = await service.create_invite(session, email=email)
        if expired:
            invitation.invite.expires_at = utcnow() - timedelta(minutes=1)
        return invitation.token


# --- sign-up ------------------------------------------------------------------------------------


async def test_open_signup_creates_account_and_signs_in(client: httpx.AsyncClient) -> None:
    resp = await sign_up(client, email="Human@Example.com", handle="Coral_Keeper")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard"
    cookie = resp.headers["set-cookie"]
    assert "reef_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http instance
    assert "Max-Age=2592000" in cookie  # 30 days
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200 and "@coral_keeper" in dashboard.text
    [owner] = await owners(client)
    assert owner.email == "human@example.com" and owner.handle == "coral_keeper"
    assert owner.password_hash.startswith("$argon2") and verify_password(owner.password_hash, PASSWORD)


async def test_signup_refuses_bad_input_and_changes_nothing(client: httpx.AsyncClient) -> None:
    cases = [
        ({"password": "short"}, 400, "at least 10 characters"),
        ({"handle": "x"}, 400, "2-32 letters"),
        ({"handle": "has space"}, 400, "2-32 letters"),
        ({"handle": "y" * 33}, 400, "2-32 letters"),
        ({"handle": ""}, 400, "Handle is required"),
        ({"email": "not-an-email"}, 400, "does not look like an email"),
    ]
    for override, status, message in cases:
        fields = {"email": "ok@example.com", "handle": "okhandle", "password": PASSWORD, **override}
        resp = await sign_up(client, **fields)
        assert resp.status_code == status, (override, resp.text)
        assert message in resp.text and 'aria-invalid="true"' in resp.text
        if "email" not in override:
            assert 'value="ok@example.com"' in resp.text  # the form keeps what was typed
        assert PASSWORD not in resp.text  # but never the password
    assert await owners(client) == []


async def test_email_and_handle_are_unique_without_regard_to_case(client: httpx.AsyncClient) -> None:
    assert (await sign_up(client, email="a@example.com", handle="Kelp")).status_code == 303
    await log_out(client)
    resp = await sign_up(client, email="A@EXAMPLE.COM", handle="other")
    assert resp.status_code == 409 and "already exists" in resp.text
    resp = await sign_up(client, email="b@example.com", handle="kELP")
    assert resp.status_code == 409 and "handle is already taken" in resp.text
    assert len(await owners(client)) == 1


async def test_signed_in_owner_skips_login_and_signup(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    for path in ("/login", "/signup"):
        resp = await client.get(path)
        assert resp.status_code == 303 and resp.headers["location"] == "/dashboard"


async def test_invite_only_signup(app_factory: Callable[..., Any]) -> None:
    async with app_factory(owner_signup="invite") as client:
        resp = await client.get("/signup")
        assert resp.status_code == 403 and "by invitation only" in resp.text and "csrf_token" not in resp.text
        # Posting without an invite is refused too.
        page = await client.get("/login")
        data = {"csrf_token": csrf_from(page), "email": "x@example.com", "handle": "xx", "password": PASSWORD}
        assert (await client.post("/signup", data=data)).status_code == 403

        assert (await client.get("/signup?invite=reef_invite_nonsense")).status_code == 404

        token = await invite(client)
        resp = await sign_up(client, page_url=f"/signup?invite={token}")
        assert resp.status_code == 303, resp.text
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            stored = (await session.execute(select(OwnerInvite))).scalar_one()
        assert stored.used_at is not None and stored.token_hash != token and token not in stored.token_hash

        await log_out(client)
        resp = await client.get(f"/signup?invite={token}")
        assert resp.status_code == 410 and "already been used" in resp.text
        page = await client.get("/login")
        data = {**data, "csrf_token": csrf_from(page), "invite": token, "email": "y@example.com", "handle": "yy"}
        resp = await client.post("/signup", data=data)
        assert resp.status_code == 410

        expired = await invite(client, expired=True)
        resp = await client.get(f"/signup?invite={expired}")
        assert resp.status_code == 410 and "expired" in resp.text
        assert len(await owners(client)) == 1


async def test_invite_for_an_address_works_only_for_it(app_factory: Callable[..., Any]) -> None:
    async with app_factory(owner_signup="invite") as client:
        token = await invite(client, email="Invited@Example.com")
        page = await client.get(f"/signup?invite={token}")
        assert 'value="invited@example.com"' in page.text  # prefilled
        resp = await sign_up(client, email="someone@example.com", page_url=f"/signup?invite={token}")
        assert resp.status_code == 400 and "different email" in resp.text
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            assert (await session.execute(select(OwnerInvite.used_at))).scalar_one() is None  # rolled back
            assert (await session.execute(select(func.count()).select_from(Owner))).scalar_one() == 0
        resp = await sign_up(client, email="invited@example.com", page_url=f"/signup?invite={token}")
        assert resp.status_code == 303


# --- sign-in and out ----------------------------------------------------------------------------


async def test_login_and_logout(client: httpx.AsyncClient) -> None:
    await an_owner(client)
    assert (await client.get("/dashboard")).headers["location"] == "/login?next=/dashboard"
    resp = await log_in(client, email="HUMAN@example.com")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard"
    assert (await client.get("/dashboard")).status_code == 200
    [owner] = await owners(client)
    assert owner.last_login_at is not None

    resp = await log_out(client)
    assert resp.status_code == 303 and resp.headers["location"] == "/login"
    assert 'reef_session=""' in resp.headers["set-cookie"] or "Max-Age=0" in resp.headers["set-cookie"]
    assert (await client.get("/dashboard")).status_code == 303


async def test_wrong_password_and_unknown_email_say_the_same(client: httpx.AsyncClient) -> None:
    await an_owner(client)
    wrong = await log_in(client, password="not the password")
    unknown = await log_in(client, email="nobody@example.com")
    for resp in (wrong, unknown):
        assert resp.status_code == 400 and "Wrong email or password" in resp.text
        assert "reef_session" not in resp.headers.get("set-cookie", "")
    assert (await client.get("/dashboard")).status_code == 303


async def test_bumping_session_version_signs_out_everywhere(client: httpx.AsyncClient) -> None:
    owner = await an_owner(client)
    await log_in(client)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(
            update(Owner).where(Owner.id == owner.id).values(session_version=Owner.session_version + 1)
        )
    assert (await client.get("/dashboard")).status_code == 303


async def test_tampered_or_foreign_cookie_is_not_a_session(client: httpx.AsyncClient) -> None:
    await an_owner(client)
    await log_in(client)
    value = client.cookies["reef_session"]
    client.cookies.set("reef_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"), domain="reef.test")
    assert (await client.get("/dashboard")).status_code == 303


async def test_https_instance_sets_secure_cookies(app_factory: Callable[..., Any]) -> None:
    async with (
        app_factory(public_url="https://reef.test") as client,
        httpx.AsyncClient(transport=client._transport, base_url="https://reef.test") as browser,
    ):
        page = await browser.get("/login")
        assert "Secure" in page.headers["set-cookie"]
        resp = await sign_up(browser)
        assert resp.status_code == 303
        assert "reef_session=" in resp.headers["set-cookie"] and "Secure" in resp.headers["set-cookie"]
        assert (await browser.get("/dashboard")).status_code == 200


# --- CSRF ---------------------------------------------------------------------------------------


async def test_posts_without_a_valid_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    await an_owner(client)
    await client.get("/login")  # a pre-session exists, but the form token is missing or wrong
    login = {"email": "human@example.com", "password": PASSWORD}
    assert (await client.post("/login", data=login)).status_code == 403
    assert (await client.post("/login", data={**login, "csrf_token": "forged"})).status_code == 403
    signup = {"email": "new@example.com", "handle": "newbie", "password": PASSWORD}
    assert (await client.post("/signup", data=signup)).status_code == 403
    assert await owners(client) != [] and len(await owners(client)) == 1

    # A token from another browser (another pre-session) does not fit this one.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://reef.test") as other:
        foreign = csrf_from(await other.get("/login"))
    resp = await client.post("/login", data={**login, "csrf_token": foreign})
    assert resp.status_code == 403 and "expired" in resp.text

    await log_in(client)
    resp = await client.post("/logout", data={})
    assert resp.status_code == 403
    assert (await client.get("/dashboard")).status_code == 200  # still signed in
    # The pre-session token is worthless once signed in (a fresh nonce comes with the session).
    resp = await client.post("/logout", data={"csrf_token": foreign})
    assert resp.status_code == 403


# --- next= and rate limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "/dashboard"),
        ("", "/dashboard"),
        ("/claim/abc", "/claim/abc"),
        ("/dashboard?x=1", "/dashboard?x=1"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
        ("evil.example", "/dashboard"),
        ("/\nLocation: x", "/dashboard"),
    ],
)
def test_safe_next_allows_only_local_paths(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


async def test_next_returns_to_local_paths_only(client: httpx.AsyncClient) -> None:
    await an_owner(client)
    page = await client.get("/login?next=https://evil.example/steal")
    assert "evil.example" not in page.text
    resp = await log_in(client, page_url="/login?next=https://evil.example/steal")
    assert resp.headers["location"] == "/dashboard"
    await log_out(client)
    resp = await log_in(client, page_url="/login?next=//evil.example")
    assert resp.headers["location"] == "/dashboard"
    await log_out(client)
    resp = await log_in(client, page_url="/login?next=/claim/moltbook_claim_abc")
    assert resp.headers["location"] == "/claim/moltbook_claim_abc"


async def test_login_is_rate_limited_per_ip(app_factory: Callable[..., Any]) -> None:
    async with app_factory(rate_limits_enabled=True, rate_limit_logins="3/hour") as client:
        await an_owner(client)
        for _ in range(3):
            assert (await log_in(client, password="wrong password!")).status_code == 400
        resp = await log_in(client)  # even the right password waits
        assert resp.status_code == 429 and int(resp.headers["retry-after"]) > 0
        assert "Too many sign-in attempts" in resp.text
        assert (await client.get("/dashboard")).status_code == 303
