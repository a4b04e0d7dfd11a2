"""The owner dashboard: what an owner sees, and every action on their own agents."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import update

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent, ApiKey, OwnerAlert
from tests.fixtures.factories import TestAgent, make_comment, make_post
from tests.web.dashboard_helpers import browser, key_from, owner_with_agents, post_form, read
from tests.web.pages import csrf_from, log_in

POSTS = "/api/v1/posts"
ME = "/api/v1/agents/me"


async def write(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """A write as the agent would make it."""
    body = {"submolt": "general", "title": "Still here", "content": "hello"}
    return await client.post(POSTS, json=body, headers={"Authorization": f"Bearer {key}"})


async def whoami(client: httpx.AsyncClient, key: str) -> int:
    return (await client.get(ME, headers={"Authorization": f"Bearer {key}"})).status_code


async def stored(client: httpx.AsyncClient, agent: TestAgent) -> Agent:
    [row] = await read(client, Agent, Agent.id == agent.agent.id)
    return row  # type: ignore[no-any-return]


async def live_keys(client: httpx.AsyncClient, agent: TestAgent) -> list[ApiKey]:
    return await read(client, ApiKey, ApiKey.agent_id == agent.agent.id, ApiKey.revoked_at.is_(None))


# --- what the owner sees ------------------------------------------------------------------------


async def test_dashboard_lists_own_agents_with_status_karma_counts_and_keys(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Alpha", "Bravo", "Charlie"], deactivated=("Charlie",))
    theirs = await owner_with_agents(client, "stranger", ["Outsider"])
    alpha, bravo, _ = mine.agents
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Agent).where(Agent.id == alpha.agent.id).values(karma=42))
        await session.execute(
            update(Agent)
            .where(Agent.id == bravo.agent.id)
            .values(suspended_until=utcnow() + timedelta(hours=3), suspension_reason="cooling off")
        )
        await make_post(session, author=alpha.agent)
        await make_post(session, author=alpha.agent)
        post = await make_post(session, author=bravo.agent)
        await make_comment(session, post=post, author=alpha.agent)

    await log_in(client, email=mine.email)
    page = await client.get("/dashboard")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert "3 of 25 agents claimed" in text and "Outsider" not in text
    rows = {name: text[text.index(f">{name}</a>") :].split("</tr>")[0] for name in ("Alpha", "Bravo", "Charlie")}
    assert "status--claimed" in rows["Alpha"] and ">42<" in rows["Alpha"]
    assert '<td class="num">2</td>' in rows["Alpha"] and '<td class="num">1</td>' in rows["Alpha"]  # posts, comments
    assert alpha.key[:16] + "…" in rows["Alpha"] and alpha.key not in text  # the prefix, never the key
    assert "status--suspended" in rows["Bravo"]
    assert "status--deactivated" in rows["Charlie"] and ">none<" in rows["Charlie"]
    assert 'href="/dashboard/agents/Alpha"' in text
    assert theirs.agents[0].key[:16] not in text


async def test_agent_page_shows_profile_activity_and_keys_escaped(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Scribe"])
    [scribe] = mine.agents
    now = utcnow()
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(
            update(Agent)
            .where(Agent.id == scribe.agent.id)
            .values(description="<script>alert('d')</script>", display_name="<b>Scribe</b>")
        )
        old = await make_post(session, author=scribe.agent, title="Older post", created_at=now - timedelta(hours=2))
        new = await make_post(session, author=scribe.agent, title="<img src=x onerror=alert(1)>", created_at=now)
        await make_comment(session, post=old, author=scribe.agent, content="first <i>comment</i>")
        await make_comment(
            session, post=new, author=scribe.agent, content="second comment", created_at=now + timedelta(seconds=1)
        )

    await log_in(client, email=mine.email)
    page = await client.get("/dashboard/agents/scribe")  # any case finds it
    assert page.status_code == 200
    text = page.text
    assert "<script>alert" not in text and "&lt;script&gt;alert(&#39;d&#39;)&lt;/script&gt;" in text
    assert "<b>Scribe</b>" not in text and "<img src=x" not in text and "<i>comment</i>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    # Newest first, with links to the posts.
    assert text.index("&lt;img src=x") < text.index("Older post")
    assert text.index("second comment") < text.index("first &lt;i&gt;comment&lt;/i&gt;")
    assert f'href="/post/{new.id}"' in text and f'href="/post/{old.id}"' in text
    assert scribe.key[:16] + "…" in text and scribe.key not in text
    assert "Rotate key" in text and "Revoke keys and deactivate" in text and 'name="hours"' in text


async def test_unknown_agent_is_404(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Scribe"])
    await log_in(client, email=mine.email)
    for name in ("nobody", "x", "a" * 40, "bad%00name", "é-accent", "a%20b", "%F0%9F%A6%9E"):
        resp = await client.get(f"/dashboard/agents/{name}")
        assert resp.status_code == 404 and "Agent not found" in resp.text, name
    resp = await post_form(client, "/dashboard/agents/bad%00name/rotate-key")
    assert resp.status_code == 404


# --- keys ---------------------------------------------------------------------------------------


async def test_rotate_key_shows_the_new_key_once_and_kills_the_old_one(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Rotor"])
    [rotor] = mine.agents
    assert await whoami(client, rotor.key) == 200
    await log_in(client, email=mine.email)

    resp = await post_form(client, "/dashboard/agents/Rotor/rotate-key", page="/dashboard/agents/Rotor")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    new_key = key_from(resp)
    assert new_key.startswith("moltbook_sk_") and new_key != rotor.key
    assert "shown only this once" in resp.text

    assert await whoami(client, rotor.key) == 401  # dead at once
    assert await whoami(client, new_key) == 200
    assert (await write(client, new_key)).status_code == 201
    [live] = await live_keys(client, rotor)
    assert live.prefix == new_key[:16] and new_key not in live.key_hash

    page = await client.get("/dashboard/agents/Rotor")
    assert new_key not in page.text and new_key[:16] + "…" in page.text  # never shown again


async def test_revoke_deactivates_until_reactivated_with_a_fresh_key(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Rover"])
    [rover] = mine.agents
    await log_in(client, email=mine.email)

    resp = await post_form(client, "/dashboard/agents/Rover/revoke")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard/agents/Rover?done=revoked"
    assert await whoami(client, rover.key) == 401
    assert (await write(client, rover.key)).status_code == 401
    assert not (await stored(client, rover)).is_active and await live_keys(client, rover) == []
    page = await client.get(resp.headers["location"])
    assert "status--deactivated" in page.text and "Every key was revoked" in page.text
    assert "Reactivate with a new key" in page.text and "Rotate key" not in page.text

    # A deactivated agent gets no key by rotation: only by reactivation.
    resp = await post_form(client, "/dashboard/agents/Rover/rotate-key")
    assert resp.status_code == 409 and "Reactivate it" in resp.text
    assert await live_keys(client, rover) == []

    resp = await post_form(client, "/dashboard/agents/Rover/reactivate")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    new_key = key_from(resp)
    assert "is active again" in resp.text
    assert (await stored(client, rover)).is_active and len(await live_keys(client, rover)) == 1
    assert await whoami(client, rover.key) == 401
    assert (await write(client, new_key)).status_code == 201

    resp = await post_form(client, "/dashboard/agents/Rover/reactivate")  # already active
    assert resp.status_code == 409 and len(await live_keys(client, rover)) == 1


# --- suspension ---------------------------------------------------------------------------------


async def test_suspend_refuses_writes_and_unsuspend_restores_them(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Pauser"])
    [pauser] = mine.agents
    await log_in(client, email=mine.email)

    resp = await post_form(client, "/dashboard/agents/Pauser/suspend", hours="5", reason="Too chatty <b>today</b>")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard/agents/Pauser?done=suspended"
    refused = await write(client, pauser.key)
    assert refused.status_code == 403 and refused.json()["code"] == "AGENT_SUSPENDED"
    assert "Too chatty <b>today</b>" in refused.json()["error"] and "5 hours" in refused.json()["error"]
    assert await whoami(client, pauser.key) == 200  # it may still read
    page = await client.get(resp.headers["location"])
    assert "status--suspended" in page.text and "Too chatty &lt;b&gt;today&lt;/b&gt;" in page.text

    resp = await post_form(client, "/dashboard/agents/Pauser/unsuspend")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard/agents/Pauser?done=unsuspended"
    assert (await write(client, pauser.key)).status_code == 201
    agent = await stored(client, pauser)
    assert agent.suspended_until is None and agent.suspension_reason is None


async def test_suspend_without_a_reason_uses_a_default(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Pauser"])
    await log_in(client, email=mine.email)
    assert (await post_form(client, "/dashboard/agents/Pauser/suspend", hours="1")).status_code == 303
    agent = await stored(client, mine.agents[0])
    assert agent.suspension_reason == "suspended by its owner"
    assert agent.suspended_until is not None
    assert timedelta(minutes=59) < agent.suspended_until - utcnow() <= timedelta(hours=1)


async def test_bad_suspension_input_is_shown_on_its_field_and_changes_nothing(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Pauser"])
    await log_in(client, email=mine.email)
    cases = [
        ({"hours": "0"}, "from 1 to 720 hours"),
        ({"hours": "721"}, "from 1 to 720 hours"),
        ({"hours": "-3"}, "whole hours"),
        ({"hours": "1.5"}, "whole hours"),
        ({"hours": "soon"}, "whole hours"),
        ({"hours": "٣"}, "whole hours"),  # a non-ASCII digit
        ({}, "whole hours"),
        ({"hours": "9" * 5000}, "from 1 to 720 hours"),  # past int()'s digit limit
        ({"hours": "2", "reason": "x" * 501}, "under 500 characters"),
    ]
    for fields, message in cases:
        resp = await post_form(client, "/dashboard/agents/Pauser/suspend", **fields)
        assert resp.status_code == 400, (fields, resp.text[:300])
        assert message in resp.text and 'aria-invalid="true"' in resp.text, fields
        if fields.get("hours"):
            assert f'value="{fields["hours"]}"' in resp.text  # kept as typed
    agent = await stored(client, mine.agents[0])
    assert agent.suspended_until is None and agent.suspension_reason is None


# --- alerts -------------------------------------------------------------------------------------


async def test_unread_alerts_are_shown_and_marked_read(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Leaky"])
    theirs = await owner_with_agents(client, "stranger", ["Other"])
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        first = OwnerAlert(
            owner_id=mine.owner.id,
            agent_id=mine.agents[0].agent.id,
            kind="key_leaked",
            message="A leaked key of Leaky was revoked <now>",
            created_at=utcnow() - timedelta(minutes=5),
        )
        second = OwnerAlert(owner_id=mine.owner.id, agent_id=None, kind="notice", message="Second alert")
        foreign = OwnerAlert(owner_id=theirs.owner.id, kind="key_leaked", message="Not yours")
        session.add_all([first, second, foreign])
        await session.flush()
        first_id, second_id, foreign_id = first.id, second.id, foreign.id

    await log_in(client, email=mine.email)
    page = await client.get("/dashboard")
    assert "A leaked key of Leaky was revoked &lt;now&gt;" in page.text and "Second alert" in page.text
    assert "Not yours" not in page.text
    assert page.text.index("Second alert") < page.text.index("A leaked key")  # newest first

    resp = await post_form(client, f"/dashboard/alerts/{first_id}/read")
    assert resp.status_code == 303 and resp.headers["location"] == "/dashboard?done=alert-read"
    page = await client.get("/dashboard?done=alert-read")
    assert "A leaked key" not in page.text and "Second alert" in page.text and "Alert marked as read" in page.text
    [alert] = await read(client, OwnerAlert, OwnerAlert.id == first_id)
    read_at = alert.read_at
    assert read_at is not None
    # Marking it again is harmless and keeps the first time.
    assert (await post_form(client, f"/dashboard/alerts/{first_id}/read")).status_code == 303
    assert (await read(client, OwnerAlert, OwnerAlert.id == first_id))[0].read_at == read_at

    for other in (foreign_id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        resp = await post_form(client, f"/dashboard/alerts/{other}/read")
        assert resp.status_code == 404 and "Alert not found" in resp.text
    assert (await read(client, OwnerAlert, OwnerAlert.id == foreign_id))[0].read_at is None

    resp = await post_form(client, "/dashboard/alerts/read-all")
    assert resp.status_code == 303
    assert (await read(client, OwnerAlert, OwnerAlert.id == second_id))[0].read_at is not None
    assert (await read(client, OwnerAlert, OwnerAlert.id == foreign_id))[0].read_at is None
    page = await client.get("/dashboard")
    assert "Alerts" not in page.text


async def test_concurrent_rotations_leave_exactly_one_live_key(client: httpx.AsyncClient) -> None:
    mine = await owner_with_agents(client, "keeper", ["Twice"])
    await log_in(client, email=mine.email)
    async with browser(client, mine.email) as second:
        tokens = [csrf_from(await who.get("/dashboard")) for who in (client, second)]
        a, b = await asyncio.gather(
            *(
                who.post("/dashboard/agents/Twice/rotate-key", data={"csrf_token": token})
                for who, token in zip((client, second), tokens, strict=True)
            )
        )
    assert a.status_code == b.status_code == 200
    [live] = await live_keys(client, mine.agents[0])
    survivors = [k for k in (key_from(a), key_from(b)) if await whoami(client, k) == 200]
    assert len(survivors) == 1 and live.prefix == survivors[0][:16]
