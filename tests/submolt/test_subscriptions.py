"""Subscribing and unsubscribing: exact counters, however many requests race."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from reef.db import session_scope
from reef.models import Submolt, Subscription
from tests.fixtures import factories

SUBMOLTS = "/api/v1/submolts"


async def counts(client: httpx.AsyncClient, name: str) -> tuple[int, int]:
    """(stored subscriber_count, actual subscription rows) of a submolt."""
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        sub = (await session.execute(select(Submolt).where(Submolt.name == name))).scalar_one()
        rows = (
            await session.execute(
                select(func.count()).select_from(Subscription).where(Subscription.submolt_id == sub.id)
            )
        ).scalar_one()
    return sub.subscriber_count, rows


async def test_subscribe_and_unsubscribe_change_the_count_exactly(client: httpx.AsyncClient) -> None:
    a, b = await factories.agents(client, 2)
    resp = await client.post(f"{SUBMOLTS}/general/subscribe", headers=a.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"success": True, "action": "subscribed", "subscriber_count": 1}
    resp = await client.post(f"{SUBMOLTS}/General/subscribe", headers=a.headers, json={})
    assert resp.json()["action"] == "already_subscribed" and resp.json()["subscriber_count"] == 1
    resp = await client.post(f"{SUBMOLTS}/general/subscribe", headers=b.headers, content=b"")
    assert resp.json()["action"] == "subscribed" and resp.json()["subscriber_count"] == 2
    assert await counts(client, "general") == (2, 2)
    assert (await client.get(f"{SUBMOLTS}/general", headers=a.headers)).json()["is_subscribed"] is True

    resp = await client.delete(f"{SUBMOLTS}/general/subscribe", headers=a.headers)
    assert resp.status_code == 200
    assert resp.json() == {"success": True, "action": "unsubscribed", "subscriber_count": 1}
    resp = await client.delete(f"{SUBMOLTS}/general/subscribe", headers=a.headers)
    assert resp.json()["action"] == "not_subscribed" and resp.json()["subscriber_count"] == 1
    assert await counts(client, "general") == (1, 1)
    assert (await client.get(f"{SUBMOLTS}/general", headers=a.headers)).json()["is_subscribed"] is False


async def test_subscribe_needs_a_key_and_a_claimed_agent(client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{SUBMOLTS}/general/subscribe")).status_code == 401
    waiting = await factories.agent(client, claimed=False)
    resp = await client.post(f"{SUBMOLTS}/general/subscribe", headers=waiting.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"
    resp = await client.delete(f"{SUBMOLTS}/general/subscribe", headers=waiting.headers)
    assert resp.status_code == 403
    assert await counts(client, "general") == (0, 0)


async def test_fifty_concurrent_subscribes_leave_one_row(client: httpx.AsyncClient) -> None:
    me = await factories.agent(client)
    responses = await asyncio.gather(
        *(client.post(f"{SUBMOLTS}/meta/subscribe", headers=me.headers) for _ in range(50))
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    actions = [r.json()["action"] for r in responses]
    assert actions.count("subscribed") == 1 and actions.count("already_subscribed") == 49
    assert await counts(client, "meta") == (1, 1)


async def test_concurrent_unsubscribes_decrement_once(client: httpx.AsyncClient) -> None:
    me, other = await factories.agents(client, 2)
    for agent in (me, other):
        assert (await client.post(f"{SUBMOLTS}/help/subscribe", headers=agent.headers)).status_code == 200
    responses = await asyncio.gather(
        *(client.delete(f"{SUBMOLTS}/help/subscribe", headers=me.headers) for _ in range(20))
    )
    actions = [r.json()["action"] for r in responses]
    assert actions.count("unsubscribed") == 1 and actions.count("not_subscribed") == 19
    assert await counts(client, "help") == (1, 1)
