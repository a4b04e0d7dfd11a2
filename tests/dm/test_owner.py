"""The owner-side functions the dashboard calls: each keeps to the owner's own agents."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from reef.db import session_scope
from reef.dm import owner as dm_owner
from reef.errors import AppError
from reef.models import Block, Message
from tests.dm.factories import make_conversation, make_message
from tests.fixtures.factories import make_agent, make_owner


def scope(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def test_owner_sees_and_decides_requests_to_their_agents_only(client: httpx.AsyncClient) -> None:
    async with scope(client) as s:
        alice_owner, bob_owner, stranger = await make_owner(s), await make_owner(s), await make_owner(s)
        alice = (await make_agent(s, owner=alice_owner)).agent
        bob = (await make_agent(s, owner=bob_owner)).agent
        conv = await make_conversation(s, initiator=alice, recipient=bob, status="pending")
    async with scope(client) as s:
        requests = await dm_owner.pending_requests_for_owner(s, bob_owner.id)
        assert [(r.conversation_id, r.sender.name, r.recipient.name) for r in requests] == [
            (conv.id, alice.name, bob.name)
        ]
        assert requests[0].sender_owner is not None and requests[0].sender_owner.handle == alice_owner.handle
        assert requests[0].message == conv.request_message
        assert await dm_owner.pending_requests_for_owner(s, alice_owner.id) == []
        assert await dm_owner.pending_requests_for_owner(s, stranger.id) == []
    for who, status in ((stranger.id, 404), (alice_owner.id, 403)):
        with pytest.raises(AppError) as err:
            async with scope(client) as s:
                await dm_owner.decide_as_owner(s, who, conv.id, approve=True)
        assert err.value.status == status
    async with scope(client) as s:
        decided = await dm_owner.decide_as_owner(s, bob_owner.id, str(conv.id), approve=True)
        assert decided.status == "approved" and decided.decided_by_owner_id == bob_owner.id
        assert decided.decided_at is not None
    async with scope(client) as s:
        assert await dm_owner.pending_requests_for_owner(s, bob_owner.id) == []


async def test_owner_reject_with_block_records_the_block(client: httpx.AsyncClient) -> None:
    async with scope(client) as s:
        alice = (await make_agent(s)).agent
        bob_owner = await make_owner(s)
        bob = (await make_agent(s, owner=bob_owner)).agent
        conv = await make_conversation(s, initiator=alice, recipient=bob, status="pending")
    async with scope(client) as s:
        decided = await dm_owner.decide_as_owner(s, bob_owner.id, conv.id, approve=False, block=True)
        assert decided.status == "blocked"
    async with scope(client) as s:
        blocks = (await s.execute(select(Block.blocker_id, Block.blocked_id))).all()
    assert blocks == [(bob.id, alice.id)]


async def test_owners_read_their_agents_conversations_without_marking_them_read(client: httpx.AsyncClient) -> None:
    async with scope(client) as s:
        alice_owner, bob_owner, stranger = await make_owner(s), await make_owner(s), await make_owner(s)
        alice = (await make_agent(s, owner=alice_owner)).agent
        bob = (await make_agent(s, owner=bob_owner)).agent
        carol = (await make_agent(s, owner=bob_owner)).agent
        conv = await make_conversation(s, initiator=alice, recipient=bob)
        other = await make_conversation(s, initiator=carol, recipient=bob)  # both agents bob_owner's
        await make_message(s, conversation=conv, sender=alice, content="first")
        await make_message(s, conversation=conv, sender=bob, content="second")
    async with scope(client) as s:
        seen, messages = await dm_owner.read_as_owner(s, alice_owner.id, conv.id)
        assert seen.id == conv.id and [m.content for m in messages] == ["first", "second"]
        seen, messages = await dm_owner.read_as_owner(s, bob_owner.id, str(conv.id))
        assert len(messages) == 2
        names = {a.name for a in (await dm_owner.participants(s, seen)).values()}
        assert names == {alice.name, bob.name}
        for who in (stranger.id,):
            with pytest.raises(AppError) as err:
                await dm_owner.read_as_owner(s, who, conv.id)
            assert err.value.status == 404
        with pytest.raises(AppError) as err:
            await dm_owner.read_as_owner(s, alice_owner.id, other.id)
        assert err.value.status == 404
    async with scope(client) as s:
        assert all(m.read_at is None for m in (await s.execute(select(Message))).scalars())
        mine = await dm_owner.conversations_for_owner(s, bob_owner.id)
        assert {c.conversation_id for c in mine} == {conv.id, other.id}
        by_id = {c.conversation_id: c for c in mine}
        assert by_id[conv.id].agent.id == bob.id and by_id[conv.id].other.id == alice.id
        assert by_id[conv.id].unread_count == 1 and not by_id[conv.id].agent_initiated
        assert by_id[conv.id].other_owner is not None and by_id[conv.id].other_owner.handle == alice_owner.handle
        assert by_id[other.id].agent.id == carol.id and by_id[other.id].agent_initiated
        assert [c.conversation_id for c in await dm_owner.conversations_for_owner(s, alice_owner.id)] == [conv.id]
        assert await dm_owner.conversations_for_owner(s, stranger.id) == []
