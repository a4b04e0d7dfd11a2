from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from reef.db import session_scope
from reef.models import Agent, Comment, CommentVote, Follow, Post, PostVote
from reef.post import ranking
from tests.fixtures import factories
from tests.fixtures.factories import TestAgent


async def _post(client: httpx.AsyncClient, author: TestAgent, **kw: Any) -> Post:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        return await factories.make_post(session, author=author.agent, **kw)


async def _comment(client: httpx.AsyncClient, author: TestAgent, post: Post | None = None) -> Comment:
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        if post is None:
            post = await factories.make_post(session, author=author.agent)
        return await factories.make_comment(session, post=post, author=author.agent)


async def _many_agents(client: httpx.AsyncClient, count: int) -> list[TestAgent]:
    """Agents claimed by one owner: one password hash instead of ``count``."""
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        owner = await factories.make_owner(session)
        return [await factories.make_agent(session, owner=owner) for _ in range(count)]


async def _state(client: httpx.AsyncClient, model: Any, target_id: uuid.UUID, author_id: uuid.UUID) -> dict[str, Any]:
    """The target's counters, the author's karma and what the stored votes add up to."""
    vote_model, fk = (PostVote, PostVote.post_id) if model is Post else (CommentVote, CommentVote.comment_id)
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        row = await session.get(model, target_id, populate_existing=True)
        karma = (await session.execute(select(Agent.karma).where(Agent.id == author_id))).scalar_one()
        values = (await session.execute(select(vote_model.value).where(fk == target_id))).scalars().all()
    return {
        "score": row.score,
        "upvotes": row.upvotes,
        "downvotes": row.downvotes,
        "karma": karma,
        "row": row,
        "vote_sum": sum(values),
        "vote_rows": len(values),
        "stored_up": sum(1 for v in values if v == 1),
        "stored_down": sum(1 for v in values if v == -1),
    }


def _assert_consistent(state: dict[str, Any], *, karma_base: int = 0) -> None:
    assert state["score"] == state["vote_sum"]
    assert state["upvotes"] == state["stored_up"]
    assert state["downvotes"] == state["stored_down"]
    assert state["karma"] == karma_base + state["vote_sum"]


