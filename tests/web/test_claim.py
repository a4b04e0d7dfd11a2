from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from reef.db import session_scope
from reef.kit.time import utcnow
from reef.models import Agent
from tests.conftest import auth
from tests.fixtures.factories import make_owner
from tests.web.pages import csrf_from, log_in, log_out, sign_up


async def register(client: httpx.AsyncClient, name: str = "CoralThinker", description: str = "") -> dict[str, Any]:
    resp = await client.post("/api/v1/agents/register", json={"name": name, "description": description})
    assert resp.status_code == 201, resp.text
    return resp.json()["agent"]  # type: ignore[no-any-return]


def path_of(claim_url: str) -> str:
    return urlsplit(claim_url).path


async def post_code(client: httpx.AsyncClient, claim_path: str, code: str) -> httpx.Response:
    page = await client.get(claim_path)
    return await client.post(claim_path, data={"csrf_token": csrf_from(page), "verification_code": code})


async def stored(client: httpx.AsyncClient, name: str) -> Agent:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return (await session.execute(select(Agent).where(Agent.name == name))).scalar_one()


async def test_the_whole_claim_flow(client: httpx.AsyncClient) -> None:
    agent = await register(client, description="I think about <b>reefs</b>")
    key, claim = agent["api_key"], path_of(agent["claim_url"])
    resp = await client.patch("/api/v1/agents/me", json={"description": "hi"}, headers=auth(key))
    assert resp.status_code == 403 and resp.json()["code"] == "AGENT_NOT_CLAIMED"

    # The human opens the link without an account: the agent, and a way to sign up and come back.
    page = await client.get(claim)
    assert page.status_code == 200 and "CoralThinker" in page.text
    assert "I think about &lt;b&gt;reefs&lt;/b&gt;" in page.text
    assert f'href="/signup?next={claim}"' in page.text and f'href="/login?next={claim}"' in page.text
    assert "verification_code" not in page.text  # no form until signed in

    resp = await sign_up(client, page_url=f"/signup?next={claim}")
    assert resp.status_code == 303 and resp.headers["location"] == claim

    page = await client.get(claim)
    assert 'name="verification_code"' in page.text and "@human" in page.text
    resp = await post_code(client, claim, agent["verification_code"].lower())  # any case will do
    assert resp.status_code == 200 and "can now post" in resp.text

    resp = await client.patch("/api/v1/agents/me", json={"description": "hi"}, headers=auth(key))
    assert resp.status_code == 200, resp.text
    status = (await client.get("/api/v1/agents/status", headers=auth(key))).json()
    assert status["status"] == "claimed"
    me = (await client.get("/api/v1/agents/me", headers=auth(key))).json()["agent"]
    assert me["owner"]["handle"] == "human"

    dashboard = await client.get("/dashboard")
    assert "CoralThinker" in dashboard.text and "active" in dashboard.text and "1 of 25" in dashboard.text
    assert (await client.get(claim)).status_code == 404  # the link is spent
    assert (await post_code_without_page(client, claim, agent["verification_code"])).status_code == 404


async def post_code_without_page(client: httpx.AsyncClient, claim: str, code: str) -> httpx.Response:
    token = csrf_from(await client.get("/dashboard"))
    return await client.post(claim, data={"csrf_token": token, "verification_code": code})


async def test_agent_content_is_escaped(client: httpx.AsyncClient) -> None:
    agent = await register(client, name="Escaper", description='<script>alert("x")</script><img src=x onerror=y>')
    page = await client.get(path_of(agent["claim_url"]))
    assert "<script>" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


async def test_wrong_code_is_shown_and_claims_nothing(client: httpx.AsyncClient) -> None:
    agent = await register(client)
    claim = path_of(agent["claim_url"])
    await sign_up(client)
    resp = await post_code(client, claim, "reef-WRNG")
    assert resp.status_code == 400 and "does not match" in resp.text and 'value="reef-WRNG"' in resp.text
    assert 'aria-invalid="true"' in resp.text
    resp = await post_code(client, claim, "")
    assert resp.status_code == 400
    assert (await stored(client, "CoralThinker")).owner_id is None
    assert (await post_code(client, claim, agent["verification_code"])).status_code == 200


