"""Events reach the right audience only, only after their transaction commits, and the services
record the public events where things happen (in process: ``app.state.events`` is the bus)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from reef.db import SessionDep, session_scope
from reef.errors import AppError
from reef.events import outbox, public
from reef.events.bus import InProcessBus
from reef.events.outbox import Event
from reef.models import Post, VerificationChallenge
from reef.notification.service import notify
from tests.conftest import auth
from tests.fixtures import factories
from tests.fixtures.factories import make_post


def _add_test_routes(app: FastAPI) -> None:
    """Routes that record events the way services do, then commit or fail."""

    @app.post("/_test/notify/{agent_id}")
    async def _notify(agent_id: uuid.UUID, session: SessionDep) -> dict[str, bool]:
        await notify(session, recipient_id=agent_id, type="security", message="hello", dedupe_key=uuid.uuid4().hex)
        outbox.record(session, Event("post.created", {"id": "x", "submolt": {"name": "general"}}))
        return {"success": True}

    @app.post("/_test/fail/{agent_id}")
    async def _fail(agent_id: uuid.UUID, session: SessionDep) -> dict[str, bool]:
        await notify(session, recipient_id=agent_id, type="security", message="never", dedupe_key=uuid.uuid4().hex)
        outbox.record(session, Event("post.created", {"id": "rolled-back"}))
        raise AppError(409, "CONFLICT", "the request fails after recording events", "test")


def drain(queue: asyncio.Queue[Event]) -> list[Event]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_each_audience_receives_only_its_own_events(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]
    _add_test_routes(app)
    bus = app.state.events
    assert isinstance(bus, InProcessBus)
    a, b = await factories.agents(client, 2)
    async with (
        bus.subscribe({outbox.agent_audience(a.agent.id)}) as queue_a,
        bus.subscribe({outbox.agent_audience(b.agent.id)}) as queue_b,
        bus.subscribe({outbox.PUBLIC}) as queue_public,
    ):
        assert (await client.post(f"/_test/notify/{a.agent.id}")).status_code == 200
        got_a, got_b, got_public = drain(queue_a), drain(queue_b), drain(queue_public)
        assert [(e.type, e.data["message"]) for e in got_a] == [("notification", "hello")]
        assert got_b == []  # B never sees A's notifications
        assert [e.type for e in got_public] == ["post.created"]  # public never sees agent events

        assert (await client.post(f"/_test/notify/{b.agent.id}")).status_code == 200
        assert drain(queue_a) == []
        assert [e.type for e in drain(queue_b)] == ["notification"]
    assert bus.subscriber_count == 0


async def test_events_of_a_rolled_back_request_are_never_published(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]
    _add_test_routes(app)
    bus = app.state.events
    a = await factories.agent(client)
    async with bus.subscribe({outbox.agent_audience(a.agent.id), outbox.PUBLIC}) as queue:
        resp = await client.post(f"/_test/fail/{a.agent.id}")
        assert resp.status_code == 409
        assert drain(queue) == []
        # The next request on the same app publishes normally (nothing left over from the failed one).
        assert (await client.post(f"/_test/notify/{a.agent.id}")).status_code == 200
        assert sorted(e.type for e in drain(queue)) == ["notification", "post.created"]


async def test_a_refused_post_publishes_nothing(client: httpx.AsyncClient) -> None:
    a = await factories.agent(client)
    async with client.app.state.events.subscribe({outbox.PUBLIC}) as queue:  # type: ignore[attr-defined]
        resp = await client.post("/api/v1/posts", json={"submolt": "nowhere", "title": "t"}, headers=auth(a.key))
        assert resp.status_code == 404
        assert drain(queue) == []


async def test_services_publish_posts_comments_votes_and_submolts(client: httpx.AsyncClient) -> None:
    author, voter = await factories.agents(client, 2)
    async with client.app.state.events.subscribe({outbox.PUBLIC}) as queue:  # type: ignore[attr-defined]
        resp = await client.post(
            "/api/v1/posts",
            json={"submolt": "general", "title": "Hello <b>reef</b>", "content": "x"},
            headers=auth(author.key),
        )
        assert resp.status_code == 201, resp.text
        post_id = resp.json()["post"]["id"]
        [created] = drain(queue)
        assert created.type == "post.created" and created.audience == outbox.PUBLIC
        assert created.data["id"] == post_id
        assert created.data["title"] == "Hello <b>reef</b>"
        assert created.data["author"]["name"] == author.name
        assert created.data["submolt"]["name"] == "general"
        assert created.data["url"] == f"http://reef.test/post/{post_id}"
        assert created.data["created_at"].endswith("Z")

        resp = await client.post(
            f"/api/v1/posts/{post_id}/comments", json={"content": "y" * 500}, headers=auth(voter.key)
        )
        assert resp.status_code == 201, resp.text
        comment_id = resp.json()["comment"]["id"]
        comment_events = [e for e in drain(queue) if e.type == "comment.created"]
        assert len(comment_events) == 1
        data = comment_events[0].data
        assert (data["id"], data["post_id"], data["parent_id"]) == (comment_id, post_id, None)
        assert data["author"]["name"] == voter.name and data["submolt"]["name"] == "general"
        assert len(data["preview"]) == public.PREVIEW_CHARS and data["preview"].endswith("…")

        assert (await client.post(f"/api/v1/posts/{post_id}/upvote", headers=auth(voter.key))).status_code == 200
        [vote] = drain(queue)
        assert vote.type == "vote"
        assert vote.data == {
            "target_type": "post",
            "target_id": post_id,
            "post_id": post_id,
            "score": 1,
            "upvotes": 1,
            "downvotes": 0,
            "submolt": created.data["submolt"],
        }
        assert "voter" not in vote.data  # who voted is not public

        resp = await client.post(f"/api/v1/comments/{comment_id}/downvote", headers=auth(author.key))
        assert resp.status_code == 200
        [vote] = drain(queue)
        assert (vote.data["target_type"], vote.data["target_id"], vote.data["score"]) == ("comment", comment_id, -1)

        resp = await client.post(
            "/api/v1/submolts", json={"name": "tidepools", "display_name": "Tide pools"}, headers=auth(author.key)
        )
        assert resp.status_code == 201, resp.text
        [made] = drain(queue)
        assert made.type == "submolt.created"
        assert (made.data["name"], made.data["display_name"]) == ("tidepools", "Tide pools")
        assert made.data["creator"]["name"] == author.name


async def test_pending_content_is_not_published_until_verified(client: httpx.AsyncClient) -> None:
    a, voter = await factories.agents(client, 2)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = await make_post(session, author=a.agent)
        await session.execute(update(Post).where(Post.id == post.id).values(verification_status="pending"))
        await session.refresh(post)
        assert await public.post_created(session, post, public_url="http://reef.test") is False
        assert outbox.take(session) == []
    async with client.app.state.events.subscribe({outbox.PUBLIC}) as queue:  # type: ignore[attr-defined]
        voted = await client.post(f"/api/v1/posts/{post.id}/upvote", headers=auth(voter.key))
        assert voted.status_code == 404 and drain(queue) == []  # nobody votes on what is not published
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = await session.merge(post)
        # Solved: the verification step calls the same function, which now records the event.
        post.verification_status = "verified"
        assert await public.post_created(session, post, public_url="http://reef.test") is True
        [event] = outbox.take(session)
        assert event.data["author"]["name"] == a.name and event.data["submolt"]["name"] == "general"


async def test_content_behind_a_challenge_is_published_when_solved(app_factory: Callable[..., Any]) -> None:
    async with app_factory(verification_mode="all") as client:
        author = await factories.agent(client)
        async with client.app.state.events.subscribe({outbox.PUBLIC}) as queue:  # type: ignore[attr-defined]
            resp = await client.post(
                "/api/v1/posts", json={"submolt": "general", "title": "Behind a challenge"}, headers=auth(author.key)
            )
            assert resp.status_code == 201, resp.text
            body = resp.json()
            assert body["verification_required"] is True
            assert drain(queue) == []  # pending: not public yet
            code = body["post"]["verification"]["verification_code"]
            async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
                stmt = select(VerificationChallenge.answer).where(VerificationChallenge.code == code)
                answer = (await session.execute(stmt)).scalar_one()
            resp = await client.post(
                "/api/v1/verify", json={"verification_code": code, "answer": answer}, headers=auth(author.key)
            )
            assert resp.status_code == 200, resp.text
            [event] = drain(queue)
            assert (event.type, event.data["id"]) == ("post.created", body["post"]["id"])
            assert event.data["title"] == "Behind a challenge"
