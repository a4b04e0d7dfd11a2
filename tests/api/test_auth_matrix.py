"""No request can act as another agent: every write endpoint, found in the OpenAPI schema (so new
ones are covered automatically), is sent with no key, a malformed key, an unknown key, an
unclaimed agent's key and a suspended agent's key; the ones that act on something another agent
owns are also sent with that other agent's key. Each must be refused with the right status, and
the whole database must be exactly as before."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Base
from tests.dm.factories import make_conversation
from tests.fixtures import factories

PUBLIC_WRITES = {
    ("POST", "/api/v1/agents/register"),
    ("POST", "/api/v1/agents/verify-identity"),  # apps authenticate with an app key (tests/identity)
}
# Writes on something that belongs to the victim: another agent's key must get 403.
OWNED_BY_VICTIM = {
    ("DELETE", "/api/v1/posts/{post_id}"),
    ("DELETE", "/api/v1/comments/{comment_id}"),
    ("PATCH", "/api/v1/submolts/{name}/settings"),
    ("POST", "/api/v1/submolts/{name}/moderators"),
    ("DELETE", "/api/v1/submolts/{name}/moderators"),
    ("DELETE", "/api/v1/submolts/{name}/moderators/{agent_name}"),
    ("POST", "/api/v1/posts/{post_id}/pin"),
    ("DELETE", "/api/v1/posts/{post_id}/pin"),
    ("POST", "/api/v1/posts/{post_id}/restore"),
    ("POST", "/api/v1/comments/{comment_id}/restore"),
    ("POST", "/api/v1/reports/{report_id}/resolve"),
}
# Columns that change on any authenticated write by design (the caller's own activity stamp).
VOLATILE_COLUMNS = {"last_active_at", "updated_at"}


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buf, "PNG")
    return buf.getvalue()


def _request_kwargs(method: str, path: str) -> dict[str, Any]:
    """A body that would be valid, so a refusal can only come from who is calling."""
    if path.endswith("/avatar") and method == "POST":
        return {"files": {"file": ("a.png", _png(), "image/png")}}
    bodies = {
        ("POST", "/api/v1/submolts"): {"name": "newsub", "display_name": "New"},
        ("POST", "/api/v1/posts"): {"submolt": "general", "title": "t", "content": "c"},
        ("POST", "/api/v1/posts/{post_id}/comments"): {"content": "hello"},
        ("PATCH", "/api/v1/agents/me"): {"description": "changed"},
        ("PATCH", "/api/v1/submolts/{name}/settings"): {"description": "changed"},
        ("POST", "/api/v1/submolts/{name}/moderators"): {"agent_name": "attacker", "role": "moderator"},
        ("DELETE", "/api/v1/submolts/{name}/moderators"): {"agent_name": "deputy"},
        ("DELETE", "/api/v1/posts/{post_id}"): {"reason": "x"},
        ("DELETE", "/api/v1/comments/{comment_id}"): {"reason": "x"},
        ("POST", "/api/v1/posts/{post_id}/report"): {"reason": "spam spam"},
        ("POST", "/api/v1/comments/{comment_id}/report"): {"reason": "spam spam"},
        ("POST", "/api/v1/agents/dm/request"): {"to": "victim", "message": "Hello, may we talk?"},
        ("POST", "/api/v1/agents/dm/conversations/{conversation_id}/send"): {"message": "hello"},
    }
    return {"json": bodies.get((method, path), {})}


def _fill(path: str, ids: dict[str, str]) -> str:
    if path.startswith("/api/v1/submolts/"):
        path = path.replace("{name}", "victimsub")
    path = path.replace("{name}", "victim").replace("{agent_name}", "deputy")
    # Only the caller's own notifications can be marked (another's is 404: tests/notification).
    path = path.replace("{notification_id}", "00000000-0000-4000-8000-000000000000")
    for key, value in ids.items():
        path = path.replace("{" + key + "}", value)
    assert "{" not in path, f"teach the auth matrix this path parameter: {path}"
    return path


async def _fingerprint(client: httpx.AsyncClient) -> str:
    digest = hashlib.sha256()
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if c.name not in VOLATILE_COLUMNS]
            rows = (await session.execute(select(*cols).order_by(*table.primary_key.columns))).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


@pytest.fixture
async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    victim = await factories.agent(client, name="victim")
    attacker = await factories.agent(client, name="attacker")
    deputy = await factories.agent(client, name="deputy")
    unclaimed = await factories.agent(client, name="unclaimed", claimed=False)
    suspended = await factories.agent(client, name="suspended", suspended=True)
    h = victim.headers
    assert (
        await client.post("/api/v1/submolts", json={"name": "victimsub", "display_name": "V"}, headers=h)
    ).status_code == 201
    resp = await client.post("/api/v1/submolts/victimsub/moderators", json={"agent_name": "deputy"}, headers=h)
    assert resp.status_code in (200, 201), resp.text
    post = (
        await client.post("/api/v1/posts", json={"submolt": "victimsub", "title": "mine", "content": "x"}, headers=h)
    ).json()
    comment = (
        await client.post(f"/api/v1/posts/{post['post']['id']}/comments", json={"content": "mine"}, headers=h)
    ).json()
    assert (await client.post(f"/api/v1/posts/{post['post']['id']}/pin", headers=h)).status_code == 200
    report = await client.post(
        f"/api/v1/posts/{post['post']['id']}/report", json={"reason": "looks like spam"}, headers=deputy.headers
    )
    assert report.status_code == 201, report.text
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        conversation = await make_conversation(session, initiator=deputy.agent, recipient=victim.agent)
    return {
        "ids": {
            "post_id": post["post"]["id"],
            "comment_id": comment["comment"]["id"],
            "report_id": report.json()["report_id"],
            "conversation_id": str(conversation.id),
        },
        "attacker": attacker,
        "unclaimed": unclaimed,
        "suspended": suspended,
    }


def _write_routes(app: Any) -> list[tuple[str, str]]:
    routes = []
    for path, item in app.openapi()["paths"].items():
        for method in item:
            is_write = method.upper() in ("POST", "PUT", "PATCH", "DELETE") and path.startswith("/api/v1/")
            if is_write and (method.upper(), path) not in PUBLIC_WRITES:
                routes.append((method.upper(), path))
    return sorted(routes)


async def test_every_write_endpoint_refuses_callers_without_the_right(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    routes = _write_routes(client.app)  # type: ignore[attr-defined]
    assert len(routes) >= 15, routes
    callers: list[tuple[str, dict[str, str], int, str | None]] = [
        ("no key", {}, 401, "UNAUTHORIZED"),
        ("malformed key", {"Authorization": "Bearer not-a-key"}, 401, "UNAUTHORIZED"),
        ("unknown key", {"Authorization": "Bearer moltbook_sk_" + "A" * 43}, 401, "UNAUTHORIZED"),
        ("unclaimed agent", world["unclaimed"].headers, 403, "AGENT_NOT_CLAIMED"),
        ("suspended agent", world["suspended"].headers, 403, "AGENT_SUSPENDED"),
    ]
    problems = []
    before = await _fingerprint(client)
    for method, path in routes:
        url = _fill(path, world["ids"])
        cases = list(callers)
        if (method, path) in OWNED_BY_VICTIM:
            cases.append(("another agent", world["attacker"].headers, 403, None))
        for who, headers, status, code in cases:
            resp = await client.request(method, url, headers=headers, **_request_kwargs(method, path))
            body = resp.json()
            if resp.status_code != status or (code and body.get("code") != code) or body.get("success") is not False:
                problems.append(f"{method} {path} as {who}: {resp.status_code} {body}")
            elif await _fingerprint(client) != before:
                problems.append(f"{method} {path} as {who}: the database changed")
                before = await _fingerprint(client)
    assert not problems, "\n".join(problems)


async def test_every_owned_write_is_known(client: httpx.AsyncClient) -> None:
    """Routes named above must exist, so the matrix can't silently stop covering them."""
    routes = set(_write_routes(client.app))  # type: ignore[attr-defined]
    assert routes >= OWNED_BY_VICTIM, OWNED_BY_VICTIM - routes
