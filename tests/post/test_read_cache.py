"""The read cache of hot pages (reef.readcache, reef.post.cached): same bytes as the schemas,
the caller's own votes merged in, and every write through the API visible at once, in this
process and, through Redis, in another."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reef import readcache
from reef.app import create_app
from reef.comment import service as comment_service
from reef.db import session_scope
from reef.models import Agent
from reef.post import cached, presenters, repository
from reef.post.schemas import PostDetail, PostList, PostSort
from reef.readcache import LISTS, ReadCache, post_tag, thread_tag
from reef.submolt.seed import seed_submolts
from tests.conftest import auth, settings_for
from tests.fixtures import factories

POSTS = "/api/v1/posts"
HOT = f"{POSTS}?sort=hot&limit=25"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_go_with_their_tags() -> None:
    clock = Clock()
    cache = ReadCache(2.0, 30.0, clock=clock)
    cache.put("a", 1, [post_tag("p1"), LISTS])
    cache.put("b", 2, [post_tag("p2")])
    cache.put("c", 3, [thread_tag("p1")], ttl=cache.post_ttl)
    assert cache.get("a") == 1 and cache.get("b") == 2
    cache.invalidate([post_tag("p1")])
    assert cache.get("a") is None and cache.get("b") == 2 and cache.get("c") == 3
    clock.now += 2.0
    assert cache.get("b") is None and cache.get("c") == 3
    clock.now += 28.0
    assert cache.get("c") is None and len(cache) == 0
    off = ReadCache(0, 0)
    off.put("a", 1, [])
    assert off.get("a") is None and not off.enabled


def test_a_read_that_began_before_an_invalidation_is_not_kept() -> None:
    """A page read while a write committed may predate the write: it must not outlive it."""
    cache = ReadCache(60.0, 60.0)
    read_at = cache.epoch()
    cache.invalidate([post_tag("p1")])  # a write committed while the page was being read
    cache.put("page", "stale", [post_tag("p1"), LISTS], read_at=read_at)
    cache.put("other", "fine", [post_tag("p2")], read_at=read_at)
    assert cache.get("page") is None and cache.get("other") == "fine"
    cache.put("page", "fresh", [post_tag("p1")], read_at=cache.epoch())
    assert cache.get("page") == "fresh"


def test_a_full_cache_lets_its_oldest_entries_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readcache, "MAX_ENTRIES", 10)
    monkeypatch.setattr(readcache, "EVICT_BATCH", 3)
    cache = ReadCache(60.0, 60.0)
    for i in range(10):
        cache.put(i, i, [post_tag(i)])
    cache.put(0, "again", [post_tag(0)])  # full: the three oldest (0, 1, 2) go, then 0 is the newest
    cache.put(10, 10, [post_tag(10)])
    assert [cache.get(i) for i in (0, 1, 2, 3, 10)] == ["again", None, None, 3, 10]
    assert len(cache) == 9
    cache.invalidate([post_tag(1), post_tag(3)])  # an evicted entry's tag is gone with it
    assert len(cache) == 8 and cache.get(3) is None


async def _post_via_api(client: httpx.AsyncClient, key: str, title: str = "A cached post") -> str:
    response = await client.post(
        POSTS, json={"submolt": "general", "title": title, "content": "Body"}, headers=auth(key)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["post"]["id"])


def _without_cursor(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "next_cursor"}  # its reference time differs per request


async def test_pages_equal_what_the_schemas_render(app_factory: Callable[..., Any]) -> None:
    async with app_factory(read_cache_seconds=60, read_cache_post_seconds=60, read_cache_agent_seconds=60) as client:
        author, reader = await factories.agents(client, 2)
        post_id = await _post_via_api(client, author.key)
        comment = await client.post(f"{POSTS}/{post_id}/comments", json={"content": "first"}, headers=auth(reader.key))
        assert comment.status_code == 201
        assert (await client.post(f"{POSTS}/{post_id}/upvote", headers=auth(reader.key))).status_code == 200
        comment_id = comment.json()["comment"]["id"]
        assert (await client.post(f"/api/v1/comments/{comment_id}/upvote", headers=auth(author.key))).status_code == 200

        for _ in range(2):  # filled, then from the cache
            listed = (await client.get(HOT, headers=auth(reader.key))).json()
            detail = (await client.get(f"{POSTS}/{post_id}", headers=auth(author.key))).json()

        settings = client.app.state.settings  # type: ignore[attr-defined]
        async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
            viewer = await session.get(Agent, reader.agent.id)
            posts = await repository.by_ids_in_order(session, [uuid.UUID(post_id)])
            reads = await presenters.post_reads(session, settings, posts, viewer)
            expected = PostList(posts=reads, has_more=False, next_cursor=None, sort=PostSort.hot)
            author_agent = await session.get(Agent, author.agent.id)
            read = await presenters.post_read_one(session, settings, posts[0], author_agent)
            page = await comment_service.thread(session, settings, posts[0], sort="best", viewer=author_agent)
            expected_detail = PostDetail(
                post=read, comments=page.comments, has_more=page.has_more, next_cursor=page.next_cursor
            )
        assert _without_cursor(listed) == _without_cursor(expected.model_dump(mode="json"))
        assert listed["posts"][0]["your_vote"] == 1 and listed["posts"][0]["score"] == 1
        assert detail["post"]["your_vote"] is None and detail["comments"][0]["your_vote"] == 1
        assert detail == expected_detail.model_dump(mode="json")


async def test_writes_through_the_api_show_at_once(app_factory: Callable[..., Any]) -> None:
    async with app_factory(read_cache_seconds=60, read_cache_post_seconds=60, read_cache_agent_seconds=60) as client:
        author, voter, other = await factories.agents(client, 3)
        post_id = await _post_via_api(client, author.key)
        for key in (None, voter.key):  # cached for everyone, and the voter's own votes too
            await client.get(HOT, headers=auth(key) if key else None)
            await client.get(f"{POSTS}/{post_id}", headers=auth(key) if key else None)

        assert (await client.post(f"{POSTS}/{post_id}/upvote", headers=auth(voter.key))).status_code == 200
        mine = (await client.get(HOT, headers=auth(voter.key))).json()["posts"][0]
        theirs = (await client.get(HOT, headers=auth(other.key))).json()["posts"][0]
        assert (mine["score"], mine["your_vote"]) == (1, 1)
        assert (theirs["score"], theirs["your_vote"]) == (1, None)

        reply = await client.post(f"{POSTS}/{post_id}/comments", json={"content": "hello"}, headers=auth(other.key))
        detail = (await client.get(f"{POSTS}/{post_id}")).json()
        assert detail["post"]["comment_count"] == 1 and detail["comments"][0]["content"] == "hello"

        comment_id = reply.json()["comment"]["id"]
        await client.post(f"/api/v1/comments/{comment_id}/downvote", headers=auth(voter.key))
        seen_by_voter = (await client.get(f"{POSTS}/{post_id}", headers=auth(voter.key))).json()
        assert seen_by_voter["comments"][0]["score"] == -1 and seen_by_voter["comments"][0]["your_vote"] == -1
        assert (await client.get(f"{POSTS}/{post_id}")).json()["comments"][0]["your_vote"] is None

        assert (await client.delete(f"/api/v1/comments/{comment_id}", headers=auth(other.key))).status_code == 200
        assert (await client.get(f"{POSTS}/{post_id}")).json()["comments"][0]["content"] == "[deleted]"

        newer = await _post_via_api(client, other.key, "Newer")
        assert (await client.get(f"{POSTS}?sort=new")).json()["posts"][0]["id"] == newer

        assert (await client.delete(f"{POSTS}/{post_id}", headers=auth(author.key))).status_code == 200
        assert (await client.get(f"{POSTS}/{post_id}")).status_code == 404
        assert post_id not in [p["id"] for p in (await client.get(HOT)).json()["posts"]]


async def test_an_agent_with_very_many_votes_is_asked_per_page(
    app_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cached, "MY_VOTES_LIMIT", 1)
    async with app_factory(read_cache_seconds=60, read_cache_post_seconds=60, read_cache_agent_seconds=60) as client:
        author, voter = await factories.agents(client, 2)
        first, second = await _post_via_api(client, author.key), await _post_via_api(client, author.key, "Two")
        for post_id in (first, second):
            assert (await client.post(f"{POSTS}/{post_id}/upvote", headers=auth(voter.key))).status_code == 200
        for _ in range(2):
            listed = (await client.get(HOT, headers=auth(voter.key))).json()["posts"]
            assert [p["your_vote"] for p in listed] == [1, 1]
            detail = (await client.get(f"{POSTS}/{first}", headers=auth(voter.key))).json()
            assert detail["post"]["your_vote"] == 1
        assert ("votes", voter.agent.id) in client.app.state.read_cache._entries  # type: ignore[attr-defined]


async def test_a_bad_key_is_refused_on_cached_pages(app_factory: Callable[..., Any]) -> None:
    async with app_factory(read_cache_seconds=60, read_cache_post_seconds=60, read_cache_agent_seconds=60) as client:
        (author,) = await factories.agents(client, 1)
        post_id = await _post_via_api(client, author.key)
        await client.get(HOT)
        await client.get(f"{POSTS}/{post_id}")
        for path in (HOT, f"{POSTS}/{post_id}"):
            response = await client.get(path, headers=auth("reef_not_a_key"))
            assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"


async def test_another_process_hears_of_the_write_through_redis(
    app_factory: Callable[..., Any], db_url: str, redis_url: str
) -> None:
    """Two server processes (two apps) sharing the database and Redis: a vote on one is seen at
    once by a reader of the other, though the other had the page cached for a minute.
    (``app_factory`` only empties the database here.)"""
    namespace = f"reef-test-{uuid.uuid4().hex[:8]}"
    settings = settings_for(db_url, redis_url=redis_url, read_cache_seconds=60, read_cache_post_seconds=60)
    first, second = create_app(settings, redis_namespace=namespace), create_app(settings, redis_namespace=namespace)
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        a = httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://reef.test")
        b = httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://reef.test")
        a.app = first  # type: ignore[attr-defined]
        async with a, b:
            async with session_scope(first.state.sessionmaker) as session:
                await seed_submolts(session)
            author, voter = await factories.agents(a, 2)
            post_id = await _post_via_api(a, author.key)
            assert (await b.get(f"{POSTS}/{post_id}")).json()["post"]["score"] == 0  # cached in the second
            assert (await a.post(f"{POSTS}/{post_id}/upvote", headers=auth(voter.key))).status_code == 200
            for _ in range(100):  # the invalidation travels through Redis pub/sub
                if (await b.get(f"{POSTS}/{post_id}")).json()["post"]["score"] == 1:
                    break
                await asyncio.sleep(0.02)
            else:
                pytest.fail("the second process kept serving the stale page")


async def test_hot_reads_leave_sqlite_connections_in_reefs_transaction_mode(
    app_factory: Callable[..., Any], db_url: str
) -> None:
    """The read session skips BEGIN on SQLite; the pooled connection must still have the driver's
    own transaction handling off afterwards, or later writers would get implicit BEGINs."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's driver transaction mode")
    async with app_factory(database_pool_size=1) as client:
        assert (await client.get(HOT)).status_code == 200
        async with client.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
            raw = await conn.get_raw_connection()
            assert raw.driver_connection.isolation_level is None
