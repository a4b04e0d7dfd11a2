"""Direct messages through the dashboard: an owner approves, rejects or blocks the requests sent
to their agents and reads their agents' conversations, without marking anything read."""

from __future__ import annotations

import uuid

import httpx

from reef.models import Block, Conversation, Message
from tests.web.dashboard_helpers import browser, make_conversation, owner_with_agents, post_form, read, snapshot
from tests.web.pages import log_in

DM = "/api/v1/agents/dm"


async def ask(client: httpx.AsyncClient, key: str, to: str, message: str) -> httpx.Response:
    return await client.post(
        f"{DM}/request", json={"to": to, "message": message}, headers={"Authorization": f"Bearer {key}"}
    )


async def test_a_two_agent_handshake_approved_from_the_dashboard(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Bob"])
    theirs = await owner_with_agents(client, "stranger", ["Alice"])
    [bob], [alice] = mine.agents, theirs.agents
    resp = await ask(client, alice.key, "Bob", "Hi <b>Bob</b>, shall we talk about kelp?")
    assert resp.status_code == 201, resp.text
    cid = resp.json()["conversation_id"]

    await log_in(client, email=mine.email)
    dashboard = await client.get("/dashboard")
    assert "<strong>1</strong> waiting" in dashboard.text
    page = await client.get("/dashboard/agents/Bob")
    assert "Hi &lt;b&gt;Bob&lt;/b&gt;, shall we talk about kelp?" in page.text and "<b>Bob</b>" not in page.text
    assert "Alice" in page.text and "@stranger" in page.text
    assert f'action="/dashboard/agents/Bob/dm-requests/{cid}"' in page.text

    resp = await post_form(client, f"/dashboard/agents/Bob/dm-requests/{cid}", decision="approve")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard/agents/Bob?done=dm-approved"
    [conversation] = await read(client, Conversation, Conversation.id == uuid.UUID(cid))
    assert conversation.status == "approved" and conversation.decided_by_owner_id == mine.owner.id

    # Now they talk, and the owner reads along.
    send = f"{DM}/conversations/{cid}/send"
    resp = await client.post(send, json={"message": "Hello <script>x</script>"}, headers=alice.headers)
    assert resp.status_code in (200, 201), resp.text
    body = {"message": "Human, should I share my notes?", "needs_human_input": True}
    assert (await client.post(send, json=body, headers=bob.headers)).status_code in (200, 201)

    page = await client.get("/dashboard/agents/Bob")
    assert "Message requests" in page.text and "No requests waiting" in page.text
    assert f'href="/dashboard/agents/Bob/conversations/{cid}"' in page.text and "approved" in page.text
    convo = await client.get(f"/dashboard/agents/Bob/conversations/{cid}")
    assert convo.status_code == 200
    assert "Hello &lt;script&gt;x&lt;/script&gt;" in convo.text and "<script>x" not in convo.text
    assert "needs a human" in convo.text and "unread by Bob" in convo.text
    assert convo.text.index("Hello &lt;script&gt;") < convo.text.index("Human, should I share")  # oldest first
    # Reading as the owner marks nothing read for the agent.
    assert all(m.read_at is None for m in await read(client, Message, Message.conversation_id == uuid.UUID(cid)))

    # Alice's owner sees the same conversation from Alice's side; nobody else does.
    async with browser(client, theirs.email) as other:
        assert (await other.get(f"/dashboard/agents/Alice/conversations/{cid}")).status_code == 200
        assert (await other.get(f"/dashboard/agents/Bob/conversations/{cid}")).status_code == 404
    outsider = await owner_with_agents(client, "outsider", ["Carol"])
    async with browser(client, outsider.email) as other:
        for path in (f"/dashboard/agents/Carol/conversations/{cid}", f"/dashboard/agents/Bob/conversations/{cid}"):
            resp = await other.get(path)
            assert resp.status_code == 404 and "kelp" not in resp.text and "Hello" not in resp.text


async def test_reject_and_reject_with_block(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Bob"])
    theirs = await owner_with_agents(client, "stranger", ["Alice", "Mallory"])
    [bob], (alice, mallory) = mine.agents, theirs.agents
    polite = (await ask(client, alice.key, "Bob", "hello there, Bob")).json()["conversation_id"]
    pushy = (await ask(client, mallory.key, "Bob", "let us talk, Bob")).json()["conversation_id"]
    await log_in(client, email=mine.email)

    resp = await post_form(client, f"/dashboard/agents/Bob/dm-requests/{polite}", decision="reject")
    assert resp.status_code == 303 and resp.headers["location"].endswith("done=dm-rejected")
    resp = await post_form(client, f"/dashboard/agents/Bob/dm-requests/{pushy}", decision="block")
    assert resp.status_code == 303 and resp.headers["location"].endswith("done=dm-blocked")
    page = await client.get(resp.headers["location"])
    assert "the sender blocked" in page.text

    statuses = {str(c.id): c.status for c in await read(client, Conversation)}
    assert statuses == {polite: "rejected", pushy: "blocked"}
    [block] = await read(client, Block)
    assert (block.blocker_id, block.blocked_id) == (bob.agent.id, mallory.agent.id)
    assert (await ask(client, mallory.key, "Bob", "let me ask again")).status_code == 403
    # Approving what was already decided is refused and changes nothing.
    before = await snapshot(client)
    resp = await post_form(client, f"/dashboard/agents/Bob/dm-requests/{polite}", decision="approve")
    assert resp.status_code == 409 and "already rejected" in resp.text
    assert await snapshot(client) == before


async def test_bad_decisions_are_refused_and_change_nothing(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Bob", "Bea"])
    theirs = await owner_with_agents(client, "stranger", ["Alice", "Carol"])
    (bob, _), (alice, carol) = mine.agents, theirs.agents
    to_bob = await make_conversation(client, alice, bob)
    by_bob = await make_conversation(client, bob, carol, request_message="Bob asks Carol")
    await log_in(client, email=mine.email)
    before = await snapshot(client)
    cases = [
        (f"/dashboard/agents/Bob/dm-requests/{to_bob}", {"decision": "maybe"}, 400),
        (f"/dashboard/agents/Bob/dm-requests/{to_bob}", {}, 400),
        (f"/dashboard/agents/Bea/dm-requests/{to_bob}", {"decision": "approve"}, 404),  # not Bea's request
        ("/dashboard/agents/Bob/dm-requests/not-a-uuid", {"decision": "approve"}, 404),
        (f"/dashboard/agents/Bob/dm-requests/{by_bob}", {"decision": "approve"}, 403),  # only Carol's owner decides
        (f"/dashboard/agents/Carol/dm-requests/{by_bob}", {"decision": "approve"}, 404),  # not this owner's agent
    ]
    for path, fields, status in cases:
        resp = await post_form(client, path, **fields)
        assert resp.status_code == status, (path, fields, resp.status_code)
    assert await snapshot(client) == before
    # Bea's page does not list Bob's conversations, nor can it open them.
    page = await client.get("/dashboard/agents/Bea")
    assert to_bob not in page.text and by_bob not in page.text
    assert (await client.get(f"/dashboard/agents/Bea/conversations/{to_bob}")).status_code == 404
    # Bob's page lists the request it received and the one it made (as pending, asked by Bob).
    page = await client.get("/dashboard/agents/Bob")
    assert f"dm-requests/{to_bob}" in page.text and f"conversations/{by_bob}" in page.text
    assert "asked by Bob" in page.text


async def test_an_owner_with_both_agents_sees_the_conversation_from_each_side(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Bob", "Bea"])
    bob, bea = mine.agents
    cid = await make_conversation(client, bob, bea, status="approved", messages=[(bob, "hi Bea"), (bea, "hi Bob")])
    await log_in(client, email=mine.email)
    for name in ("Bob", "Bea"):
        page = await client.get(f"/dashboard/agents/{name}")
        assert f"/dashboard/agents/{name}/conversations/{cid}" in page.text
        convo = await client.get(f"/dashboard/agents/{name}/conversations/{cid}")
        assert convo.status_code == 200 and "hi Bea" in convo.text and "hi Bob" in convo.text
