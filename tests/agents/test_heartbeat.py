"""The heartbeat loop against a real server process (a socket, not the in-process app).

Agents are created claimed and a week old in the database (outside the sandbox) so each test
starts from a living instance; everything the loop does after that goes over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reef.agents.brain import LLMBrain, OfflineBrain, load_personas, pick_personas
from reef.agents.brain.base import Brain, Persona
from reef.agents.heartbeat import Agent
from reef.agents.memory import Memory
from reef.agents.sdk import AsyncReefClient, RetryPolicy
from reef.app import create_app
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.submolt.seed import seed_submolts
from tests.agents.fake_openai import fake_openai_server
from tests.api.server import running_server
from tests.conftest import _wipe, settings_for
from tests.fixtures.factories import make_agent

FAST_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.05, wait_on_rate_limit=False)


@dataclass
class Network:
    base_url: str
    personas: list[Persona]
    keys: dict[str, str]


async def _seed(db_url: str, personas: list[Persona]) -> dict[str, str]:
    await _wipe(db_url)
    engine = create_engine(settings_for(db_url))
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            return {p.name: (await make_agent(session, name=p.name, description=p.description)).key for p in personas}
    finally:
        await engine.dispose()


@contextmanager
def network(db_url: str, n: int = 4, **settings: Any) -> Iterator[Network]:
    personas = pick_personas(load_personas(), n, seed=3)
    keys = asyncio.run(_seed(db_url, personas))
    app = create_app(settings_for(db_url, **settings))
    with running_server(app) as base_url:
        yield Network(base_url, personas, keys)


def make_agent_runtime(net: Network, persona: Persona, brain: Brain, tmp_path: Path, **client_options: Any) -> Agent:
    client = AsyncReefClient(net.base_url, net.keys[persona.name], retry=FAST_RETRY, **client_options)
    return Agent(persona, brain, client, Memory.load(tmp_path / f"{persona.name}.memory.json"), seed=1)


async def beat_rounds(agents: list[Agent], rounds: int) -> list[Any]:
    reports = []
    for _ in range(rounds):
        for agent in agents:
            reports.append(await agent.beat())
    return reports


def total(agents: list[Agent], counter: str) -> int:
    return sum(a.memory.state.counters.get(counter, 0) for a in agents)


@pytest.fixture
def offline_net(db_url: str) -> Iterator[Network]:
    with network(db_url) as net:
        yield net


async def test_offline_agents_post_comment_vote_and_follow_over_several_beats(
    offline_net: Network, tmp_path: Path
) -> None:
    brain = OfflineBrain(seed=5, post_chance=1.0)
    agents = [make_agent_runtime(offline_net, p, brain, tmp_path) for p in offline_net.personas]
    try:
        reports = await beat_rounds(agents, 5)
    finally:
        for a in agents:
            await a.client.aclose()
    assert all(r.aborted is None for r in reports), [r.summary() for r in reports]
    assert total(agents, "posts") >= 4
    assert total(agents, "comments") >= 4
    assert total(agents, "votes") >= 4
    async with httpx.AsyncClient(base_url=offline_net.base_url) as http:
        posts = (await http.get("/api/v1/posts", params={"sort": "new", "limit": 100})).json()["posts"]
        assert {p["author"]["name"] for p in posts} >= {offline_net.personas[0].name}
        assert sum(p["comment_count"] for p in posts) == total(agents, "comments")
        assert any(p["score"] != 0 for p in posts)
    for agent in agents:
        saved = Memory.load(agent.memory.path).state
        assert saved.beats == 5 and saved.last_check_in
        assert saved.agent_name == agent.persona.name


async def test_a_restarted_agent_resumes_from_its_memory(offline_net: Network, tmp_path: Path) -> None:
    brain = OfflineBrain(seed=9, post_chance=1.0)
    a, b = offline_net.personas[:2]
    writer = make_agent_runtime(offline_net, a, brain, tmp_path)
    reader = make_agent_runtime(offline_net, b, brain, tmp_path)
    await writer.beat()
    await reader.beat()
    voted = dict(reader.memory.state.voted)
    notes = reader.memory.state.notes
    await reader.client.aclose()

    restarted = make_agent_runtime(offline_net, b, OfflineBrain(seed=9), tmp_path)
    assert restarted.memory.state.beats == 1
    assert restarted.memory.state.voted == voted
    assert restarted.situation.notes == notes
    await restarted.beat()
    # It never votes twice on what it voted before the restart (a second vote would undo it).
    async with httpx.AsyncClient(base_url=offline_net.base_url) as http:
        for post_id, vote in voted.items():
            detail = await http.get(
                f"/api/v1/posts/{post_id}", headers={"Authorization": f"Bearer {offline_net.keys[b.name]}"}
            )
            if detail.status_code == 200:
                assert detail.json()["post"]["your_vote"] == vote
    assert restarted.memory.state.beats == 2
    for agent in (writer, restarted):
        await agent.client.aclose()


def test_verification_challenges_are_solved_and_the_content_published(db_url: str, tmp_path: Path) -> None:
    async def run(net: Network) -> list[Agent]:
        brain = OfflineBrain(seed=2, post_chance=1.0)
        agents = [make_agent_runtime(net, p, brain, tmp_path) for p in net.personas[:3]]
        await beat_rounds(agents, 3)
        for agent in agents:
            await agent.client.aclose()
        return agents

    with network(db_url, verification_mode="all") as net:
        agents = asyncio.run(run(net))
        assert total(agents, "challenges_solved") >= 3
        assert total(agents, "verification_failures") == 0
        posts = httpx.get(f"{net.base_url}/api/v1/posts", params={"sort": "new", "limit": 100}).json()["posts"]
        assert len(posts) == total(agents, "posts") >= 1  # published: visible to everyone


def test_rate_limits_are_respected_without_a_crash(db_url: str, tmp_path: Path) -> None:
    async def run(net: Network) -> tuple[list[Agent], list[Any]]:
        brain = OfflineBrain(seed=4, post_chance=1.0)
        agents = [make_agent_runtime(net, p, brain, tmp_path) for p in net.personas[:3]]
        reports = await beat_rounds(agents, 3)
        for agent in agents:
            await agent.client.aclose()
        return agents, reports

    tiny = {
        "rate_limits_enabled": True,
        "rate_limit_posts": "1/hour",
        "rate_limit_comments": "1/hour",
        "rate_limit_votes": "2/hour",
        "new_agent_sandbox_hours": 0,
    }
    with network(db_url, **tiny) as net:
        agents, reports = asyncio.run(run(net))
    assert sum(r.done.get("rate limited", 0) for r in reports) >= 1
    assert all(r.aborted is None for r in reports)
    for agent in agents:  # one post and at most two votes each: the loop stopped asking
        assert agent.memory.state.counters.get("posts", 0) <= 1
        assert agent.memory.state.counters.get("votes", 0) <= 2
        assert agent.resting_until  # and knows until when to rest


class FlakyTransport(httpx.AsyncBaseTransport):
    """Forwards to the real server, but answers 503 (as Reef does when its database is down)
    while ``down`` is set, and drops the connection on the request numbers in ``drop``."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.down = False
        self.seen = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        if self.down:
            body = {
                "success": False,
                "error": "Database unavailable",
                "hint": "Retry later",
                "code": "SERVICE_UNAVAILABLE",
            }
            return httpx.Response(503, json=body, headers={"Retry-After": "0"})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_503_or_a_network_error_skips_the_beat_and_the_next_one_works(
    offline_net: Network, tmp_path: Path
) -> None:
    flaky = FlakyTransport()
    persona = offline_net.personas[0]
    agent = make_agent_runtime(offline_net, persona, OfflineBrain(seed=1, post_chance=1.0), tmp_path, transport=flaky)
    flaky.down = True
    report = await agent.beat()
    assert report.aborted and "unavailable" in report.aborted
    assert agent.memory.state.beats == 0  # not counted as a check-in

    unreachable = AsyncReefClient("http://127.0.0.1:9", offline_net.keys[persona.name], retry=FAST_RETRY)
    cut_off = Agent(persona, OfflineBrain(seed=1), unreachable, Memory.load(tmp_path / "cut.json"))
    report = await cut_off.beat()
    assert report.aborted and "network" in report.aborted
    await unreachable.aclose()

    flaky.down = False
    report = await agent.beat()
    assert report.aborted is None and agent.memory.state.beats == 1
    await agent.client.aclose()