@pytest.mark.parametrize("kind", ["posts", "comments"])
async def test_toggle_change_remove_keeps_exact_counters_and_karma(client: httpx.AsyncClient, kind: str) -> None:
    author, voter, other = await factories.agents(client, 3)
    target = await (_post(client, author) if kind == "posts" else _comment(client, author))
    model = Post if kind == "posts" else Comment
    url = f"/api/v1/{kind}/{target.id}"

    resp = await client.post(f"{url}/upvote", headers=voter.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["message"] == "Upvoted! 🦞"
    assert (body["action"], body["your_vote"]) == ("upvoted", 1)
    assert (body["score"], body["upvotes"], body["downvotes"]) == (1, 1, 0)
    assert body["author"] == {"name": author.name}
    assert body["already_following"] is False
    assert author.name in body["tip"] and "+1 karma" in body["tip"]

    # The opposite vote changes it: the score moves by 2.
    body = (await client.post(f"{url}/downvote", headers=voter.headers)).json()
    assert (body["action"], body["message"], body["your_vote"]) == ("changed", "Vote changed!", -1)
    assert (body["score"], body["upvotes"], body["downvotes"]) == (-1, 0, 1)
    state = await _state(client, model, target.id, author.agent.id)
    assert state["karma"] == -1
    _assert_consistent(state)

    # Another agent upvotes: a controversial target.
    body = (await client.post(f"{url}/upvote", headers=other.headers)).json()
    assert (body["score"], body["upvotes"], body["downvotes"]) == (0, 1, 1)
    state = await _state(client, model, target.id, author.agent.id)
    assert state["row"].controversy == ranking.controversy(1, 1) > 0
    if model is Post:
        assert state["row"].hot_rank == pytest.approx(ranking.hot(0, state["row"].created_at))
    else:
        assert state["row"].best_rank == pytest.approx(ranking.wilson_lower_bound(1, 1))

    # The same vote again removes it (never the OSS bug: downvotes goes down, not up).
    body = (await client.post(f"{url}/downvote", headers=voter.headers)).json()
    assert (body["action"], body["message"], body["your_vote"]) == ("removed", "Vote removed!", None)
    assert (body["score"], body["upvotes"], body["downvotes"]) == (1, 1, 0)
    state = await _state(client, model, target.id, author.agent.id)
    assert state["karma"] == 1 and state["vote_rows"] == 1
    assert state["row"].controversy == 0
    if model is Post:
        assert state["row"].hot_rank == pytest.approx(ranking.hot(1, state["row"].created_at))
    else:
        assert state["row"].best_rank == pytest.approx(ranking.wilson_lower_bound(1, 0))
    _assert_consistent(state)

    body = (await client.post(f"{url}/downvote", headers=voter.headers)).json()
    assert (body["action"], body["message"], body["your_vote"]) == ("downvoted", "Downvoted!", -1)
    assert (body["score"], body["upvotes"], body["downvotes"]) == (0, 1, 1)
    body = (await client.post(f"{url}/upvote", headers=other.headers)).json()
    assert (body["action"], body["score"], body["upvotes"], body["downvotes"]) == ("removed", -1, 0, 1)
    _assert_consistent(await _state(client, model, target.id, author.agent.id))


async def test_karma_adds_up_across_posts_and_comments(client: httpx.AsyncClient) -> None:
    author, voter = await factories.agents(client, 2)
    post = await _post(client, author)
    comment = await _comment(client, author, post)
    await client.post(f"/api/v1/posts/{post.id}/upvote", headers=voter.headers)
    await client.post(f"/api/v1/comments/{comment.id}/upvote", headers=voter.headers)
    await client.post(f"/api/v1/comments/{comment.id}/downvote", headers=voter.headers)  # change: -2
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        karma = (await session.execute(select(Agent.karma).where(Agent.id == author.agent.id))).scalar_one()
        voter_karma = (await session.execute(select(Agent.karma).where(Agent.id == voter.agent.id))).scalar_one()
    assert karma == 1 - 1 and voter_karma == 0


async def test_votes_accept_no_body_empty_body_or_empty_object(client: httpx.AsyncClient) -> None:
    author, voter = await factories.agents(client, 2)
    post = await _post(client, author)
    url = f"/api/v1/posts/{post.id}/upvote"
    assert (await client.post(url, headers=voter.headers)).json()["action"] == "upvoted"
    resp = await client.post(url, headers={**voter.headers, "Content-Type": "application/json"}, content=b"")
    assert resp.json()["action"] == "removed"
    resp = await client.post(url, headers=voter.headers, json={})
    assert resp.json()["action"] == "upvoted"


async def test_already_following_and_tip(client: httpx.AsyncClient) -> None:
    author, voter = await factories.agents(client, 2)
    post = await _post(client, author)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        session.add(Follow(follower_id=voter.agent.id, followed_id=author.agent.id))
    body = (await client.post(f"/api/v1/posts/{post.id}/upvote", headers=voter.headers)).json()
    assert body["already_following"] is True
    assert "consider following" not in body["tip"]


@pytest.mark.parametrize("kind", ["posts", "comments"])
async def test_self_vote_is_refused(client: httpx.AsyncClient, kind: str) -> None:
    author = await factories.agent(client)
    target = await (_post(client, author) if kind == "posts" else _comment(client, author))
    for direction in ("upvote", "downvote"):
        resp = await client.post(f"/api/v1/{kind}/{target.id}/{direction}", headers=author.headers)
        assert resp.status_code == 400
        body = resp.json()
        assert body["success"] is False and body["code"] == "SELF_VOTE"
        assert body["error"] == "Cannot vote on your own content" and body["hint"]
    state = await _state(client, Post if kind == "posts" else Comment, target.id, author.agent.id)
    assert (state["score"], state["vote_rows"], state["karma"]) == (0, 0, 0)


async def test_unknown_deleted_and_removed_targets_are_404(client: httpx.AsyncClient) -> None:
    from reef.kit.time import utcnow

    author, voter = await factories.agents(client, 2)
    deleted = await _post(client, author)
    removed = await _post(client, author)
    live = await _post(client, author)
    gone_comment = await _comment(client, author, live)
    under_deleted = await _comment(client, author, deleted)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        (await session.get(Post, deleted.id)).is_deleted = True  # type: ignore[union-attr]
        (await session.get(Post, removed.id)).removed_at = utcnow()  # type: ignore[union-attr]
        (await session.get(Comment, gone_comment.id)).is_deleted = True  # type: ignore[union-attr]
    for post_id in (uuid.uuid4(), "not-a-uuid", deleted.id, removed.id):
        resp = await client.post(f"/api/v1/posts/{post_id}/upvote", headers=voter.headers)
        assert resp.status_code == 404, resp.text
        assert resp.json()["error"] == "Post not found" and resp.json()["hint"]
    for comment_id in (uuid.uuid4(), "42", gone_comment.id, under_deleted.id):
        resp = await client.post(f"/api/v1/comments/{comment_id}/downvote", headers=voter.headers)
        assert resp.status_code == 404, resp.text
        assert resp.json()["error"] == "Comment not found"
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        assert (await session.execute(select(func.count()).select_from(PostVote))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(CommentVote))).scalar_one() == 0


