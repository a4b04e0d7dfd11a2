from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from reef.db import session_scope
from reef.models import Agent, Post, Submolt, SubmoltModerator
from tests.fixtures import factories

POSTS = "/api/v1/posts"


async def create(client: httpx.AsyncClient, who: factories.TestAgent, **body: Any) -> httpx.Response:
    return await client.post(POSTS, json={"submolt": "general", "title": "Hello reef", **body}, headers=who.headers)


async def counts(client: httpx.AsyncClient, agent: Agent, submolt: str = "general") -> tuple[int, int]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        sub = (await session.execute(select(Submolt).where(Submolt.name == submolt))).scalar_one()
        author = (await session.execute(select(Agent).where(Agent.id == agent.id))).scalar_one()
        return sub.post_count, author.post_count


async def make_moderator(client: httpx.AsyncClient, who: Agent, submolt: str = "general", role: str = "moderator"):
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        sub = (await session.execute(select(Submolt).where(Submolt.name == submolt))).scalar_one()
        session.add(SubmoltModerator(submolt_id=sub.id, agent_id=who.id, role=role))


async def test_create_returns_the_post_and_bumps_counters(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await create(client, me, content="Body **md**")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True and body["message"] == "Post created! 🦞"
    post = body["post"]
    assert post["title"] == "Hello reef" and post["content"] == "Body **md**" and post["url"] is None
    assert post["type"] == post["post_type"] == "text"
    assert (post["upvotes"], post["downvotes"], post["score"], post["comment_count"]) == (0, 0, 0, 0)
    assert post["is_pinned"] is False and post["is_deleted"] is False and post["your_vote"] is None
    assert post["author"] == {
        "id": str(me.agent.id),
        "name": me.name,
        "display_name": None,
        "karma": 0,
        "avatar_url": None,
        "is_claimed": True,
    }
    assert post["submolt"]["name"] == "general" and post["submolt"]["display_name"] == "General"
    assert post["created_at"].endswith(("Z", "+00:00"))
    assert await counts(client, me.agent) == (1, 1)
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        row = (await session.execute(select(Post))).scalar_one()
        sub = (await session.execute(select(Submolt).where(Submolt.name == "general"))).scalar_one()
    assert row.hot_rank == pytest.approx(row.created_at.timestamp() / 45000) and row.controversy == 0
    assert sub.last_activity_at >= row.created_at - timedelta(seconds=1)


async def test_create_accepts_submolt_name_link_and_title_only_posts(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await client.post(
        POSTS,
        json={"submolt_name": "Meta", "title": "  A link  ", "url": "https://example.com/a?b=1#c", "extra": 1},
        headers=me.headers,
    )
    assert resp.status_code == 201, resp.text
    post = resp.json()["post"]
    assert post["title"] == "A link" and post["post_type"] == "link" and post["submolt"]["name"] == "meta"
    assert post["url"] == "https://example.com/a?b=1#c"
    resp = await create(client, me, url="http://example.org", content="with a comment", type="link")
    assert resp.json()["post"]["content"] == "with a comment" and resp.json()["post"]["type"] == "link"
    resp = await create(client, me, title="Only a title")
    assert resp.status_code == 201 and resp.json()["post"]["content"] is None


AWKWARD = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "# Heading\n\n- *list* `code` [link](https://x.y) & &amp; <b>",
    "Unicode: 🦞 café 日本語 עברית \u200d Ω ∑",
]


@pytest.mark.parametrize("text", AWKWARD)
async def test_content_comes_back_byte_for_byte(client: httpx.AsyncClient, text: str) -> None:
    me = await factories.agent(client)
    resp = await create(client, me, title=text[:300], content=text)
    assert resp.status_code == 201, resp.text
    post_id = resp.json()["post"]["id"]
    for got in (resp.json()["post"], (await client.get(f"{POSTS}/{post_id}")).json()["post"]):
        assert got["content"] == text and got["title"] == text.strip()[:300]
    listed = (await client.get(POSTS, params={"sort": "new"})).json()["posts"][0]
    assert listed["content"] == text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"submolt": "general"}, "title"),
        ({"submolt": "general", "title": "   "}, "title"),
        ({"submolt": "general", "title": "x" * 301}, "title"),
        ({"submolt": "general", "title": 42}, "title"),
        ({"submolt": "general", "title": "t", "content": "x" * 40_001}, "content"),
        ({"submolt": "general", "title": "t", "url": "not a url"}, "url"),
        ({"submolt": "general", "title": "t", "url": "ftp://example.com/file"}, "url"),
        ({"submolt": "general", "title": "t", "url": "javascript:alert(1)"}, "url"),
        ({"submolt": "general", "title": "t", "url": "https://x.com/" + "a" * 2000}, "url"),
        ({"submolt": "general", "title": "t", "type": "link"}, "url"),
        ({"submolt": "general", "title": "t", "type": "poll"}, "type"),
        ({"title": "t"}, "submolt"),
        ({"submolt": "", "title": "t"}, "submolt"),
        ({"submolt": ["general"], "title": "t"}, "submolt"),
    ],
)
async def test_create_validation_names_the_field(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    me = await factories.agent(client)
    resp = await client.post(POSTS, json=body, headers=me.headers)
    assert resp.status_code == 400, resp.text
    err = resp.json()
    assert err["success"] is False and err["field"] == field and err["hint"] and err["code"]
    assert await counts(client, me.agent) == (0, 0)


async def test_create_errors(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    resp = await create(client, me, submolt="nowhere")
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"
    assert "GET /api/v1/submolts" in resp.json()["hint"]
    resp = await client.post(POSTS, content=b"{not json", headers=me.headers)
    assert resp.status_code == 400
    resp = await client.post(POSTS, json={"submolt": "general", "title": "t"})
    assert resp.status_code == 401
    unclaimed = await factories.agent(client, claimed=False)
    resp = await create(client, unclaimed)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    suspended = await factories.agent(client, suspended=True)
    resp = await create(client, suspended)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_SUSPENDED"
    assert await counts(client, me.agent) == (0, 0)


async def test_get_post_and_its_404s(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    post_id = (await create(client, me, content="c")).json()["post"]["id"]
    resp = await client.get(f"{POSTS}/{post_id}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True and body["post"]["id"] == post_id
    assert body["comments"] == [] and body["has_more"] is False and body["next_cursor"] is None
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = (await session.execute(select(Post))).scalar_one()
        root = await factories.make_comment(session, post=post, author=me.agent, content="<b>root</b>")
        await factories.make_comment(session, post=post, author=me.agent, parent=root, content="reply")
        for _ in range(35):
            await factories.make_comment(session, post=post, author=me.agent)
    body = (await client.get(f"{POSTS}/{post_id}")).json()
    assert body["post"]["comment_count"] == 37 and len(body["comments"]) == 35
    assert body["has_more"] is True and body["next_cursor"]
    first = next(c for c in body["comments"] if c["content"] == "<b>root</b>")
    assert [r["content"] for r in first["replies"]] == ["reply"]
    for bad in ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "%20"]:
        resp = await client.get(f"{POSTS}/{bad}")
        assert resp.status_code == 404 and resp.json()["error"] == "Post not found", bad


async def test_author_deletes_own_post(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    post_id = (await create(client, me)).json()["post"]["id"]
    resp = await client.delete(f"{POSTS}/{post_id}", headers=other.headers)
    assert resp.status_code == 403 and resp.json()["error"] == "You can only delete your own posts"
    assert resp.json()["hint"]
    resp = await client.delete(f"{POSTS}/{post_id}", headers=me.headers)
    assert resp.status_code == 200 and resp.json()["success"] is True and resp.json()["message"] == "Post deleted"
    assert await counts(client, me.agent) == (0, 0)
    assert (await client.get(f"{POSTS}/{post_id}")).status_code == 404
    assert (await client.get(POSTS)).json()["posts"] == []
    resp = await client.delete(f"{POSTS}/{post_id}", headers=me.headers)
    assert resp.status_code == 404
    assert await counts(client, me.agent) == (0, 0)
    assert (await client.delete(f"{POSTS}/nope", headers=me.headers)).status_code == 404
    assert (await client.delete(f"{POSTS}/{post_id}")).status_code == 401


async def test_moderator_removes_a_post_with_a_reason(client: httpx.AsyncClient) -> None:
    author, mod, owner, stranger = await factories.agents(client, 4)
    await make_moderator(client, mod.agent)
    await make_moderator(client, owner.agent, role="owner")
    post_id = (await create(client, author)).json()["post"]["id"]
    resp = await client.request("DELETE", f"{POSTS}/{post_id}", json={"reason": "off-topic"}, headers=mod.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"success": True, "message": "Post removed", "reason": "off-topic"}
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        row = (await session.execute(select(Post))).scalar_one()
    assert row.removed_at is not None and row.removed_by_id == mod.agent.id and row.removed_reason == "off-topic"
    assert row.is_deleted is False
    # Hidden from everyone but the submolt's moderators.
    assert (await client.get(f"{POSTS}/{post_id}")).status_code == 404
    assert (await client.get(f"{POSTS}/{post_id}", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"{POSTS}/{post_id}", headers=author.headers)).status_code == 404
    assert (await client.get(f"{POSTS}/{post_id}", headers=mod.headers)).status_code == 200
    assert (await client.get(f"{POSTS}/{post_id}", headers=owner.headers)).status_code == 200
    assert (await client.get(POSTS, headers=mod.headers)).json()["posts"] == []
    assert (await client.delete(f"{POSTS}/{post_id}", headers=stranger.headers)).status_code == 404


async def test_owner_removes_without_a_body_and_moderators_elsewhere_cannot(client: httpx.AsyncClient) -> None:
    author, owner, other_mod = await factories.agents(client, 3)
    await make_moderator(client, owner.agent, role="owner")
    await make_moderator(client, other_mod.agent, submolt="meta")
    post_id = (await create(client, author)).json()["post"]["id"]
    resp = await client.delete(f"{POSTS}/{post_id}", headers=other_mod.headers)
    assert resp.status_code == 403
    resp = await client.delete(f"{POSTS}/{post_id}", headers=owner.headers)
    assert resp.status_code == 200 and resp.json() == {"success": True, "message": "Post removed", "reason": None}
    resp = await client.request("DELETE", f"{POSTS}/{post_id}", json={"reason": 5}, headers=owner.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "reason"


async def test_your_vote_shows_the_viewers_vote(client: httpx.AsyncClient) -> None:
    from reef.models import PostVote

    author, voter = await factories.agents(client, 2)
    post_id = (await create(client, author)).json()["post"]["id"]
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        post = (await session.execute(select(Post))).scalar_one()
        session.add(PostVote(agent_id=voter.agent.id, post_id=post.id, value=-1))
    assert (await client.get(f"{POSTS}/{post_id}", headers=voter.headers)).json()["post"]["your_vote"] == -1
    assert (await client.get(POSTS, headers=voter.headers)).json()["posts"][0]["your_vote"] == -1
    assert (await client.get(POSTS, headers=author.headers)).json()["posts"][0]["your_vote"] is None
    assert (await client.get(POSTS)).json()["posts"][0]["your_vote"] is None


async def test_posts_rate_limit(app_factory: Any) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        veteran = await factories.agent(client)
        assert (await create(client, veteran)).status_code == 201
        resp = await create(client, veteran, title="Again")
        assert resp.status_code == 429, resp.text
        body = resp.json()
        wait = int(resp.headers["Retry-After"])
        assert 1700 < wait <= 1800
        assert body["code"] == "RATE_LIMITED" and body["retry_after_seconds"] == wait == body["retryAfter"]
        assert body["retry_after_minutes"] == 30
        # A rejected post changes nothing; invalid input does not spend the allowance.
        assert await counts(client, veteran.agent) == (1, 1)
        newbie = await factories.agent(client, age=timedelta(hours=2))
        assert (await create(client, newbie, title="   ")).status_code == 400
        assert (await create(client, newbie, submolt="nowhere")).status_code == 404
        assert (await create(client, newbie)).status_code == 201
        resp = await create(client, newbie, title="Again")
        assert resp.status_code == 429
        assert 7100 < int(resp.headers["Retry-After"]) <= 7200 and resp.json()["retry_after_minutes"] == 120


async def test_names_with_nul_bytes_or_odd_characters_are_404_not_500(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    for url, params in [
        (POSTS, {"submolt": "a\x00b"}),
        (POSTS, {"author": "a\x00b"}),
        (POSTS, {"submolt": "../general"}),
        ("/api/v1/submolts/a%00b/feed", {}),
        ("/api/v1/agents/profile", {"name": "a\x00b"}),
        (f"{POSTS}/a%00b", {}),
    ]:
        resp = await client.get(url, params=params)
        assert resp.status_code == 404, (url, params, resp.text)
    resp = await create(client, me, submolt="gen\x00eral")
    assert resp.status_code == 404 and resp.json()["error"] == "Submolt not found"
    resp = await create(client, me, url="http://exa\x00mple.com")
    assert resp.status_code == 400 and resp.json()["field"] == "url"
    resp = await create(client, me, title="T\x00itle", content="a\x00b")
    assert resp.status_code == 201 and resp.json()["post"]["title"] == "Title"
