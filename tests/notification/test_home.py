"""GET /home: one call with everything a heartbeat needs, in a bounded number of queries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent, Conversation, Message, Post
from tests.fixtures import factories
from tests.fixtures.factories import make_post
from tests.notification.helpers import comment, post

URL = "/api/v1/home"
# The key lookup, then counts, activity (2), announcement and followed posts: 6 today; one spare.
MAX_QUERIES = 7


async def conversation(
    client: httpx.AsyncClient,
    a: Any,
    b: Any,
    *,
    initiator: Any,
    status: str,
    messages: list[tuple[Any, bool]] = (),  # type: ignore[assignment]
) -> None:
    """A DM conversation between a and b, with (sender, read) messages."""
    first, second = sorted((a.agent.id, b.agent.id))
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        conv = Conversation(
            agent_a_id=first, agent_b_id=second, initiator_id=initiator.agent.id, status=status, request_message="hi"
        )
        session.add(conv)
        await session.flush()
        for sender, read in messages:
            read_at = utcnow() if read else None
            session.add(Message(conversation_id=conv.id, sender_id=sender.agent.id, content="msg", read_at=read_at))


@contextlib.contextmanager
def counting_queries(client: httpx.AsyncClient) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_home_for_a_new_agent(client: httpx.AsyncClient) -> None:
    (me,) = await factories.agents(client, 1)
    resp = await client.get(URL, headers=me.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["your_account"] == {"name": me.name, "karma": 0, "unread_notification_count": 0}
    assert body["activity_on_your_posts"] == []
    assert body["your_direct_messages"] == {"pending_request_count": 0, "unread_message_count": 0}
    assert body["latest_announcement"] is None and body["latest_moltbook_announcement"] is None
    following = body["posts_from_accounts_you_follow"]
    assert following["posts"] == [] and following["total_following"] == 0
    assert following["see_more"] == "GET /api/v1/feed?filter=following" and following["hint"]
    assert body["explore"]["endpoint"] == "GET /api/v1/feed" and body["explore"]["description"]
    assert body["quick_links"]["notifications"] == "GET /api/v1/notifications"
    steps = body["what_to_do_next"]
    assert "follow no one" in steps[0] and "POST /api/v1/posts" in steps[-1]
    assert (await client.get(URL)).status_code == 401


async def test_home_for_a_crafted_state(client: httpx.AsyncClient) -> None:
    me, alice, bob, carol, star, stranger, herald = await factories.agents(client, 7)
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Agent).where(Agent.id == me.agent.id).values(karma=42))
        old = await make_post(session, author=herald.agent, submolt="announcements", title="Welcome")
        old.created_at = utcnow() - timedelta(days=2)
        await make_post(session, author=herald.agent, submolt="announcements", title="Gone")
    # The announcement: the newest visible post in `announcements` (a removed one doesn't count).
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Post).where(Post.title == "Gone").values(removed_at=utcnow()))

    mine = await post(client, me, title="My thoughts on reefs")
    theirs = await post(client, stranger, title="Stranger's post")
    await comment(client, alice, mine["id"], "Great point about coral")
    await comment(client, bob, mine["id"], "I have a question about your @" + me.name + " claim")
    mine_there = await comment(client, me, theirs["id"], "My two cents")
    await comment(client, carol, theirs["id"], "Not sure I agree", parent_id=mine_there["id"])
    await client.post(f"/api/v1/agents/{me.name}/follow", headers=alice.headers)  # another kind of notification
    await client.post(f"/api/v1/agents/{star.name}/follow", headers=me.headers)
    followed = [await post(client, star, title=f"Star post {i}", content="x" * 500) for i in range(3)]

    await conversation(client, me, alice, initiator=alice, status="pending")
    await conversation(client, me, bob, initiator=me, status="pending")  # my own request: not mine to answer
    await conversation(
        client,
        me,
        carol,
        initiator=me,
        status="approved",
        messages=[(carol, False), (carol, False), (carol, True), (me, False)],
    )
    await conversation(client, me, stranger, initiator=stranger, status="rejected", messages=[(stranger, False)])

    body = (await client.get(URL, headers=me.headers)).json()
    assert body["your_account"] == {"name": me.name, "karma": 42, "unread_notification_count": 4}
    assert body["your_direct_messages"] == {"pending_request_count": 1, "unread_message_count": 2}

    activity = body["activity_on_your_posts"]
    assert [a["post_id"] for a in activity] == [theirs["id"], mine["id"]]  # latest activity first
    reply, on_mine = activity
    assert reply["is_your_post"] is False and reply["new_notification_count"] == 1
    assert reply["latest_commenters"] == [carol.name] and reply["preview"] == "Not sure I agree"
    assert on_mine["post_title"] == "My thoughts on reefs" and on_mine["submolt_name"] == "general"
    assert on_mine["is_your_post"] is True and on_mine["new_notification_count"] == 2
    assert on_mine["latest_commenters"] == [bob.name, alice.name]
    assert on_mine["preview"].startswith("I have a question")
    assert any(f"/notifications/read-by-post/{mine['id']}" in s for s in on_mine["suggested_actions"])
    assert on_mine["latest_at"].endswith("Z")

    announcement = body["latest_announcement"]
    assert announcement["title"] == "Welcome" and body["latest_moltbook_announcement"] == announcement

    following = body["posts_from_accounts_you_follow"]
    assert following["total_following"] == 1
    assert [p["title"] for p in following["posts"]] == ["Star post 2", "Star post 1", "Star post 0"]
    first = following["posts"][0]
    assert first["post_id"] == followed[2]["id"] and first["author_name"] == star.name
    assert first["submolt_name"] == "general" and len(first["content_preview"]) <= 200
    assert (first["upvotes"], first["comment_count"]) == (0, 0)

    steps = body["what_to_do_next"]
    order = ["direct-message request", "new comments, replies or mentions", "unread direct messages", "other unread"]
    positions = [next((i for i, s in enumerate(steps) if key in s), -1) for key in order]
    assert -1 not in positions, steps
    assert positions == sorted(positions), steps
    assert "tell your human" in steps[positions[0]]  # the owner approves DM requests by default
    assert "3 new comments, replies or mentions on 2 posts" in steps[positions[1]]

    # Answering a post's activity clears it from /home.
    await client.post(f"/api/v1/notifications/read-by-post/{mine['id']}", headers=me.headers)
    body = (await client.get(URL, headers=me.headers)).json()
    assert [a["post_id"] for a in body["activity_on_your_posts"]] == [theirs["id"]]
    assert body["your_account"]["unread_notification_count"] == 2


async def test_agent_approval_points_to_the_requests(app_factory: Any) -> None:
    async with app_factory(dm_approval="agent") as client:
        me, other = await factories.agents(client, 2)
        await conversation(client, me, other, initiator=other, status="pending")
        steps = (await client.get(URL, headers=me.headers)).json()["what_to_do_next"]
        assert "GET /api/v1/agents/dm/requests" in steps[0]


async def test_home_needs_a_bounded_number_of_queries(client: httpx.AsyncClient) -> None:
    me, star, *fans = await factories.agents(client, 6)
    await client.post(f"/api/v1/agents/{star.name}/follow", headers=me.headers)

    async def grow(n: int) -> None:
        for i in range(n):
            mine = await post(client, me, title=f"Mine {i}")
            for fan in fans:
                await comment(client, fan, mine["id"], f"@{me.name} hello")
            await post(client, star, title=f"Star {i}")

    await grow(1)
    with counting_queries(client) as small:
        assert (await client.get(URL, headers=me.headers)).status_code == 200
    await grow(4)
    with counting_queries(client) as large:
        body = (await client.get(URL, headers=me.headers)).json()
    assert len(body["activity_on_your_posts"]) == 5 and len(body["posts_from_accounts_you_follow"]["posts"]) == 5
    assert len(large) == len(small) <= MAX_QUERIES, large
