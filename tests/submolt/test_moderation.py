"""Moderators and settings: who may do what."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fixtures import factories

SUBMOLTS = "/api/v1/submolts"


async def new_submolt(client: httpx.AsyncClient, name: str = "lagoon") -> tuple[Any, Any, Any]:
    """A submolt with an owner, a moderator and an outsider."""
    owner, mod, outsider = await factories.agents(client, 3)
    assert (await client.post(SUBMOLTS, json={"name": name}, headers=owner.headers)).status_code == 201
    resp = await client.post(f"{SUBMOLTS}/{name}/moderators", json={"agent_name": mod.name}, headers=owner.headers)
    assert resp.status_code == 200, resp.text
    return owner, mod, outsider


async def test_owner_adds_and_lists_moderators(client: httpx.AsyncClient) -> None:
    owner, mod, outsider = await new_submolt(client)
    resp = await client.post(
        f"{SUBMOLTS}/lagoon/moderators",
        json={"agent_name": outsider.name.upper(), "role": "moderator"},
        headers=owner.headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["action"] == "added" and body["message"]
    assert body["moderator"]["name"] == outsider.name and body["moderator"]["role"] == "moderator"
    again = await client.post(f"{SUBMOLTS}/lagoon/moderators", json={"agent_name": mod.name}, headers=owner.headers)
    assert again.status_code == 200 and again.json()["action"] == "already_moderator"

    resp = await client.get(f"{SUBMOLTS}/lagoon/moderators")
    assert resp.status_code == 200
    mods = resp.json()["moderators"]
    assert [(m["name"], m["role"]) for m in mods] == [
        (owner.name, "owner"),
        (mod.name, "moderator"),
        (outsider.name, "moderator"),
    ]
    assert set(mods[0]) == {"name", "display_name", "role", "created_at"}


async def test_only_the_owner_manages_moderators(client: httpx.AsyncClient) -> None:
    owner, mod, outsider = await new_submolt(client)
    for actor in (mod, outsider):
        resp = await client.post(
            f"{SUBMOLTS}/lagoon/moderators", json={"agent_name": outsider.name}, headers=actor.headers
        )
        assert resp.status_code == 403 and resp.json()["error"] == "Only owners can add moderators"
        assert resp.json()["hint"]
        resp = await client.request(
            "DELETE", f"{SUBMOLTS}/lagoon/moderators", json={"agent_name": mod.name}, headers=actor.headers
        )
        assert resp.status_code == 403 and resp.json()["error"] == "Only owners can remove moderators"
        resp = await client.delete(f"{SUBMOLTS}/lagoon/moderators/{mod.name}", headers=actor.headers)
        assert resp.status_code == 403
    names = [m["name"] for m in (await client.get(f"{SUBMOLTS}/lagoon/moderators")).json()["moderators"]]
    assert names == [owner.name, mod.name]


async def test_add_moderator_errors(client: httpx.AsyncClient) -> None:
    owner, _, _ = await new_submolt(client)
    url = f"{SUBMOLTS}/lagoon/moderators"
    resp = await client.post(url, json={"agent_name": "nobody-here"}, headers=owner.headers)
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found"
    resp = await client.post(url, json={}, headers=owner.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "agent_name"
    resp = await client.post(url, json={"agent_name": "x", "role": "owner"}, headers=owner.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "role"
    # Naming the owner keeps them owner (no demotion).
    resp = await client.post(url, json={"agent_name": owner.name}, headers=owner.headers)
    assert resp.status_code == 200 and resp.json()["moderator"]["role"] == "owner"
    waiting = await factories.agent(client, claimed=False)
    resp = await client.post(url, json={"agent_name": owner.name}, headers=waiting.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"


async def test_owner_removes_moderators_by_body_or_path(client: httpx.AsyncClient) -> None:
    owner, mod, outsider = await new_submolt(client)
    await client.post(f"{SUBMOLTS}/lagoon/moderators", json={"agent_name": outsider.name}, headers=owner.headers)
    resp = await client.request(
        "DELETE", f"{SUBMOLTS}/lagoon/moderators", json={"agent_name": mod.name}, headers=owner.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["success"] is True and resp.json()["action"] == "removed"
    resp = await client.delete(f"{SUBMOLTS}/lagoon/moderators/{outsider.name}", headers=owner.headers)
    assert resp.status_code == 200, resp.text
    assert [m["name"] for m in (await client.get(f"{SUBMOLTS}/lagoon/moderators")).json()["moderators"]] == [owner.name]
    resp = await client.delete(f"{SUBMOLTS}/lagoon/moderators/{mod.name}", headers=owner.headers)
    assert resp.status_code == 404 and resp.json()["error"] == "Moderator not found"
    resp = await client.delete(f"{SUBMOLTS}/lagoon/moderators/ghost-agent", headers=owner.headers)
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found"
    resp = await client.request("DELETE", f"{SUBMOLTS}/lagoon/moderators", headers=owner.headers)
    assert resp.status_code == 400


async def test_owner_cannot_be_removed(client: httpx.AsyncClient) -> None:
    owner, _, _ = await new_submolt(client)
    resp = await client.delete(f"{SUBMOLTS}/lagoon/moderators/{owner.name}", headers=owner.headers)
    assert resp.status_code == 400
    assert resp.json()["error"] == "Cannot remove owner" and resp.json()["hint"]
    roles = (await client.get(f"{SUBMOLTS}/lagoon", headers=owner.headers)).json()
    assert roles["your_role"] == "owner"


async def test_moderators_and_owner_update_settings(client: httpx.AsyncClient) -> None:
    owner, mod, _ = await new_submolt(client)
    resp = await client.patch(
        f"{SUBMOLTS}/lagoon/settings",
        json={"description": "Warm <i>shallow</i> water", "banner_color": "#00FF88", "allow_crypto": True},
        headers=mod.headers,
    )
    assert resp.status_code == 200, resp.text
    sub = resp.json()["submolt"]
    assert resp.json()["success"] is True
    assert sub["description"] == "Warm <i>shallow</i> water" and sub["banner_color"] == "#00ff88"
    assert sub["allow_crypto"] is True and sub["your_role"] == "moderator"
    resp = await client.patch(
        f"{SUBMOLTS}/lagoon/settings",
        json={"display_name": "The Lagoon", "theme_color": "#112233", "banner_color": None},
        headers=owner.headers,
    )
    sub = resp.json()["submolt"]
    assert sub["display_name"] == "The Lagoon" and sub["theme_color"] == "#112233" and sub["banner_color"] is None
    assert sub["description"] == "Warm <i>shallow</i> water"
    stored = (await client.get(f"{SUBMOLTS}/lagoon")).json()["submolt"]
    assert stored["display_name"] == "The Lagoon" and stored["allow_crypto"] is True


async def test_settings_errors(client: httpx.AsyncClient) -> None:
    owner, _, outsider = await new_submolt(client)
    url = f"{SUBMOLTS}/lagoon/settings"
    resp = await client.patch(url, json={"description": "mine now"}, headers=outsider.headers)
    assert resp.status_code == 403
    assert resp.json()["error"] == "You do not have permission to update this submolt"
    for body in ({}, {"unknown": 1}, {"display_name": None}):
        resp = await client.patch(url, json=body, headers=owner.headers)
        assert resp.status_code == 400 and resp.json()["error"] == "No valid fields to update", body
    for body, field in [
        ({"banner_color": "blue"}, "banner_color"),
        ({"theme_color": "#GGGGGG"}, "theme_color"),
        ({"display_name": "x" * 65}, "display_name"),
        ({"allow_crypto": "sometimes"}, "allow_crypto"),
        ({"description": 5}, "description"),
    ]:
        resp = await client.patch(url, json=body, headers=owner.headers)
        assert resp.status_code == 400 and resp.json()["field"] == field, (body, resp.text)
    assert (await client.patch(url, json={"description": "x"})).status_code == 401
    assert (await client.get(f"{SUBMOLTS}/lagoon")).json()["submolt"]["description"] == ""
