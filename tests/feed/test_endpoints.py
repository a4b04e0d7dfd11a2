from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Follow, Post, Submolt, Subscription
from tests.fixtures import factories

FEED = "/api/v1/feed"


async def subscribe(client: httpx.AsyncClient, who: factories.TestAgent, submolt: str) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        sub = (await session.execute(select(Submolt).where(Submolt.name == submolt))).scalar_one()
        session.add(Subscription(agent_id=who.agent.id, submolt_id=sub.id))


async def follow(client: httpx.AsyncClient, who: factories.TestAgent, whom: factories.TestAgent) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        session.add(Follow(follower_id=who.agent.id, followed_id=whom.agent.id))


async def posts(client: httpx.AsyncClient, *specs: tuple[factories.TestAgent, str]) -> list[str]:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        made = [
            await factories.make_post(session, author=a.agent, submolt=s, created_at=utcnow() - timedelta(minutes=i))
            for i, (a, s) in enumerate(specs)
        ]
        return [str(p.id) for p in made]


def ids(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [p["id"] for p in resp.json()["posts"]]


async def test_feed_needs_a_key(client: httpx.AsyncClient) -> None:
    resp = await client.get(FEED)
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


async def test_empty_feed_tells_the_agent_to_subscribe_or_follow(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    await posts(client, (other, "general"))
    body = (await client.get(FEED, headers=me.headers)).json()
    assert body["success"] is True and body["posts"] == [] and body["has_more"] is False
    assert body["next_cursor"] is None and body["feed_type"] == "all"
    assert "subscribe" in body["hint"] and "follow" in body["hint"]
    await subscribe(client, me, "general")
    body = (await client.get(FEED, params={"filter": "following"}, headers=me.headers)).json()
    assert body["posts"] == [] and "follow" in body["hint"] and body["feed_type"] == "following"
    # Unclaimed agents may read their feed too.
    unclaimed = await factories.agent(client, claimed=False)
    assert (await client.get(FEED, headers=unclaimed.headers)).status_code == 200


async def test_feed_filters_subscriptions_and_follows(client: httpx.AsyncClient) -> None:
    me, friend, stranger = await factories.agents(client, 3)
    friend_general, friend_meta, stranger_meta, _stranger_general, _mine = await posts(
        client, (friend, "general"), (friend, "meta"), (stranger, "meta"), (stranger, "general"), (me, "help")
    )
    await subscribe(client, me, "meta")
    await follow(client, me, friend)
    expected_all = [friend_general, friend_meta, stranger_meta]
    resp = await client.get(FEED, params={"sort": "new"}, headers=me.headers)
    assert ids(resp) == expected_all and resp.json()["hint"] is None and resp.json()["sort"] == "new"
    assert ids(await client.get(FEED, params={"sort": "new", "filter": "all"}, headers=me.headers)) == expected_all
    following = await client.get(FEED, params={"sort": "new", "filter": "following"}, headers=me.headers)
    assert ids(following) == [friend_general, friend_meta]
    for sort in ["hot", "top", "rising", "controversial"]:
        assert sorted(ids(await client.get(FEED, params={"sort": sort}, headers=me.headers))) == sorted(expected_all)
    # Paging.
    page = (await client.get(FEED, params={"sort": "new", "limit": 2}, headers=me.headers)).json()
    assert [p["id"] for p in page["posts"]] == expected_all[:2] and page["has_more"] is True
    rest = await client.get(FEED, params={"sort": "new", "limit": 2, "cursor": page["next_cursor"]}, headers=me.headers)
    assert ids(rest) == expected_all[2:] and rest.json()["has_more"] is False
    # Deleted posts leave the feed.
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Post).where(Post.id == uuid.UUID(friend_meta)).values(is_deleted=True))
    assert ids(await client.get(FEED, params={"sort": "new"}, headers=me.headers)) == [friend_general, stranger_meta]


async def test_feed_rejects_bad_parameters(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    for params, field in [({"filter": "friends"}, "filter"), ({"sort": "best"}, "sort"), ({"limit": 500}, "limit")]:
        resp = await client.get(FEED, params=params, headers=me.headers)
        assert resp.status_code == 400 and resp.json()["field"] == field


async def pin(client: httpx.AsyncClient, post_id: str, minutes_ago: int) -> None:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        when = utcnow() - timedelta(minutes=minutes_ago)
        await session.execute(update(Post).where(Post.id == uuid.UUID(post_id)).values(pinned_at=when))


async def test_submolt_feed_with_pinned_posts_on_the_first_page(client: httpx.AsyncClient) -> None:
    a = await factories.agent(client)
    m1, m2, m3, m4, _general = await posts(client, (a, "meta"), (a, "meta"), (a, "meta"), (a, "meta"), (a, "general"))
    await pin(client, m3, minutes_ago=10)
    await pin(client, m4, minutes_ago=1)
    await pin(client, m1, minutes_ago=5)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Post).where(Post.id == uuid.UUID(m1)).values(removed_at=utcnow()))
    url = "/api/v1/submolts/meta/feed"
    first = await client.get(url, params={"sort": "new", "limit": 2})
    body = first.json()
    assert ids(first) == [m2, m3] and body["has_more"] is True and body["sort"] == "new"
    assert [p["id"] for p in body["pinned"]] == [m4, m3] and all(p["is_pinned"] for p in body["pinned"])
    second = (await client.get(url, params={"sort": "new", "limit": 2, "cursor": body["next_cursor"]})).json()
    assert [p["id"] for p in second["posts"]] == [m4] and second["pinned"] == [] and second["has_more"] is False
    for sort in ["hot", "top", "rising", "controversial"]:
        assert sorted(ids(await client.get(url, params={"sort": sort}))) == sorted([m2, m3, m4])
    assert ids(await client.get("/api/v1/submolts/META/feed")) != []
    resp = await client.get("/api/v1/submolts/nowhere/feed")
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"
    resp = await client.get(url, params={"limit": 0})
    assert resp.status_code == 400 and resp.json()["field"] == "limit"


async def test_submolt_feed_shows_your_vote(client: httpx.AsyncClient) -> None:
    from reef.models import PostVote

    author, voter = await factories.agents(client, 2)
    (post_id,) = await posts(client, (author, "help"))
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        session.add(PostVote(agent_id=voter.agent.id, post_id=uuid.UUID(post_id), value=1))
    body: dict[str, Any] = (await client.get("/api/v1/submolts/help/feed", headers=voter.headers)).json()
    assert body["posts"][0]["your_vote"] == 1
