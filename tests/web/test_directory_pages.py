"""The directories: /submolts and /agents, their sorts, paging, escaping and headers."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import update

from reef.db import session_scope
from reef.kit.pagination import encode_cursor
from reef.kit.time import utcnow
from reef.models import Agent
from tests.fixtures.factories import agent, agents
from tests.web.observer_helpers import counted_selects
from tests.web.pages import sign_up

SUBMOLTS = "/api/v1/submolts"
_SUBMOLT = re.compile(r'<h2 class="directory__name"><a href="/m/([^"]+)">')
_AGENT = re.compile(r'<a class="agent-name" href="/u/([^"]+)">')


def names(pattern: re.Pattern[str], page: httpx.Response) -> list[str]:
    return pattern.findall(page.text)


def next_link(page: httpx.Response) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next">', page.text)
    return html.unescape(match.group(1)) if match else None


async def test_submolts_are_listed_in_each_sort(client: httpx.AsyncClient) -> None:
    creator, fan = await agents(client, 2)
    for name in ("zebra-fish", "anemones"):
        body = {"name": name, "description": f"All about {name}."}
        assert (await client.post(SUBMOLTS, json=body, headers=creator.headers)).status_code == 201
    assert (await client.post(f"{SUBMOLTS}/zebra-fish/subscribe", headers=fan.headers)).status_code == 200

    popular = await client.get("/submolts")
    assert popular.status_code == 200
    listed = names(_SUBMOLT, popular)
    assert listed[0] == "zebra-fish" and "anemones" in listed and "general" in listed
    assert "All about zebra-fish." in popular.text
    assert "<strong>2</strong> subscribers" in popular.text
    assert '<a href="/submolts" aria-current="page">Most subscribers</a>' in popular.text
    assert popular.text.count("<h1") == 1

    alphabetical = await client.get("/submolts", params={"sort": "alphabetical"})
    assert names(_SUBMOLT, alphabetical) == sorted(names(_SUBMOLT, alphabetical))
    assert '<a href="/submolts?sort=alphabetical" aria-current="page">A to Z</a>' in alphabetical.text
    newest = await client.get("/submolts", params={"sort": "new"})
    assert names(_SUBMOLT, newest)[:2] == ["anemones", "zebra-fish"]
    assert (await client.get("/submolts", params={"sort": "active"})).status_code == 200


async def test_submolts_page_by_cursor(client: httpx.AsyncClient) -> None:
    creator = await agent(client)
    for n in range(26):
        assert (await client.post(SUBMOLTS, json={"name": f"pool-{n:02d}"}, headers=creator.headers)).status_code == 201
    first = await client.get("/submolts", params={"sort": "alphabetical"})
    later = next_link(first)
    assert later and later.startswith("/submolts?sort=alphabetical&cursor=")
    second = await client.get(later)
    assert len(names(_SUBMOLT, first)) == 25
    assert not set(names(_SUBMOLT, first)) & set(names(_SUBMOLT, second))
    assert '<a href="/submolts?sort=alphabetical">← Back to the first page</a>' in second.text


async def test_agents_are_listed_by_karma_newest_and_activity(client: httpx.AsyncClient) -> None:
    star = await agent(client, name="Star", description="I <b>shine</b>")
    quiet = await agent(client, name="Quiet", age=timedelta(days=30))
    fresh = await agent(client, name="Fresh", age=timedelta(minutes=5), claimed=False)
    gone = await agent(client, name="Gone")
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        await session.execute(update(Agent).where(Agent.id == star.agent.id).values(karma=40))
        await session.execute(update(Agent).where(Agent.id == quiet.agent.id).values(karma=3))
        await session.execute(update(Agent).where(Agent.id == gone.agent.id).values(is_active=False))
        await session.execute(
            update(Agent).where(Agent.id == quiet.agent.id).values(last_active_at=utcnow() + timedelta(seconds=5))
        )

    by_karma = await client.get("/agents")
    assert by_karma.status_code == 200
    assert names(_AGENT, by_karma)[:2] == ["Star", "Quiet"]
    assert "Gone" not in names(_AGENT, by_karma)  # deactivated agents are not listed
    assert "<strong>40</strong> karma" in by_karma.text
    assert "I &lt;b&gt;shine&lt;/b&gt;" in by_karma.text
    assert "not claimed yet" in by_karma.text  # Fresh
    assert by_karma.text.count("<h1") == 1

    newest = await client.get("/agents", params={"sort": "new"})
    assert names(_AGENT, newest)[0] == fresh.name
    assert re.search(r"joined <time [^>]+>5m ago</time>", newest.text)
    active = await client.get("/agents", params={"sort": "active"})
    assert names(_AGENT, active)[0] == "Quiet"


async def test_agents_page_by_cursor_and_refuse_forged_cursors(client: httpx.AsyncClient) -> None:
    await agents(client, 27)
    first = await client.get("/agents", params={"sort": "new"})
    later = next_link(first)
    assert later and later.startswith("/agents?sort=new&cursor=")
    second = await client.get(later)
    assert len(names(_AGENT, first)) == 25 and len(names(_AGENT, second)) == 2
    assert not set(names(_AGENT, first)) & set(names(_AGENT, second))

    for cursor in ("garbage", encode_cursor([2**40, utcnow(), "x"]), encode_cursor(["a", "b"])):
        refused = await client.get("/agents", params={"sort": "karma", "cursor": cursor})
        assert refused.status_code == 400, cursor
        assert "Invalid cursor" in refused.text
    forged = encode_cursor(["many", "2020", "someone"])
    assert (await client.get("/submolts", params={"cursor": forged})).status_code == 400
    assert (await client.get("/agents", params={"sort": "loudest"})).status_code == 400
    assert (await client.get("/submolts", params={"sort": "loudest"})).status_code == 400


async def test_headers_and_json_twin(client: httpx.AsyncClient) -> None:
    page = await client.get("/submolts", params={"sort": "new"})
    assert page.headers["cache-control"].startswith("public")
    twin = re.search(r'rel="alternate" type="application/json" href="([^"]+)"', page.text)
    assert twin and html.unescape(twin.group(1)) == "/api/v1/submolts?sort=new"
    assert (await client.get(html.unescape(twin.group(1)))).status_code == 200
    assert (await client.get("/agents")).headers["cache-control"].startswith("public")

    await sign_up(client)
    for path in ("/submolts", "/agents"):
        assert (await client.get(path)).headers["cache-control"].startswith("private")


async def test_statements_do_not_grow_with_the_page(client: httpx.AsyncClient) -> None:
    await agents(client, 2)
    with counted_selects(client) as few:
        assert (await client.get("/agents")).status_code == 200
        assert (await client.get("/submolts")).status_code == 200
    creator, *_ = await agents(client, 10)
    for n in range(5):
        assert (await client.post(SUBMOLTS, json={"name": f"pool-{n}"}, headers=creator.headers)).status_code == 201
    with counted_selects(client) as many:
        assert (await client.get("/agents")).status_code == 200
        assert (await client.get("/submolts")).status_code == 200
    assert len(many) == len(few)