def test_the_llm_brain_drives_the_loop_against_a_fake_model(db_url: str, tmp_path: Path) -> None:
    async def run(net: Network, model_url: str) -> list[Agent]:
        brain = LLMBrain(base_url=model_url, model="fake", api_key="sk-test", timeout=5)
        agents = [make_agent_runtime(net, p, brain, tmp_path) for p in net.personas[:3]]
        reports = await beat_rounds(agents, 3)
        assert all(r.aborted is None for r in reports), [r.summary() for r in reports]
        for agent in agents:
            await agent.client.aclose()
        await brain.aclose()
        return agents

    with network(db_url, verification_mode="all") as net, fake_openai_server() as (fake, model_url):
        agents = asyncio.run(run(net, model_url))
        assert {"write_post", "vote", "write_comment"} <= set(fake.tasks())
        posts = httpx.get(f"{net.base_url}/api/v1/posts", params={"limit": 100}).json()["posts"]
        assert len(posts) == total(agents, "posts") >= 1
        assert total(agents, "comments") >= 1


class BrokenBrain(OfflineBrain):
    async def vote(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a brain")


async def test_a_bug_in_the_brain_ends_the_beat_not_the_loop(offline_net: Network, tmp_path: Path) -> None:
    agent = make_agent_runtime(offline_net, offline_net.personas[0], BrokenBrain(seed=1), tmp_path)
    other = make_agent_runtime(offline_net, offline_net.personas[1], OfflineBrain(seed=1, post_chance=1.0), tmp_path)
    await other.beat()  # something to vote on
    report = await agent.beat()
    assert report.aborted and "RuntimeError: a bug in a brain" in report.aborted
    assert Memory.load(agent.memory.path).state.agent_name == agent.persona.name  # saved all the same
    stop = asyncio.Event()
    runs = asyncio.create_task(agent.run(0.05, stop))
    await asyncio.sleep(1.0)
    assert not runs.done()  # the loop goes on
    stop.set()
    await asyncio.wait_for(runs, 10)
    for a in (agent, other):
        await a.client.aclose()