async def test_claim_requires_sign_in_and_csrf(client: httpx.AsyncClient) -> None:
    agent = await register(client)
    claim = path_of(agent["claim_url"])
    resp = await client.post(claim, data={"verification_code": agent["verification_code"]})
    assert resp.status_code == 303 and resp.headers["location"] == f"/login?next={claim}"
    await sign_up(client)
    resp = await client.post(claim, data={"verification_code": agent["verification_code"]})
    assert resp.status_code == 403
    assert (await stored(client, "CoralThinker")).owner_id is None


async def test_already_claimed_by_someone_else(client: httpx.AsyncClient) -> None:
    agent = await register(client)
    claim = path_of(agent["claim_url"])
    # Bound to another owner while its link was still live (e.g. by the operator).
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        other = await make_owner(session)
        row = (await session.execute(select(Agent).where(Agent.name == "CoralThinker"))).scalar_one()
        row.owner_id, row.claimed_at = other.id, utcnow()
    await sign_up(client)
    page = await client.get(claim)
    assert page.status_code == 409 and "already been claimed" in page.text
    resp = await post_code(client, claim, agent["verification_code"])
    assert resp.status_code == 409 and "already been claimed" in resp.text
    assert (await stored(client, "CoralThinker")).owner_id == other.id


async def test_a_spent_link_cannot_be_claimed_again(client: httpx.AsyncClient) -> None:
    agent = await register(client)
    claim = path_of(agent["claim_url"])
    await sign_up(client, email="first@example.com", handle="first")
    assert (await post_code(client, claim, agent["verification_code"])).status_code == 200
    await log_out(client)
    await sign_up(client, email="second@example.com", handle="second")
    resp = await client.get(claim)
    assert resp.status_code == 404 and "already been used" in resp.text


async def test_agent_cap(app_factory: Callable[..., Any]) -> None:
    async with app_factory(owner_agent_cap=1) as client:
        first, second = await register(client, "First"), await register(client, "Second")
        await sign_up(client)
        assert (await post_code(client, path_of(first["claim_url"]), first["verification_code"])).status_code == 200
        resp = await post_code(client, path_of(second["claim_url"]), second["verification_code"])
        assert resp.status_code == 409 and "limit of 1 agent" in resp.text
        assert (await stored(client, "Second")).owner_id is None


async def test_unknown_link_is_a_404_page(client: httpx.AsyncClient) -> None:
    resp = await client.get("/claim/moltbook_claim_doesnotexist")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    assert "Claim link not found" in resp.text
    await sign_up(client)
    assert (await post_code_without_page(client, "/claim/moltbook_claim_doesnotexist", "reef-AAAA")).status_code == 404


async def test_login_from_the_claim_page_comes_back(client: httpx.AsyncClient) -> None:
    agent = await register(client)
    claim = path_of(agent["claim_url"])
    await sign_up(client)
    await log_out(client)
    resp = await log_in(client, page_url=f"/login?next={claim}")
    assert resp.status_code == 303 and resp.headers["location"] == claim


async def test_guessing_codes_is_rate_limited_per_link(app_factory: Callable[..., Any]) -> None:
    async with app_factory(rate_limits_enabled=True, rate_limit_logins="3/hour") as client:
        agent = await register(client)
        claim = path_of(agent["claim_url"])
        await sign_up(client)
        for guess in ("reef-AAAA", "reef-BBBB", "reef-CCCC"):
            assert (await post_code(client, claim, guess)).status_code == 400
        resp = await post_code(client, claim, agent["verification_code"])  # even the right code waits
        assert resp.status_code == 429 and int(resp.headers["retry-after"]) > 0
        assert "Too many sign-in attempts" in resp.text
        assert (await stored(client, "CoralThinker")).owner_id is None
