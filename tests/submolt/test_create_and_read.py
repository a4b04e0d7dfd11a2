"""Creating, listing and reading submolts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Submolt, SubmoltModerator, Subscription
from tests.fixtures import factories

SUBMOLTS = "/api/v1/submolts"


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(SUBMOLTS, json=body, headers=headers)


async def test_create_makes_creator_owner_and_subscriber(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await create(
        client,
        me.headers,
        name="  Deep-Sea_1 ",
        display_name="Deep <Sea>",
        description="**All** things <b>deep</b>",
        allow_crypto=True,
        banner_color="#AABBCC",
        unknown_field=1,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True and body["message"]
    sub = body["submolt"]
    assert sub["name"] == "deep-sea_1"
    assert sub["display_name"] == "Deep <Sea>"
    assert sub["description"] == "**All** things <b>deep</b>"
    assert sub["allow_crypto"] is True and sub["banner_color"] == "#aabbcc" and sub["theme_color"] is None
    assert sub["subscriber_count"] == 1 and sub["post_count"] == 0
    assert sub["created_by"] == {"id": str(me.agent.id), "name": me.name}
    assert sub["your_role"] == "owner" and sub["is_subscribed"] is True
    assert sub["created_at"].endswith(("Z", "+00:00"))
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        row = (await session.execute(select(Submolt).where(Submolt.name == "deep-sea_1"))).scalar_one()
        mods = (await session.execute(select(SubmoltModerator).where(SubmoltModerator.submolt_id == row.id))).all()
        subs = (await session.execute(select(Subscription).where(Subscription.submolt_id == row.id))).all()
    assert row.subscriber_count == 1 and row.creator_id == me.agent.id
    assert [(m[0].agent_id, m[0].role) for m in mods] == [(me.agent.id, "owner")]
    assert len(subs) == 1


async def test_display_name_defaults_to_name(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await create(client, me.headers, name="kelp")
    assert resp.status_code == 201, resp.text
    assert resp.json()["submolt"]["display_name"] == "kelp"
    assert resp.json()["submolt"]["description"] == ""


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("a", "Name must be 2-30 characters"),
        ("x" * 31, "Name must be 2-30 characters"),
        ("has space", "Name can only contain lowercase letters, numbers, underscores and hyphens"),
        ("dots.here", "Name can only contain lowercase letters, numbers, underscores and hyphens"),
        ("émoji", "Name can only contain lowercase letters, numbers, underscores and hyphens"),
        ("   ", "Name is required"),
        ("admin", "This name is reserved"),
        ("API", "This name is reserved"),
        ("m", "Name must be 2-30 characters"),
        ("popular", "This name is reserved"),
        ("submolts", "This name is reserved"),
    ],
)
async def test_create_rejects_bad_names(client: httpx.AsyncClient, name: str, error: str) -> None:
    me = await factories.agent(client)
    resp = await create(client, me.headers, name=name)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body == {"success": False, "error": error, "hint": body["hint"], "code": "BAD_REQUEST", "field": "name"}
    assert body["hint"]


async def test_reserved_single_letter_routes_are_refused_too(client: httpx.AsyncClient) -> None:
    # "m" and "u" are reserved but already too short; the list still names them for clarity.
    from reef.submolt.schemas import RESERVED_SUBMOLT_NAMES

    assert {"m", "u", "claim", "login", "www", "reef", "moltbook"} <= RESERVED_SUBMOLT_NAMES
    assert not {"general", "announcements", "introductions", "meta", "help"} & RESERVED_SUBMOLT_NAMES


async def test_create_validates_other_fields(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    cases = [
        ({"display_name": "kelp"}, "name"),
        ({"name": 123}, "name"),
        ({"name": "okname", "banner_color": "red"}, "banner_color"),
        ({"name": "okname", "theme_color": "#12345"}, "theme_color"),
        ({"name": "okname", "allow_crypto": "perhaps"}, "allow_crypto"),
        ({"name": "okname", "display_name": "x" * 65}, "display_name"),
        ({"name": "okname", "description": "x" * 501}, "description"),
    ]
    for body, field in cases:
        resp = await client.post(SUBMOLTS, json=body, headers=me.headers)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["field"] == field and resp.json()["hint"]
    resp = await client.get(f"{SUBMOLTS}/okname")
    assert resp.status_code == 404


async def test_duplicate_name_is_409(client: httpx.AsyncClient) -> None:
    a, b = await factories.agents(client, 2)
    assert (await create(client, a.headers, name="tidepool")).status_code == 201
    resp = await create(client, b.headers, name="TidePool")
    assert resp.status_code == 409
    assert resp.json()["error"] == "Submolt name already taken" and resp.json()["code"] == "NAME_TAKEN"
    resp = await create(client, b.headers, name="general")  # seeded
    assert resp.status_code == 409


async def test_create_requires_a_claimed_agent(client: httpx.AsyncClient) -> None:
    resp = await client.post(SUBMOLTS, json={"name": "nokey"})
    assert resp.status_code == 401
    waiting = await factories.agent(client, claimed=False)
    resp = await create(client, waiting.headers, name="unclaimed")
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    suspended = await factories.agent(client, suspended=True)
    resp = await create(client, suspended.headers, name="suspended")
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_SUSPENDED"
    assert (await client.get(f"{SUBMOLTS}/unclaimed")).status_code == 404


async def test_second_create_within_the_hour_is_rate_limited(app_factory: Callable[..., Any]) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        me = await factories.agent(client)
        assert (await create(client, me.headers, name="first-one")).status_code == 201
        # A taken name answers 409 without spending the limit.
        assert (await create(client, me.headers, name="general")).status_code == 409
        resp = await create(client, me.headers, name="second-one")
        assert resp.status_code == 429, resp.text
        body = resp.json()
        assert body["code"] == "RATE_LIMITED" and body["hint"]
        retry = int(resp.headers["Retry-After"])
        assert 3000 < retry <= 3600
        assert body["retry_after_seconds"] == retry and body["retryAfter"] == retry
        assert body["retry_after_minutes"] == -(-retry // 60)
        assert (await client.get(f"{SUBMOLTS}/second-one")).status_code == 404
        # Another agent has its own allowance.
        other = await factories.agent(client)
        assert (await create(client, other.headers, name="second-one")).status_code == 201


async def test_get_submolt_public_and_with_key(client: httpx.AsyncClient) -> None:
    owner, mod, reader = await factories.agents(client, 3)
    assert (await create(client, owner.headers, name="shoal", display_name="Shoal")).status_code == 201
    resp = await client.post(f"{SUBMOLTS}/shoal/moderators", json={"agent_name": mod.name}, headers=owner.headers)
    assert resp.status_code == 200, resp.text

    resp = await client.get(f"{SUBMOLTS}/SHOAL")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["your_role"] is None and body["is_subscribed"] is False
    sub = body["submolt"]
    assert sub["name"] == "shoal" and sub["display_name"] == "Shoal" and sub["subscriber_count"] == 1
    assert sub["your_role"] is None and sub["is_subscribed"] is False
    assert sub["created_by"]["name"] == owner.name
    expected_keys = {
        "id", "name", "display_name", "description", "subscriber_count", "post_count", "allow_crypto",
        "banner_color", "theme_color", "created_at", "last_activity_at", "created_by", "your_role", "is_subscribed",
    }  # fmt: skip
    assert set(sub) == expected_keys
    assert [(m["name"], m["role"]) for m in body["moderators"]] == [(owner.name, "owner"), (mod.name, "moderator")]

    body = (await client.get(f"{SUBMOLTS}/shoal", headers=owner.headers)).json()
    assert body["your_role"] == "owner" and body["is_subscribed"] is True
    assert body["submolt"]["your_role"] == "owner" and body["submolt"]["is_subscribed"] is True
    body = (await client.get(f"{SUBMOLTS}/shoal", headers=mod.headers)).json()
    assert body["your_role"] == "moderator" and body["is_subscribed"] is False
    body = (await client.get(f"{SUBMOLTS}/shoal", headers=reader.headers)).json()
    assert body["your_role"] is None and body["is_subscribed"] is False


async def test_seeded_submolt_has_no_creator(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"{SUBMOLTS}/general")).json()
    assert body["submolt"]["created_by"] is None and body["moderators"] == []


async def test_unknown_submolt_is_404(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    for method, path in [
        ("GET", "/nowhere"),
        ("POST", "/nowhere/subscribe"),
        ("DELETE", "/nowhere/subscribe"),
        ("GET", "/nowhere/moderators"),
        ("PATCH", "/nowhere/settings"),
    ]:
        kwargs: dict[str, Any] = {"json": {"description": "x"}} if method == "PATCH" else {}
        resp = await client.request(method, SUBMOLTS + path, headers=me.headers, **kwargs)
        assert resp.status_code == 404, (method, path, resp.text)
        assert resp.json()["error"] == "Submolt not found" and resp.json()["hint"]
    resp = await client.get(f"{SUBMOLTS}/nowhere", headers={"Authorization": "Bearer moltbook_sk_" + "z" * 40})
    assert resp.status_code == 401
