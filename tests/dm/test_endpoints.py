"""Direct messages through the HTTP API: the consent handshake, sending, reading, and the rules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from reef.db import session_scope
from reef.dm import owner as dm_owner
from reef.models import Block, Conversation, Message, Notification
from tests.fixtures import factories
from tests.fixtures.factories import TestAgent

DM = "/api/v1/agents/dm"
HELLO = "Hello! I read your post about kelp and would like to talk."


def scope(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    return session_scope(client.app.state.sessionmaker)  # type: ignore[attr-defined]


async def ask(client: httpx.AsyncClient, sender: TestAgent, to: str, message: str = HELLO) -> httpx.Response:
    return await client.post(f"{DM}/request", json={"to": to, "message": message}, headers=sender.headers)


async def send(client: httpx.AsyncClient, sender: TestAgent, cid: str, text: str, **extra: Any) -> httpx.Response:
    return await client.post(f"{DM}/conversations/{cid}/send", json={"message": text, **extra}, headers=sender.headers)


async def owner_approves(client: httpx.AsyncClient, agent: TestAgent, cid: str) -> None:
    async with scope(client) as s:
        assert agent.agent.owner_id is not None
        conversation = await dm_owner.decide_as_owner(s, agent.agent.owner_id, cid, approve=True)
        assert conversation.status == "approved"


async def open_conversation(client: httpx.AsyncClient, alice: TestAgent, bob: TestAgent) -> str:
    resp = await ask(client, alice, bob.name)
    assert resp.status_code == 201, resp.text
    cid: str = resp.json()["conversation_id"]
    await owner_approves(client, bob, cid)
    return cid


async def count(client: httpx.AsyncClient, model: Any, *where: Any) -> int:
    async with scope(client) as s:
        return int((await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def test_two_agents_handshake_through_their_owner_then_talk(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    resp = await ask(client, alice, bob.name.upper())  # names match without case
    assert resp.status_code == 201, resp.text
    body = resp.json()
    cid = body["conversation_id"]
    assert body["success"] is True and body["status"] == "pending"
    assert body["conversation"]["id"] == cid and body["conversation"]["status"] == "pending"
    assert body["conversation"]["with_agent"]["name"] == bob.name
    assert body["conversation"]["you_initiated"] is True
    assert body["conversation"]["request_message"] == HELLO

    check = (await client.get(f"{DM}/check", headers=bob.headers)).json()
    assert check["has_activity"] is True
    assert check["summary"] == "1 pending request, 0 unread messages"
    item = check["requests"]["items"][0]
    assert check["requests"]["count"] == 1 and item["conversation_id"] == cid
    assert item["from"]["name"] == alice.name and item["from"]["owner"]["handle"]
    assert item["message_preview"] == HELLO
    requests = (await client.get(f"{DM}/requests", headers=bob.headers)).json()
    assert requests["count"] == 1 and requests["has_more"] is False and requests["next_cursor"] is None
    assert requests["requests"][0]["message"] == HELLO and requests["requests"][0]["status"] == "pending"
    assert requests["requests"][0]["from"]["name"] == alice.name
    assert (await client.get(f"{DM}/requests", headers=alice.headers)).json()["count"] == 0
    assert (
        await count(client, Notification, Notification.type == "dm_request", Notification.agent_id == bob.agent.id) == 1
    )

    # By default the owner decides: the agent is told to ask its human.
    resp = await client.post(f"{DM}/requests/{cid}/approve", headers=bob.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "OWNER_DECIDES"
    assert "dashboard" in resp.json()["hint"]
    assert (await send(client, alice, cid, "Anyone there?")).status_code == 403  # still pending
    await owner_approves(client, bob, cid)
    assert (await client.get(f"{DM}/check", headers=bob.headers)).json()["requests"]["count"] == 0

    first = await send(client, alice, cid, "Hi Bob! <b>markup</b> stays as written")
    assert first.status_code == 201, first.text
    assert first.json()["message"] == "Message sent" and first.json()["conversation_id"] == cid
    second = await send(client, bob, cid, "Hi Alice. Should I ask my human?", needs_human_input=True)
    assert second.status_code == 201
    third = await send(client, bob, cid, "Still there?")
    assert third.status_code == 201

    check = (await client.get(f"{DM}/check", headers=alice.headers)).json()
    assert check["summary"] == "0 pending requests, 2 unread messages" and check["has_activity"] is True
    assert check["messages"]["total_unread"] == 2 and check["messages"]["conversations_with_unread"] == 1
    latest = check["messages"]["latest"]
    assert [m["preview"] for m in latest] == ["Still there?", "Hi Alice. Should I ask my human?"]
    assert latest[1]["from"]["name"] == bob.name and latest[1]["needs_human_input"] is True
    listed = (await client.get(f"{DM}/conversations", headers=alice.headers)).json()
    assert listed["inbox"] == "main" and listed["total_unread"] == 2
    assert listed["conversations"]["count"] == 1
    row = listed["conversations"]["items"][0]
    assert row["conversation_id"] == cid and row["unread_count"] == 2 and row["you_initiated"] is True
    assert row["with_agent"]["name"] == bob.name and row["status"] == "approved"

    # Reading marks the other side's messages read (and reports them as new this once).
    read = (await client.get(f"{DM}/conversations/{cid}", headers=alice.headers)).json()
    assert read["conversation"]["status"] == "approved" and read["conversation"]["with_agent"]["name"] == bob.name
    assert [m["content"] for m in read["messages"]] == [
        "Hi Bob! <b>markup</b> stays as written",
        "Hi Alice. Should I ask my human?",
        "Still there?",
    ]
    assert [m["sender"]["name"] for m in read["messages"]] == [alice.name, bob.name, bob.name]
    assert [m["is_read"] for m in read["messages"]] == [False, False, False]
    assert read["messages"][1]["needs_human_input"] is True and read["messages"][0]["flags"] == []
    again = (await client.get(f"{DM}/conversations/{cid}", headers=alice.headers)).json()
    assert [m["is_read"] for m in again["messages"]] == [False, True, True]  # alice's own: bob hasn't read it
    check = (await client.get(f"{DM}/check", headers=alice.headers)).json()
    assert check["has_activity"] is False and check["summary"] == "0 pending requests, 0 unread messages"
    bob_view = (await client.get(f"{DM}/conversations", headers=bob.headers)).json()
    assert bob_view["total_unread"] == 1 and bob_view["conversations"]["items"][0]["you_initiated"] is False
    await client.get(f"{DM}/conversations/{cid}", headers=bob.headers)
    assert (await client.get(f"{DM}/check", headers=bob.headers)).json()["messages"]["total_unread"] == 0
    final = (await client.get(f"{DM}/conversations/{cid}", headers=alice.headers)).json()
    assert all(m["is_read"] for m in final["messages"])

    # One notification per message, to the other agent; reading marked them read.
    assert await count(client, Notification, Notification.type == "dm_message") == 3
    unread = Notification.is_read.is_(False), Notification.type == "dm_message"
    assert await count(client, Notification, *unread) == 0


async def test_the_agent_decides_when_the_instance_says_so(app_factory: Callable[..., Any]) -> None:
    async with app_factory(dm_approval="agent") as client:
        alice, bob = await factories.agents(client, 2)
        cid = (await ask(client, alice, bob.name)).json()["conversation_id"]
        resp = await client.post(f"{DM}/requests/{cid}/approve", headers=alice.headers)
        assert resp.status_code == 403 and resp.json()["code"] == "NOT_RECIPIENT"
        resp = await client.post(f"{DM}/requests/{cid}/approve", headers=bob.headers)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {
            "success": True,
            "message": "Request approved",
            "conversation_id": cid,
            "status": "approved",
        }
        assert (await client.post(f"{DM}/requests/{cid}/approve", headers=bob.headers)).json()["status"] == "approved"
        resp = await client.post(f"{DM}/requests/{cid}/reject", headers=bob.headers)
        assert resp.status_code == 409 and resp.json()["status"] == "approved"
        assert (await send(client, bob, cid, "Welcome!")).status_code == 201
        async with scope(client) as s:
            row = await s.get(Conversation, __import__("uuid").UUID(cid))
            assert row is not None and row.decided_by_owner_id is None and row.decided_at is not None


async def test_a_rejected_request_may_be_asked_again(app_factory: Callable[..., Any]) -> None:
    async with app_factory(dm_approval="agent") as client:
        alice, bob = await factories.agents(client, 2)
        cid = (await ask(client, alice, bob.name)).json()["conversation_id"]
        resp = await client.post(f"{DM}/requests/{cid}/reject", json={}, headers=bob.headers)
        assert resp.status_code == 200 and resp.json()["status"] == "rejected"
        resp = await client.post(f"{DM}/requests/{cid}/approve", headers=bob.headers)
        assert resp.status_code == 409 and resp.json()["code"] == "ALREADY_DECIDED"
        resp = await send(client, alice, cid, "Please?")
        assert resp.status_code == 403 and resp.json()["code"] == "CONVERSATION_NOT_OPEN"
        assert (await client.get(f"{DM}/check", headers=bob.headers)).json()["requests"]["count"] == 0
        again = await ask(client, alice, bob.name, "Sorry to ask again, it is about the reef survey.")
        assert again.status_code == 201 and again.json()["conversation_id"] == cid
        requests = (await client.get(f"{DM}/requests", headers=bob.headers)).json()["requests"]
        assert [r["message"] for r in requests] == ["Sorry to ask again, it is about the reef survey."]
        assert await count(client, Conversation) == 1
        assert await count(client, Notification, Notification.type == "dm_request") == 2


async def test_reject_with_block_stops_further_requests(app_factory: Callable[..., Any]) -> None:
    async with app_factory(dm_approval="agent") as client:
        alice, bob = await factories.agents(client, 2)
        cid = (await ask(client, alice, bob.name)).json()["conversation_id"]
        resp = await client.post(f"{DM}/requests/{cid}/reject", json={"block": True}, headers=bob.headers)
        assert resp.status_code == 200 and resp.json()["status"] == "blocked"
        assert resp.json()["message"] == "Request rejected and blocked"
        assert await count(client, Block, Block.blocker_id == bob.agent.id, Block.blocked_id == alice.agent.id) == 1
        resp = await ask(client, alice, bob.name, "Please let me explain myself.")
        assert resp.status_code == 403
        assert resp.json()["error"] == "You cannot message this agent" and resp.json()["code"] == "DM_BLOCKED"
        assert (await send(client, alice, cid, "hello?")).status_code == 403
        # The blocker may still reach out itself; that lifts its block.
        resp = await ask(client, bob, alice.name, "I changed my mind, let us talk after all.")
        assert resp.status_code == 201 and resp.json()["conversation_id"] == cid
        assert await count(client, Block) == 0
        assert (await client.get(f"{DM}/check", headers=alice.headers)).json()["requests"]["count"] == 1


async def test_one_conversation_per_pair(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    cid = (await ask(client, alice, bob.name)).json()["conversation_id"]
    for sender, to in ((alice, bob.name), (bob, alice.name)):
        resp = await ask(client, sender, to)
        assert resp.status_code == 409
        body = resp.json()
        assert body["code"] == "CONVERSATION_EXISTS" and body["conversation_id"] == cid and body["status"] == "pending"
    await owner_approves(client, bob, cid)
    resp = await ask(client, bob, alice.name)
    assert resp.status_code == 409 and resp.json()["status"] == "approved" and cid in resp.json()["hint"]
    assert await count(client, Conversation) == 1


async def test_concurrent_requests_between_a_pair_leave_one_conversation(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    senders = [(alice, bob.name) if i % 2 else (bob, alice.name) for i in range(20)]
    responses = await asyncio.gather(*(ask(client, s, to) for s, to in senders))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
    assert len({r.json()["conversation_id"] for r in responses}) == 1
    assert await count(client, Conversation) == 1
    assert await count(client, Notification, Notification.type == "dm_request") == 1


async def test_new_agents_cannot_open_conversations_but_can_receive(client: httpx.AsyncClient) -> None:
    veteran = await factories.agent(client)
    newbie = await factories.agent(client, age=timedelta(hours=2))
    resp = await ask(client, newbie, veteran.name)
    assert resp.status_code == 403
    body = resp.json()
    assert body["code"] == "NEW_AGENT_RESTRICTED" and body["lifts_at"] and body["lifts_at"] in body["hint"]
    assert await count(client, Conversation) == 0
    cid = (await ask(client, veteran, newbie.name)).json()["conversation_id"]
    await owner_approves(client, newbie, cid)
    assert (await send(client, newbie, cid, "Thanks for reaching out!")).status_code == 201


async def test_sandbox_off_lets_new_agents_ask(app_factory: Callable[..., Any]) -> None:
    async with app_factory(new_agent_sandbox_hours=0) as client:
        veteran = await factories.agent(client)
        newbie = await factories.agent(client, age=timedelta(minutes=1))
        assert (await ask(client, newbie, veteran.name)).status_code == 201


async def test_request_validation(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"to": bob.name, "message": "too short"}, 400, "message"),
        ({"to": bob.name, "message": "x" * 1001}, 400, "message"),
        ({"to": bob.name, "message": " " * 20}, 400, "message"),
        ({"to": bob.name}, 400, "message"),
        ({"to": bob.name, "message": 12345678901}, 400, "message"),
        ({"message": HELLO}, 400, "to"),
        ({"to": "", "to_owner": "  ", "message": HELLO}, 400, "to"),
        ({"to": bob.name, "to_owner": "someone", "message": HELLO}, 400, "to"),
        ({"to": alice.name, "message": HELLO}, 400, "to"),
        ({"to": ["x"], "message": HELLO}, 400, "to"),
        ({"to": "nobody-here", "message": HELLO}, 404, None),
        ({"to": "bad\x00name", "message": HELLO}, 404, None),
        ({"to_owner": "@no-such-owner", "message": HELLO}, 404, None),
    ]
    for body, status, field in cases:
        resp = await client.post(f"{DM}/request", json=body, headers=alice.headers)
        assert resp.status_code == status, (body, resp.text)
        payload = resp.json()
        assert payload["success"] is False and payload["hint"], body
        if field:
            assert payload["field"] == field, (body, payload)
    assert await count(client, Conversation) == 0
    ok = await client.post(f"{DM}/request", json={"to": bob.name, "message": "x" * 1000}, headers=alice.headers)
    assert ok.status_code == 201


async def test_request_to_an_owner(client: httpx.AsyncClient) -> None:
    alice = await factories.agent(client)
    async with scope(client) as s:
        solo_owner = await factories.make_owner(s, handle="solo_keeper")
        busy_owner = await factories.make_owner(s, handle="busy_keeper")
        solo = await factories.make_agent(s, owner=solo_owner)
        for _ in range(2):
            await factories.make_agent(s, owner=busy_owner)
        lonely = await factories.make_owner(s, handle="lonely")
    assert lonely.id
    resp = await client.post(
        f"{DM}/request", json={"to_owner": "@Solo_Keeper", "message": HELLO}, headers=alice.headers
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["conversation"]["with_agent"]["name"] == solo.name
    assert resp.json()["conversation"]["with_agent"]["owner"]["handle"] == "solo_keeper"
    resp = await client.post(f"{DM}/request", json={"to_owner": "busy_keeper", "message": HELLO}, headers=alice.headers)
    assert resp.status_code == 400 and resp.json()["field"] == "to_owner" and '"to"' in resp.json()["hint"]
    resp = await client.post(f"{DM}/request", json={"to_owner": "lonely", "message": HELLO}, headers=alice.headers)
    assert resp.status_code == 404


async def test_unclaimed_recipient_cannot_be_asked(client: httpx.AsyncClient) -> None:
    alice = await factories.agent(client)
    orphan = await factories.agent(client, claimed=False)
    resp = await ask(client, alice, orphan.name)
    assert resp.status_code == 409 and resp.json()["code"] == "RECIPIENT_NOT_CLAIMED"


async def test_send_validation_and_limits(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    cid = await open_conversation(client, alice, bob)
    for body, field in (
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({}, "message"),
        ({"message": "ok", "needs_human_input": "perhaps"}, "needs_human_input"),
    ):
        resp = await client.post(f"{DM}/conversations/{cid}/send", json=body, headers=alice.headers)
        assert resp.status_code == 400 and resp.json()["field"] == field, (body, resp.text)
    assert await count(client, Message) == 0
    assert (await send(client, alice, cid, "x" * 5000)).status_code == 201
    resp = await client.post(f"{DM}/conversations/{cid}/send", json={"content": "old clients"}, headers=alice.headers)
    assert resp.status_code == 201
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        resp = await send(client, alice, bad, "hello")
        assert resp.status_code == 404 and resp.json()["error"] == "Conversation not found"


async def test_rate_limits_apply(app_factory: Callable[..., Any]) -> None:
    async with app_factory(
        rate_limits_enabled=True, rate_limit_dm_messages="2/minute", rate_limit_dm_requests="1/hour"
    ) as client:
        alice, bob, carol = await factories.agents(client, 3)
        cid = await open_conversation(client, alice, bob)
        assert (await ask(client, alice, carol.name, "short")).status_code == 400  # invalid: not counted
        assert (await ask(client, alice, alice.name)).status_code == 400
        resp = await ask(client, alice, carol.name)
        assert resp.status_code == 429 and resp.json()["code"] == "RATE_LIMITED"  # the first used the hour
        assert resp.json()["error"] == "You are sending too many message requests"
        assert (await send(client, alice, cid, "one")).status_code == 201
        assert (await send(client, alice, cid, "two")).status_code == 201
        resp = await send(client, alice, cid, "three")
        assert resp.status_code == 429 and resp.headers["Retry-After"]
        assert resp.json()["error"] == "You are sending messages too fast"


async def test_writes_need_a_claimed_active_agent(client: httpx.AsyncClient) -> None:
    alice, bob = await factories.agents(client, 2)
    cid = await open_conversation(client, alice, bob)
    unclaimed = await factories.agent(client, claimed=False)
    suspended = await factories.agent(client, suspended=True)
    for who, code in ((unclaimed, "AGENT_NOT_CLAIMED"), (suspended, "AGENT_SUSPENDED")):
        for method, path, body in (
            ("POST", f"{DM}/request", {"to": alice.name, "message": HELLO}),
            ("POST", f"{DM}/conversations/{cid}/send", {"message": "hi"}),
            ("POST", f"{DM}/requests/{cid}/approve", None),
            ("POST", f"{DM}/requests/{cid}/reject", {"block": True}),
        ):
            resp = await client.request(method, path, json=body, headers=who.headers)
            assert resp.status_code == 403 and resp.json()["code"] == code, (method, path, resp.text)
        assert (await client.get(f"{DM}/check", headers=who.headers)).status_code == 200
    for path in ("/check", "/requests", "/conversations", f"/conversations/{cid}"):
        assert (await client.get(DM + path)).status_code == 401


async def test_conversations_and_messages_page_with_cursors(client: httpx.AsyncClient) -> None:
    alice, *others = await factories.agents(client, 4)
    cids = [await open_conversation(client, alice, other) for other in others]
    for i, cid in enumerate(cids):
        assert (await send(client, others[i], cid, f"message {i}")).status_code == 201
    page = (await client.get(f"{DM}/conversations?limit=2", headers=alice.headers)).json()
    assert page["has_more"] is True and page["conversations"]["count"] == 3
    rest = (await client.get(f"{DM}/conversations?limit=2&cursor={page['next_cursor']}", headers=alice.headers)).json()
    order = [c["conversation_id"] for c in page["conversations"]["items"] + rest["conversations"]["items"]]
    assert order == list(reversed(cids)) and rest["has_more"] is False
    assert (await client.get(f"{DM}/conversations?limit=0", headers=alice.headers)).json()["field"] == "limit"
    assert (await client.get(f"{DM}/conversations?cursor=garbage", headers=alice.headers)).status_code == 400

    cid = cids[0]
    for n in range(4):
        await send(client, alice, cid, f"from alice {n}")
    newest = (await client.get(f"{DM}/conversations/{cid}?limit=3", headers=others[0].headers)).json()
    assert [m["content"] for m in newest["messages"]] == ["from alice 1", "from alice 2", "from alice 3"]
    assert newest["has_more"] is True
    older = (
        await client.get(f"{DM}/conversations/{cid}?limit=3&cursor={newest['next_cursor']}", headers=others[0].headers)
    ).json()
    assert [m["content"] for m in older["messages"]] == ["message 0", "from alice 0"]
    assert older["has_more"] is False and older["next_cursor"] is None
    # Only the messages on the pages read were marked read.
    assert (await client.get(f"{DM}/check", headers=others[0].headers)).json()["messages"]["total_unread"] == 0


async def test_reading_while_the_other_agent_writes(client: httpx.AsyncClient) -> None:
    """Reading marks messages read (a write inside a GET) while sends race with it: no request
    may fail, and in the end every message is read."""
    alice, bob = await factories.agents(client, 2)
    cid = await open_conversation(client, alice, bob)
    await send(client, bob, cid, "first")
    calls = [send(client, bob, cid, f"message {i}") for i in range(10)]
    calls += [client.get(f"{DM}/conversations/{cid}", headers=alice.headers) for _ in range(10)]
    calls += [
        client.post(f"{DM}/request", json={"to": f"x{i}", "message": HELLO}, headers=bob.headers) for i in range(5)
    ]
    responses = await asyncio.gather(*calls)
    assert all(r.status_code in (200, 201, 404) for r in responses), [r.text for r in responses if r.status_code >= 500]
    await client.get(f"{DM}/conversations/{cid}", headers=alice.headers)
    assert (await client.get(f"{DM}/check", headers=alice.headers)).json()["messages"]["total_unread"] == 0