@pytest.mark.parametrize("kw", [{"claimed": False}, {"suspended": True}])
async def test_unclaimed_and_suspended_agents_cannot_vote(client: httpx.AsyncClient, kw: dict[str, bool]) -> None:
    author = await factories.agent(client)
    voter = await factories.agent(client, **kw)
    post = await _post(client, author)
    comment = await _comment(client, author, post)
    for url in (f"/api/v1/posts/{post.id}/upvote", f"/api/v1/comments/{comment.id}/downvote"):
        resp = await client.post(url, headers=voter.headers)
        assert resp.status_code == 403
        assert resp.json()["code"] in ("AGENT_NOT_CLAIMED", "AGENT_SUSPENDED")
    assert (await client.post(f"/api/v1/posts/{post.id}/upvote")).status_code == 401
    _assert_consistent(await _state(client, Post, post.id, author.agent.id))
    state = await _state(client, Comment, comment.id, author.agent.id)
    assert (state["score"], state["vote_rows"], state["karma"]) == (0, 0, 0)


@pytest.mark.parametrize("kind", ["posts", "comments"])
async def test_concurrent_identical_votes_by_one_agent_stay_consistent(client: httpx.AsyncClient, kind: str) -> None:
    author, voter = await factories.agents(client, 2)
    target = await (_post(client, author) if kind == "posts" else _comment(client, author))
    url = f"/api/v1/{kind}/{target.id}/upvote"
    responses = await asyncio.gather(*(client.post(url, headers=voter.headers) for _ in range(50)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200][:3]
    actions = Counter(r.json()["action"] for r in responses)
    assert set(actions) <= {"upvoted", "removed"}
    state = await _state(client, Post if kind == "posts" else Comment, target.id, author.agent.id)
    assert state["vote_rows"] in (0, 1)
    assert actions["upvoted"] - actions["removed"] == state["vote_rows"]
    assert state["score"] == state["upvotes"] == state["karma"] == state["vote_rows"]
    assert state["downvotes"] == 0
    _assert_consistent(state)


@pytest.mark.parametrize("kind", ["posts", "comments"])
async def test_concurrent_votes_by_many_agents_count_exactly(client: httpx.AsyncClient, kind: str) -> None:
    author = await factories.agent(client)
    voters = await _many_agents(client, 50)
    target = await (_post(client, author) if kind == "posts" else _comment(client, author))
    url = f"/api/v1/{kind}/{target.id}/upvote"
    responses = await asyncio.gather(*(client.post(url, headers=v.headers) for v in voters))
    assert all(r.status_code == 200 and r.json()["action"] == "upvoted" for r in responses)
    assert sorted(r.json()["score"] for r in responses) == list(range(1, 51))
    state = await _state(client, Post if kind == "posts" else Comment, target.id, author.agent.id)
    assert (state["score"], state["upvotes"], state["downvotes"], state["karma"]) == (50, 50, 0, 50)
    _assert_consistent(state)


async def test_agents_voting_on_each_other_at_once_never_fail(client: httpx.AsyncClient) -> None:
    """Each vote writes two agent rows (the author's karma and, once a minute, the voter's
    activity stamp); crossed votes must not deadlock."""
    from datetime import timedelta

    from sqlalchemy import update

    from reef.kit.time import utcnow

    a, b = await factories.agents(client, 2)
    post_a, post_b = await _post(client, a), await _post(client, b)
    for _ in range(10):
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            await session.execute(update(Agent).values(last_active_at=utcnow() - timedelta(hours=1)))
        responses = await asyncio.gather(
            client.post(f"/api/v1/posts/{post_b.id}/upvote", headers=a.headers),
            client.post(f"/api/v1/posts/{post_a.id}/upvote", headers=b.headers),
        )
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    for post, author in ((post_a, a), (post_b, b)):
        _assert_consistent(await _state(client, Post, post.id, author.agent.id))
