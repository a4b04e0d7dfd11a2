from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from reef.auth.keys import hash_secret
from reef.config import OwnerSignup
from reef.db import session_scope
from reef.errors import AppError
from reef.kit.time import utcnow
from reef.models import OwnerInvite
from reef.owner import service
from tests.fixtures.factories import make_agent

PASSWORD = "a long enough password"


def scope(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def test_create_owner_normalises_and_hashes(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        owner = await service.create_owner(session, email="  Ada@Example.COM ", password=PASSWORD, handle="Ada_L")
    assert owner.email == "ada@example.com" and owner.handle == "ada_l"
    assert owner.password_hash != PASSWORD and owner.session_version == 1 and not owner.is_admin


async def test_create_owner_derives_a_free_handle_from_the_email(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        first = await service.create_owner(session, email="ma.rina+x@example.com", password=PASSWORD)
        second = await service.create_owner(session, email="marinax@example.org", password=PASSWORD)
        short = await service.create_owner(session, email="z@example.com", password=PASSWORD, is_admin=True)
    assert first.handle == "marinax"
    assert second.handle.startswith("marinax-") and len(second.handle) <= 32
    assert short.handle == "ownerz" and short.is_admin


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "123456789"}, "password"),
        ({"password": "x" * 2000}, "password"),
        ({"handle": "a"}, "handle"),
        ({"handle": "bad handle"}, "handle"),
    ],
)
async def test_create_owner_validates(client: httpx.AsyncClient, kwargs: dict[str, str], field: str) -> None:
    values = {"email": "ok@example.com", "password": PASSWORD, "handle": "okay", **kwargs}
    async with scope(client) as session:
        with pytest.raises(AppError) as err:
            await service.create_owner(session, **values)
    assert err.value.status == 400 and err.value.extra["field"] == field and err.value.hint


async def test_duplicates_are_conflicts(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        await service.create_owner(session, email="a@example.com", password=PASSWORD, handle="Reefer")
    for kwargs, code in [
        ({"email": "A@example.com", "handle": "x1"}, "EMAIL_TAKEN"),
        ({"handle": "REEFER"}, "HANDLE_TAKEN"),
    ]:
        values = {"email": "b@example.com", "password": PASSWORD, **kwargs}
        async with scope(client) as session:
            with pytest.raises(AppError) as err:
                await service.create_owner(session, **values)
        assert err.value.status == 409 and err.value.code == code


async def test_authenticate(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        await service.create_owner(session, email="a@example.com", password=PASSWORD, handle="ann")
    async with scope(client) as session:
        owner = await service.authenticate(session, "A@Example.com ", PASSWORD)
        assert owner is not None and owner.last_login_at is not None
        assert await service.authenticate(session, "a@example.com", PASSWORD + "x") is None
        assert await service.authenticate(session, "b@example.com", PASSWORD) is None
        assert await service.authenticate(session, "not an email", PASSWORD) is None
        assert await service.authenticate(session, "a@example.com", "") is None


async def test_invites_are_stored_hashed_and_spent_once(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        invitation = await service.create_invite(session, email="Guest@Example.com", days=3)
    token = invitation.token
    assert token.startswith("reef_invite_")
    assert service.invite_url("https://reef.example", token) == f"https://reef.example/signup?invite={token}"
    async with scope(client) as session:
        row = (await session.execute(select(OwnerInvite))).scalar_one()
        assert row.token_hash == hash_secret(token) and row.email == "guest@example.com"
        assert timedelta(days=2, hours=23) < row.expires_at - utcnow() <= timedelta(days=3)
        owner = await service.sign_up(
            session,
            email="guest@example.com",
            handle="guest",
            password=PASSWORD,
            mode=OwnerSignup.invite,
            invite_token=token,
        )
        assert owner.handle == "guest"
    async with scope(client) as session:
        with pytest.raises(AppError) as err:
            await service.accept_invite(session, token, "guest@example.com")
    assert err.value.code == "INVITE_USED" and err.value.status == 410


async def test_invite_errors(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        expired = await service.create_invite(session)
        expired.invite.expires_at = utcnow() - timedelta(seconds=1)
    cases = [(None, "INVITE_REQUIRED", 403), ("", "INVITE_REQUIRED", 403), ("reef_invite_x", "INVITE_NOT_FOUND", 404)]
    cases.append((expired.token, "INVITE_EXPIRED", 410))
    for token, code, status in cases:
        async with scope(client) as session:
            with pytest.raises(AppError) as err:
                await service.find_invite(session, token)
        assert (err.value.code, err.value.status) == (code, status) and err.value.hint


async def test_open_signup_needs_no_invite(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        owner = await service.sign_up(
            session, email="o@example.com", handle="open", password=PASSWORD, mode=OwnerSignup.open, invite_token=None
        )
        assert owner.handle == "open"


async def test_list_owners_counts_agents(client: httpx.AsyncClient) -> None:
    async with scope(client) as session:
        owner = await service.create_owner(session, email="a@example.com", password=PASSWORD, handle="ann")
        await service.create_owner(session, email="b@example.com", password=PASSWORD, handle="bob")
        first = await make_agent(session, owner=owner)
        second = await make_agent(session, owner=owner)
        await make_agent(session)  # someone else's
        rows = {row.owner.handle: row.agent_count for row in await service.list_owners(session)}
        owned = {a.name for a in await service.owned_agents(session, owner)}
    assert owned == {first.name, second.name}
    assert rows["ann"] == 2 and rows["bob"] == 0
