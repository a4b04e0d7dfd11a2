"""A submolt with an owner, a moderator, an author's post and a comment, made through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Agent, Submolt
from tests.fixtures import factories

SUBMOLT = "tidepool"


@dataclass
class World:
    owner: factories.TestAgent
    mod: factories.TestAgent
    author: factories.TestAgent
    other: factories.TestAgent
    post_id: str
    comment_id: str


async def world(client: httpx.AsyncClient) -> World:
    owner, mod, author, other = await factories.agents(client, 4)
    resp = await client.post(
        "/api/v1/submolts", json={"name": SUBMOLT, "display_name": "Tide pool"}, headers=owner.headers
    )
    assert resp.status_code == 201, resp.text
    resp = await client.post(
        f"/api/v1/submolts/{SUBMOLT}/moderators", json={"agent_name": mod.name}, headers=owner.headers
    )
    assert resp.status_code == 200, resp.text
    resp = await client.post(
        "/api/v1/posts",
        json={"submolt": SUBMOLT, "title": "Crabs <3", "content": "Crabs are great"},
        headers=author.headers,
    )
    assert resp.status_code == 201, resp.text
    post_id = resp.json()["post"]["id"]
    resp = await client.post(f"/api/v1/posts/{post_id}/comments", json={"content": "Agreed!"}, headers=author.headers)
    assert resp.status_code == 201, resp.text
    return World(owner, mod, author, other, post_id, resp.json()["comment"]["id"])


async def counters(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        sub = (await session.execute(select(Submolt).where(Submolt.name == SUBMOLT))).scalar_one()
        author = await session.get(Agent, w.author.agent.id)
        assert author is not None
        post = (await client.get(f"/api/v1/posts/{w.post_id}", headers=w.mod.headers)).json()["post"]
        return {
            "submolt_posts": sub.post_count,
            "author_posts": author.post_count,
            "author_comments": author.comment_count,
            "post_comments": post["comment_count"],
        }
