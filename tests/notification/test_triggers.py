"""Notifications are created where the events happen: exactly once per event and recipient, never
to the agent that caused them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import update

from reef.db import session_scope
from reef.models import Post
from tests.fixtures import factories
from tests.notification.helpers import comment, post, stored, summary


def names_of(*agents: Any) -> dict[Any, str]:
    return {a.agent.id: a.name for a in agents}


async def test_comment_on_your_post_notifies_the_author_once(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p = await post(client, author, title="Tides")
    c = await comment(client, reader, p["id"])
    await comment(client, author, p["id"], "Thanks, I wrote this")  # your own comment: no notification
    rows = await stored(client)
    assert summary(rows, names_of(author, reader)) == [(author.name, "comment", reader.name)]
    n = rows[0]
    assert str(n.post_id) == p["id"] and str(n.comment_id) == c["id"] and n.is_read is False
    assert n.message == f'{reader.name} commented on your post "Tides"'


async def test_reply_notifies_the_parent_author_and_the_post_author(client: httpx.AsyncClient) -> None:
    author, first, second = await factories.agents(client, 3)
    p = await post(client, author)
    parent = await comment(client, first, p["id"])
    await comment(client, second, p["id"], "I disagree", parent_id=parent["id"])
    names = names_of(author, first, second)
    assert summary(await stored(client), names) == sorted(
        [
            (author.name, "comment", first.name),
            (author.name, "comment", second.name),
            (first.name, "reply", second.name),
        ]
    )


async def test_a_reply_to_the_post_authors_comment_is_only_a_reply(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p = await post(client, author)
    mine = await comment(client, author, p["id"], "Ask me anything")
    await comment(client, reader, p["id"], f"@{author.name} why?", parent_id=mine["id"])
    assert summary(await stored(client), names_of(author, reader)) == [(author.name, "reply", reader.name)]


async def test_replying_to_yourself_notifies_only_the_post_author(client: httpx.AsyncClient) -> None:
    author, reader = await factories.agents(client, 2)
    p = await post(client, author)
    first = await comment(client, reader, p["id"])
    await comment(client, reader, p["id"], "and one more thing", parent_id=first["id"])
    rows = await stored(client)
    assert summary(rows, names_of(author, reader)) == sorted(
        [
            (author.name, "comment", reader.name),
            (author.name, "comment", reader.name),
        ]
    )


async def test_mentions_in_comments(client: httpx.AsyncClient) -> None:
    author, writer, alice, bob = await factories.agents(client, 4)
    p = await post(client, author, title="Reef ecology")
    text = (
        f"cc @{alice.name.upper()} and @{bob.name}, not @nobody_here, not {bob.name}@example.com, "
        f"not https://example.com/@{bob.name}; and @{author.name} (already notified) and @{writer.name} (me)"
    )
    c = await comment(client, writer, p["id"], text)
    rows = await stored(client)
    names = names_of(author, writer, alice, bob)
    assert summary(rows, names) == sorted(
        [
            (alice.name, "mention", writer.name),
            (author.name, "comment", writer.name),
            (bob.name, "mention", writer.name),
        ]
    )
    mention = next(n for n in rows if n.type == "mention")
    assert str(mention.comment_id) == c["id"] and str(mention.post_id) == p["id"]
    assert mention.message == f'{writer.name} mentioned you in a comment on "Reef ecology"'


async def test_mentions_in_posts_title_and_content(client: httpx.AsyncClient) -> None:
    author, alice, bob = await factories.agents(client, 3)
    p = await post(client, author, title=f"Thanks @{alice.name}", content=f"@{alice.name} and @{bob.name} helped")
    rows = await stored(client)
    assert summary(rows, names_of(author, alice, bob)) == sorted(
        [
            (alice.name, "mention", author.name),
            (bob.name, "mention", author.name),
        ]
    )
    assert all(str(n.post_id) == p["id"] and n.comment_id is None for n in rows)


async def test_at_most_ten_agents_are_notified_per_item(client: httpx.AsyncClient) -> None:
    author, *others = await factories.agents(client, 13)
    unknown = " ".join(f"@ghost{i}" for i in range(5))  # unknown names don't use up the ten
    await post(client, author, content=unknown + " " + " ".join(f"@{a.name}" for a in others))
    rows = await stored(client)
    assert len(rows) == 10
    assert {n.agent_id for n in rows} == {a.agent.id for a in others[:10]}


async def test_follow_notifies_once_per_follower(client: httpx.AsyncClient) -> None:
    fan, star = await factories.agents(client, 2)
    url = f"/api/v1/agents/{star.name}/follow"
    assert (await client.post(url, headers=fan.headers)).json()["action"] == "followed"
    assert (await client.post(url, headers=fan.headers)).json()["action"] == "already_following"
    assert (await client.delete(url, headers=fan.headers)).json()["action"] == "unfollowed"
    assert (await client.post(url, headers=fan.headers)).json()["action"] == "followed"  # a re-follow stays quiet
    rows = await stored(client)
    assert summary(rows, names_of(fan, star)) == [(star.name, "follow", fan.name)]
    assert rows[0].message == f"{fan.name} started following you"


async def test_concurrent_duplicate_events_notify_once(client: httpx.AsyncClient) -> None:
    fan, star, owner, author = await factories.agents(client, 4)
    url = f"/api/v1/agents/{star.name}/follow"
    responses = await asyncio.gather(*(client.post(url, headers=fan.headers) for _ in range(8)))
    assert sorted(r.json()["action"] for r in responses).count("followed") == 1

    assert (await client.post("/api/v1/submolts", json={"name": "lagoon"}, headers=owner.headers)).status_code == 201
    p = await post(client, author, submolt="lagoon")
    c = await comment(client, author, p["id"])
    removals = [
        *(client.request("DELETE", f"/api/v1/posts/{p['id']}", json={"reason": "spam"}, headers=owner.headers)
          for _ in range(4)),
        *(client.request("DELETE", f"/api/v1/comments/{c['id']}", json={"reason": "rude"}, headers=owner.headers)
          for _ in range(4)),
    ]  # fmt: skip
    assert all(r.status_code == 200 for r in await asyncio.gather(*removals))
    rows = await stored(client)
    assert summary(rows, names_of(fan, star, owner, author)) == sorted(
        [
            (author.name, "moderation", owner.name),
            (author.name, "moderation", owner.name),
            (star.name, "follow", fan.name),
        ]
    )


async def test_moderator_removals_notify_the_author_with_the_reason(client: httpx.AsyncClient) -> None:
    owner, author = await factories.agents(client, 2)
    assert (await client.post("/api/v1/submolts", json={"name": "lagoon"}, headers=owner.headers)).status_code == 201
    p = await post(client, author, submolt="lagoon", title="Buy coins")
    other = await post(client, author, submolt="lagoon", title="Mine to delete")
    c = await comment(client, author, p["id"], "so good")
    resp = await client.request("DELETE", f"/api/v1/comments/{c['id']}", json={"reason": "rude"}, headers=owner.headers)
    assert resp.status_code == 200, resp.text
    resp = await client.request(
        "DELETE", f"/api/v1/posts/{p['id']}", json={"reason": "crypto spam"}, headers=owner.headers
    )
    assert resp.status_code == 200, resp.text
    assert (await client.delete(f"/api/v1/posts/{other['id']}", headers=author.headers)).status_code == 200
    rows = [n for n in await stored(client) if n.type == "moderation"]
    assert [(n.message, str(n.post_id), n.comment_id and str(n.comment_id)) for n in rows] == [
        ('A moderator removed your comment on "Buy coins". Reason: rude', p["id"], c["id"]),
        ('A moderator removed your post "Buy coins". Reason: crypto spam', p["id"], None),
    ]
    assert {n.agent_id for n in rows} == {author.agent.id}


async def test_removal_without_a_reason_says_so(client: httpx.AsyncClient) -> None:
    owner, author = await factories.agents(client, 2)
    assert (await client.post("/api/v1/submolts", json={"name": "lagoon"}, headers=owner.headers)).status_code == 201
    p = await post(client, author, submolt="lagoon", title="Hmm")
    assert (await client.delete(f"/api/v1/posts/{p['id']}", headers=owner.headers)).status_code == 200
    (n,) = await stored(client)
    assert n.type == "moderation" and n.message == 'A moderator removed your post "Hmm". No reason was given.'


async def test_notifications_are_published_live_to_the_recipient(client: httpx.AsyncClient) -> None:
    """notify() queues one agent-audience event per notification created (none for duplicates)."""
    fan, star = await factories.agents(client, 2)
    published: list[Any] = []
    bus = client.app.state.events  # type: ignore[attr-defined]
    original = bus.publish

    async def spy(events: list[Any]) -> None:
        published.extend(events)
        await original(events)

    bus.publish = spy
    try:
        for _ in range(2):
            await client.post(f"/api/v1/agents/{star.name}/follow", headers=fan.headers)
    finally:
        bus.publish = original
    notes = [e for e in published if e.type == "notification"]
    assert len(notes) == 1
    assert notes[0].audience == f"agent:{star.agent.id}" and notes[0].data["type"] == "follow"


async def test_a_removal_after_a_restore_notifies_again(client: httpx.AsyncClient) -> None:
    owner, author = await factories.agents(client, 2)
    assert (await client.post("/api/v1/submolts", json={"name": "lagoon"}, headers=owner.headers)).status_code == 201
    p = await post(client, author, submolt="lagoon", title="Again")
    for _ in range(2):
        assert (await client.delete(f"/api/v1/posts/{p['id']}", headers=owner.headers)).status_code == 200
        async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
            # a moderator restores it (as the moderation domain does)
            await session.execute(update(Post).where(Post.id == uuid.UUID(p["id"])).values(removed_at=None))
    rows = await stored(client)
    assert [n.type for n in rows] == ["moderation", "moderation"]
