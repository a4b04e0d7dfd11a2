"""The SSE endpoints against a real uvicorn server (ASGITransport buffers whole responses, so a
stream needs a socket): delivery within a second, the right audience only, filters, clean-up on
disconnect, errors in the contract's shape."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from reef.app import create_app
from reef.db import SessionDep, create_engine, create_sessionmaker, session_scope
from reef.kit.time import utcnow
from reef.models import ApiKey
from reef.notification.service import notify
from reef.submolt.seed import seed_submolts
from tests.api.server import running_server
from tests.conftest import _wipe, auth, settings_for
from tests.events.sse import Stream
from tests.fixtures.factories import TestAgent, make_agent


@dataclass
class Live:
    base_url: str
    app: FastAPI
    a: TestAgent
    b: TestAgent


async def _seed(db_url: str) -> tuple[TestAgent, TestAgent]:
    await _wipe(db_url)
    engine = create_engine(settings_for(db_url))
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            return await make_agent(session, name="alpha"), await make_agent(session, name="beta")
    finally:
        await engine.dispose()


def _add_notify_route(app: FastAPI) -> None:
    @app.post("/_test/notify/{agent_id}")
    async def _notify(agent_id: uuid.UUID, session: SessionDep) -> dict[str, bool]:
        await notify(session, recipient_id=agent_id, type="security", message="psst", dedupe_key=uuid.uuid4().hex)
        return {"success": True}


@pytest.fixture
def live(db_url: str) -> Iterator[Live]:
    a, b = asyncio.run(_seed(db_url))
    app = create_app(settings_for(db_url))
    _add_notify_route(app)
    with running_server(app) as base_url:
        yield Live(base_url, app, a, b)


@pytest.fixture
async def http(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as client:
        yield client


@asynccontextmanager
async def open_stream(http: httpx.AsyncClient, path: str, key: str | None = None) -> AsyncIterator[Stream]:
    response = await http.send(http.build_request("GET", path, headers=auth(key) if key else {}), stream=True)
    assert response.status_code == 200, (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    stream = Stream(response)
    try:
        first = await stream.subscribed()
        assert first.retry == 3000
        yield stream
    finally:
        await stream.close()


async def _wait_until(condition, within: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_new_post_reaches_the_public_stream_within_a_second(live: Live, http: httpx.AsyncClient) -> None:
    async with open_stream(http, "/api/v1/stream/public") as stream:
        started = time.monotonic()
        resp = await http.post(
            "/api/v1/posts", json={"submolt": "general", "title": "Live!", "content": "x"}, headers=live.a.headers
        )
        assert resp.status_code == 201, resp.text
        post_id = resp.json()["post"]["id"]
        message = await stream.wait_for(lambda m: m.event == "post.created", within=1.0)
        assert time.monotonic() - started < 1.0
        assert message.id and len(message.id) == 32
        assert message.json["id"] == post_id
        assert message.json["title"] == "Live!"
        assert message.json["author"]["name"] == "alpha"
        assert message.json["url"] == f"http://reef.test/post/{post_id}"
        assert live.app.state.events.subscriber_count == 1
    # The client went away: its subscription is gone.
    await _wait_until(lambda: live.app.state.events.subscriber_count == 0)


async def test_public_filters_by_type_and_submolt(live: Live, http: httpx.AsyncClient) -> None:
    async with (
        open_stream(http, "/api/v1/stream/public?types=comment.created") as comments_only,
        open_stream(http, "/api/v1/stream/public?submolt=meta") as meta_only,
    ):
        general = await http.post(
            "/api/v1/posts", json={"submolt": "general", "title": "In general"}, headers=live.a.headers
        )
        meta = await http.post("/api/v1/posts", json={"submolt": "meta", "title": "In meta"}, headers=live.b.headers)
        assert general.status_code == meta.status_code == 201
        meta_id = meta.json()["post"]["id"]
        await http.post(f"/api/v1/posts/{meta_id}/comments", json={"content": "hi"}, headers=live.a.headers)
        comment = await comments_only.wait_for(lambda m: m.event == "comment.created")
        assert comment.json["post_id"] == meta_id
        await meta_only.wait_for(lambda m: m.event == "comment.created")
        assert {m.event for m in comments_only.events()} == {"comment.created"}
        assert [m.json["title"] for m in meta_only.events("post.created")] == ["In meta"]


async def test_the_agent_stream_carries_only_that_agents_events(live: Live, http: httpx.AsyncClient) -> None:
    async with (
        open_stream(http, "/api/v1/stream", live.a.key) as stream_a,
        open_stream(http, "/api/v1/stream", live.b.key) as stream_b,
        open_stream(http, "/api/v1/stream/public") as stream_public,
    ):
        assert (await http.post(f"/_test/notify/{live.a.agent.id}")).status_code == 200
        message = await stream_a.wait_for(lambda m: m.event == "notification")
        assert message.json["message"] == "psst"
        assert (await http.post(f"/_test/notify/{live.b.agent.id}")).status_code == 200
        await stream_b.wait_for(lambda m: m.event == "notification")
        # A public post as a marker: once every stream has seen it, nothing else is on its way.
        await http.post("/api/v1/posts", json={"submolt": "general", "title": "marker"}, headers=live.a.headers)
        await stream_public.wait_for(lambda m: m.event == "post.created")
        assert len(stream_a.events()) == 1 and len(stream_b.events()) == 1  # never the other's
        assert stream_public.events("notification") == []  # the public never sees agent events


async def test_a_revoked_key_ends_the_agent_stream(live: Live, http: httpx.AsyncClient) -> None:
    async with open_stream(http, "/api/v1/stream", live.a.key) as stream:
        engine = create_engine(settings_for(str(live.app.state.settings.database_url)))
        try:
            async with session_scope(create_sessionmaker(engine)) as session:
                await session.execute(
                    update(ApiKey).where(ApiKey.agent_id == live.a.agent.id).values(revoked_at=utcnow())
                )
        finally:
            await engine.dispose()
        await http.post(f"/_test/notify/{live.a.agent.id}")
        error = await stream.wait_for(lambda m: m.event == "error")
        assert error.json["success"] is False and error.json["code"] == "UNAUTHORIZED" and error.json["hint"]
        await asyncio.wait_for(stream._reader, 5)  # the server ended the stream
        assert stream.events("notification") == []  # the event after revocation was not delivered
    resp = await http.get("/api/v1/stream", headers=live.a.headers)
    assert resp.status_code == 401


async def test_stream_errors_are_json_in_the_contract_shape(live: Live, http: httpx.AsyncClient) -> None:
    cases = [
        ("/api/v1/stream", {}, 401, None),
        ("/api/v1/stream", auth("moltbook_sk_nope"), 401, None),
        ("/api/v1/stream/public?types=post.created,bogus", {}, 400, "types"),
        ("/api/v1/stream/public?submolt=nowhere", {}, 404, None),
        ("/api/v1/stream/public?submolt=%00bad", {}, 404, None),
        ("/api/v1/stream/public?types=" + "x" * 300, {}, 400, "types"),
    ]
    for path, headers, status, field in cases:
        resp = await http.get(path, headers=headers)
        assert resp.status_code == status, (path, resp.text)
        body = resp.json()
        assert body["success"] is False and body["error"] and body["hint"] and body["code"], body
        if field:
            assert body["field"] == field
