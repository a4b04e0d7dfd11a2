"""Nobody but an agent's owner can see or touch it through the dashboard: every route, GET and
POST, is refused to anonymous visitors, to other owners (a 404 that reveals nothing) and to
forms without a valid CSRF token, and a refused request changes nothing in the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from reef.db import session_scope
from reef.models import OwnerAlert
from tests.web.dashboard_helpers import OwnerWithAgents, browser, make_conversation, owner_with_agents, snapshot
from tests.web.pages import csrf_from, log_in

# Form fields an action needs to succeed, so a refusal is never just a missing field.
FIELDS = {"suspend": {"hours": "5", "reason": "should not happen"}, "{conversation_id}": {"decision": "approve"}}


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (the web routers have no prefix)
            yield from _api_routes(route.original_router.routes)


def dashboard_routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    """(method, path template) of every dashboard route the app serves."""
    found = []
    for route in _api_routes(client.app.router.routes):  # type: ignore[attr-defined]
        if route.path.startswith("/dashboard"):
            found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return found


def fill(path: str, agent: str, alert_id: str, conversation_id: str) -> str:
    return (
        path.replace("{name}", agent)
        .replace("{alert_id}", alert_id)
        .replace("{conversation_id}", conversation_id)
        .replace("{request_id}", conversation_id)
    )


async def victim_world(client: httpx.AsyncClient) -> tuple[OwnerWithAgents, str, str]:
    """An owner with an active, a suspended and a deactivated agent, an unread alert, and a
    pending DM request from another owner's agent to each of its agents (the same
    conversation id is used for every agent: only the first one really has it)."""
    victim = await owner_with_agents(
        client, "victim", ["Active1", "Paused1", "Dormant1"], suspended=("Paused1",), deactivated=("Dormant1",)
    )
    caller = await owner_with_agents(client, "caller", ["Caller1"])
    conversation_id = await make_conversation(
        client, caller.agents[0], victim.agents[0], request_message="secret request", messages=[]
    )
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        alert = OwnerAlert(owner_id=victim.owner.id, agent_id=victim.agents[0].agent.id, kind="x", message="secret")
        session.add(alert)
        await session.flush()
        alert_id = str(alert.id)
    return victim, alert_id, conversation_id


def test_every_dashboard_route_is_covered(client: httpx.AsyncClient) -> None:
    routes = dashboard_routes(client)
    expected = {
        ("GET", "/dashboard"),
        ("GET", "/dashboard/agents/{name}"),
        ("POST", "/dashboard/agents/{name}/rotate-key"),
        ("POST", "/dashboard/agents/{name}/revoke"),
        ("POST", "/dashboard/agents/{name}/reactivate"),
        ("POST", "/dashboard/agents/{name}/suspend"),
        ("POST", "/dashboard/agents/{name}/unsuspend"),
        ("POST", "/dashboard/alerts/{alert_id}/read"),
        ("POST", "/dashboard/alerts/read-all"),
        ("POST", "/dashboard/agents/{name}/dm-requests/{conversation_id}"),
        ("GET", "/dashboard/agents/{name}/conversations/{conversation_id}"),
    }
    assert expected <= set(routes)
    placeholders = {p for _, path in routes for p in path.split("/") if p.startswith("{")}
    assert placeholders <= {"{name}", "{alert_id}", "{conversation_id}", "{request_id}"}, placeholders


@pytest.mark.parametrize("agent", ["Active1", "Paused1", "Dormant1"])
async def test_anonymous_visitors_are_refused_everywhere(client: httpx.AsyncClient, agent: str) -> None:
    victim, alert_id, conversation_id = await victim_world(client)
    before = await snapshot(client)
    token = csrf_from(await client.get("/login"))  # a pre-session token is no sign-in
    for method, template in dashboard_routes(client):
        path = fill(template, agent, alert_id, conversation_id)
        action = template.rsplit("/", 1)[-1]
        if method == "GET":
            resp = await client.get(path)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=/dashboard"), path
        else:
            resp = await client.post(path, data={"csrf_token": token, **FIELDS.get(action, {})})
            assert resp.status_code == 403, (path, resp.status_code)
            assert "Sign in first" in resp.text
        assert "secret" not in resp.text and victim.agents[0].key[:16] not in resp.text
    assert await snapshot(client) == before


@pytest.mark.parametrize("agent", ["Active1", "Paused1", "Dormant1"])
async def test_other_owners_get_404_and_change_nothing(client: httpx.AsyncClient, agent: str) -> None:
    victim, alert_id, conversation_id = await victim_world(client)
    intruder = await owner_with_agents(client, "intruder", ["Mine1"])
    await log_in(client, email=intruder.email)
    before = await snapshot(client)
    unknown = await client.get("/dashboard/agents/NoSuchAgent")
    for method, template in dashboard_routes(client):
        if "{" not in template:
            continue  # the owner's own pages (the dashboard, read-all) act on their own rows only
        path = fill(template, agent, alert_id, conversation_id)
        action = template.rsplit("/", 1)[-1]
        if method == "GET":
            resp = await client.get(path)
        else:
            token = csrf_from(await client.get("/dashboard"))
            resp = await client.post(path, data={"csrf_token": token, **FIELDS.get(action, {})})
        assert resp.status_code == 404, (method, path, resp.status_code)
        assert "secret" not in resp.text and "victim" not in resp.text and "test suspension" not in resp.text
        if "{name}" in template:
            # Exactly the page an agent that does not exist gets (bar the form token).
            assert strip_tokens(resp.text) == strip_tokens(unknown.text), path
    # Nor under the intruder's own agent's name: a conversation is reached only through its agents.
    for method, template in dashboard_routes(client):
        if "{conversation_id}" in template:
            path = fill(template, "Mine1", alert_id, conversation_id)
            token = csrf_from(await client.get("/dashboard"))
            resp = await client.request(
                method, path, data={"csrf_token": token, "decision": "block"} if method == "POST" else None
            )
            assert resp.status_code == 404 and "secret" not in resp.text, (method, path)
    for path in ("/dashboard/alerts/read-all", "/dashboard"):
        token = csrf_from(await client.get("/dashboard"))
        resp = await client.post(path, data={"csrf_token": token}) if path.endswith("all") else await client.get(path)
        assert resp.status_code in (200, 303) and "secret" not in resp.text and "Active1" not in resp.text
    assert await snapshot(client) == before
    # The victim still sees and controls everything.
    async with browser(client, victim.email) as owner:
        page = await owner.get(f"/dashboard/agents/{agent}")
        assert page.status_code == 200
        assert "secret" in (await owner.get("/dashboard")).text


def strip_tokens(text: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", text)


async def test_posts_without_a_valid_csrf_token_change_nothing(client: httpx.AsyncClient) -> None:
    victim, alert_id, conversation_id = await victim_world(client)
    await log_in(client, email=victim.email)
    async with browser(client) as other:
        foreign = csrf_from(await other.get("/login"))  # a token from another browser
    before = await snapshot(client)
    for method, template in dashboard_routes(client):
        if method != "POST":
            continue
        for agent in ("Active1", "Paused1", "Dormant1"):
            path = fill(template, agent, alert_id, conversation_id)
            fields = FIELDS.get(template.rsplit("/", 1)[-1], {})
            for data in (fields, {**fields, "csrf_token": "forged"}, {**fields, "csrf_token": foreign}):
                resp = await client.post(path, data=data)
                assert resp.status_code == 403 and "This form has expired" in resp.text, path
    assert await snapshot(client) == before
