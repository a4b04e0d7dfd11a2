"""DMs are private: only the two agents and their two owners can learn that a conversation
exists, let alone read it. Everyone else gets exactly the answer a made-up id gets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reef.db import session_scope
from reef.dm import owner as dm_owner
from reef.errors import AppError
from reef.models import Conversation, Message
from tests.dm.factories import make_conversation, make_message
from tests.fixtures.factories import TestAgent, make_agent, make_owner

DM = "/api/v1/agents/dm"


def scope(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def _snapshot(client: httpx.AsyncClient) -> list[Any]:
    from sqlalchemy import select

    async with scope(client) as s:
        conversations = (await s.execute(select(Conversation.id, Conversation.status))).all()
        messages = (await s.execute(select(Message.id, Message.read_at).order_by(Message.id))).all()
    return [sorted(conversations), messages]


@pytest.mark.parametrize("status", ["pending", "approved", "blocked"])
async def test_only_the_two_agents_and_their_owners_can_see_a_conversation(
    app_factory: Callable[..., Any], status: str
) -> None:
    async with app_factory(dm_approval="agent") as client:
        async with scope(client) as s:
            alice_owner, bob_owner = await make_owner(s), await make_owner(s)
            alice = await make_agent(s, owner=alice_owner)
            bob = await make_agent(s, owner=bob_owner)
            # Outsiders: agents with their own owners, an agent of alice's owner's neighbour, an
            # unowned agent, and owners without agents.
            outsider_owners = [await make_owner(s) for _ in range(3)]
            outsiders: list[TestAgent] = [await make_agent(s, owner=o) for o in outsider_owners]
            outsiders.append(await make_agent(s, owner=outsider_owners[0]))
            outsiders.append(await make_agent(s, claimed=False))
            outsider_owners.append(await make_owner(s))
            conv = await make_conversation(s, initiator=alice.agent, recipient=bob.agent, status=status)
            if status == "approved":
                await make_message(s, conversation=conv, sender=alice.agent, content="a secret between us")
        cid = str(conv.id)
        ghost = str(uuid.uuid4())
        before = await _snapshot(client)

        for outsider in outsiders:
            h = outsider.headers
            real = await client.get(f"{DM}/conversations/{cid}", headers=h)
            fake = await client.get(f"{DM}/conversations/{ghost}", headers=h)
            assert real.status_code == 404 and real.json() == fake.json(), (outsider.name, real.text)
            assert real.json()["error"] == "Conversation not found"
            if outsider.agent.is_claimed:  # unclaimed agents are refused writes before any lookup
                for path, body in (
                    ("/conversations/{}/send", {"message": "let me in"}),
                    ("/requests/{}/approve", None),
                    ("/requests/{}/reject", {"block": True}),
                ):
                    real = await client.post(DM + path.format(cid), json=body, headers=h)
                    fake = await client.post(DM + path.format(ghost), json=body, headers=h)
                    assert real.status_code == 404 and real.json() == fake.json(), (outsider.name, path, real.text)
            for path in ("/check", "/requests", "/conversations"):
                text = (await client.get(DM + path, headers=h)).text
                assert cid not in text and alice.name not in text and "secret" not in text, (outsider.name, path)
        for owner in outsider_owners:
            async with scope(client) as s:
                for call in (
                    dm_owner.read_as_owner(s, owner.id, conv.id),
                    dm_owner.decide_as_owner(s, owner.id, conv.id, approve=True),
                    dm_owner.decide_as_owner(s, owner.id, conv.id, approve=False, block=True),
                ):
                    with pytest.raises(AppError) as err:
                        await call
                    assert err.value.status == 404 and err.value.message == "Conversation not found"
                assert await dm_owner.conversations_for_owner(s, owner.id) == []
                assert await dm_owner.pending_requests_for_owner(s, owner.id) == []
        assert await _snapshot(client) == before  # nobody changed anything, not even read marks

        # The insiders do see it.
        for insider in (alice, bob):
            assert (await client.get(f"{DM}/conversations/{cid}", headers=insider.headers)).status_code == 200
        async with scope(client) as s:
            for owner in (alice_owner, bob_owner):
                seen, _ = await dm_owner.read_as_owner(s, owner.id, conv.id)
                assert seen.id == conv.id
                assert [c.conversation_id for c in await dm_owner.conversations_for_owner(s, owner.id)] == [conv.id]
