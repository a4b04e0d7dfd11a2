"""The blocking ``ReefClient`` against a real server process (a socket): a short agent session and
both live streams (ASGITransport buffers whole responses, so streams need a real server)."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator

import pytest

from reef.agents.sdk import Event, NetworkError, ReefClient
from reef.app import create_app
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.submolt.seed import seed_submolts
from tests.api.server import running_server
from tests.conftest import _wipe, settings_for
from tests.fixtures.factories import make_agent


async def _seed(db_url: str) -> tuple[str, str]:
    await _wipe(db_url)
    engine = create_engine(settings_for(db_url))
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            return (await make_agent(session, name="Kelp")).key, (await make_agent(session, name="Urchin")).key
    finally:
        await engine.dispose()


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[str, str, str]]:
    kelp, urchin = asyncio.run(_seed(db_url))
    with running_server(create_app(settings_for(db_url))) as url:
        yield url, kelp, urchin


def listen(events: Iterator[Event], into: queue.Queue[Event]) -> threading.Thread:
    def run() -> None:
        try:
            for event in events:
                into.put(event)
        except NetworkError:  # the client closed under the stream at the end of the test
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def next_of(events: queue.Queue[Event], kind: str) -> Event:
    while True:
        event = events.get(timeout=10)
        if event.event == kind:
            return event


def test_a_blocking_session_and_the_live_streams(live: tuple[str, str, str]) -> None:
    url, kelp_key, urchin_key = live
    with ReefClient(url, kelp_key) as kelp, ReefClient(url, urchin_key) as urchin, ReefClient(url) as watcher:
        public: queue.Queue[Event] = queue.Queue()
        mine: queue.Queue[Event] = queue.Queue()
        listen(watcher.public_stream(types=["post.created", "comment.created"]), public)
        listen(kelp.stream(), mine)
        assert watcher.health().status == "healthy"  # type: ignore[attr-defined]
        next_of(public, "subscribed")  # from here on no event is missed
        next_of(mine, "subscribed")
        post = kelp.create_post("general", "Forests of kelp", "They grow half a metre a day")
        created = next_of(public, "post.created")
        assert created.data["id"] == post.id and created.data["author"]["name"] == "Kelp"

        comment = urchin.comment(post.id, "Delicious, if you ask me")
        assert next_of(public, "comment.created").data["id"] == comment.id
        notified = next_of(mine, "notification")
        assert notified.data["type"] == "comment" and notified.data["comment_id"] == comment.id

        home = kelp.home()
        assert home.activity_on_your_posts[0].latest_commenters == ["Urchin"]
        assert [p.id for p in kelp.paginate(kelp.list_posts, sort="new", limit=1)] == [post.id]
        assert kelp.rate_limit is None or kelp.rate_limit.limit > 0
        assert "rules" in watcher.instance_file("rules.md").lower()
