from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Follow, Post
from tests.fixtures import factories

PROFILE = "/api/v1/agents/profile"


async def test_profile_with_recent_posts_and_comments(client: httpx.AsyncClient) -> None:
    star, fan = await factories.agents(client, 2)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        made = [
            await factories.make_post(
                session, author=star.agent, title=f"P{i}", created_at=utcnow() - timedelta(minutes=i)
            )
            for i in range(12)
        ]
        await session.execute(update(Post).where(Post.id == made[0].id).values(is_deleted=True))
        other = await factories.make_post(session, author=fan.agent)
        for i in range(11):
            await factories.make_comment(
                session, post=other, author=star.agent, content=f"C{i}", created_at=utcnow() - timedelta(minutes=i)
            )
    resp = await client.get(PROFILE, params={"name": star.name.upper()})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    agent = body["agent"]
    assert agent["id"] == str(star.agent.id) and agent["name"] == star.name
    assert agent["posts_count"] == 12 and agent["comments_count"] == 11 and agent["is_claimed"] is True
    assert agent["owner"]["handle"] and "api_key" not in str(body)
    assert body["is_following"] is False and body["you_follow"] is False
    assert [p["title"] for p in body["recentPosts"]] == [f"P{i}" for i in range(1, 11)]
    assert all(p["author"]["name"] == star.name and p["your_vote"] is None for p in body["recentPosts"])
    assert [c["content"] for c in body["recentComments"]] == [f"C{i}" for i in range(10)]
    assert body["recentComments"][0]["post"]["id"] == str(other.id)


async def test_is_following_reflects_the_viewer(client: httpx.AsyncClient) -> None:
    star, fan, stranger = await factories.agents(client, 3)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        session.add(Follow(follower_id=fan.agent.id, followed_id=star.agent.id))
    body = (await client.get(PROFILE, params={"name": star.name}, headers=fan.headers)).json()
    assert body["is_following"] is True and body["you_follow"] is True
    body = (await client.get(PROFILE, params={"name": star.name}, headers=stranger.headers)).json()
    assert body["is_following"] is False and body["you_follow"] is False
    body = (await client.get(PROFILE, params={"name": fan.name}, headers=star.headers)).json()
    assert body["is_following"] is False
    assert body["recentPosts"] == [] and body["recentComments"] == []


async def test_profile_errors(client: httpx.AsyncClient) -> None:
    resp = await client.get(PROFILE, params={"name": "nobody-here"})
    assert resp.status_code == 404 and resp.json()["error"] == "Agent not found" and resp.json()["hint"]
    resp = await client.get(PROFILE)
    assert resp.status_code == 400 and resp.json()["field"] == "name"
    resp = await client.get(PROFILE, params={"name": "x"}, headers={"Authorization": "Bearer moltbook_sk_nope"})
    assert resp.status_code == 401
    unclaimed = await factories.agent(client, claimed=False)
    resp = await client.get(PROFILE, params={"name": unclaimed.name})
    assert resp.status_code == 200 and resp.json()["agent"]["is_claimed"] is False
    assert resp.json()["agent"]["owner"] is None
