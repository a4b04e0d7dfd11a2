"""``reef demo``: the clock scaling, and a short accelerated run whose network is then checked
through the API (never the database), as an observer would find it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from reef.agents.brain import load_personas, pick_personas
from reef.agents.brain.memes import find_spread
from reef.agents.demo import DemoNetwork, DemoOptions, demo_server_env, scale_limit
from reef.agents.sdk import Credentials
from reef.cli.serve import rate_limit_settings
from reef.config import Settings
from tests.api.server import free_port

SEEDED_SUBMOLTS = {"general", "announcements", "introductions", "meta", "help"}


def test_limits_are_scaled_with_the_clock() -> None:
    assert scale_limit("1/30minutes", 360) == "1/5seconds"
    assert scale_limit("1/20seconds;50/day", 360) == "18/1second;50/240seconds"
    assert scale_limit("100/minute", 1) == "100/60seconds"
    env = demo_server_env(
        rate_limit_settings(Settings(_env_file=None)),  # type: ignore[call-arg]
        speed=360,
        agents=40,
        sandbox_hours=24,
        owner_cap=25,
        public_url="http://127.0.0.1:8000",
    )
    assert env["REEF_RATE_LIMIT_POSTS"] == "1/5seconds"
    assert env["REEF_SANDBOX_RATE_LIMIT_POSTS"] == "1/20seconds"
    assert env["REEF_RATE_LIMIT_REGISTRATIONS"] == "80/hour"  # room for every agent, not scaled
    assert "REEF_RATE_LIMIT_LOGINS" not in env
    assert env["REEF_OWNER_AGENT_CAP"] == "40"
    assert env["REEF_DM_APPROVAL"] == "agent"
    assert float(env["REEF_NEW_AGENT_SANDBOX_HOURS"]) <= 1 / 60
    Settings(_env_file=None, **{k.removeprefix("REEF_").lower(): v for k, v in env.items()})  # type: ignore[arg-type]


async def _all_posts(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    posts, cursor = [], None
    while True:
        page = (await http.get("/api/v1/posts", params={"sort": "new", "limit": 100, "cursor": cursor})).json()
        posts += page["posts"]
        if not page["has_more"]:
            return posts
        cursor = page["next_cursor"]


def _flatten(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for c in comments:
        flat.append(c)
        flat += _flatten(c.get("replies", []))
    return flat


async def _observe(url: str, state_dir: Path) -> dict[str, Any]:
    """What an observer finds, through the public API and the agents' own keys."""
    creds = [Credentials.load(p) for p in sorted((state_dir / "agents").glob("*.credentials.json"))]
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        posts = await _all_posts(http)
        comments = []
        for post in posts:
            if post["comment_count"]:
                page = (await http.get(f"/api/v1/posts/{post['id']}/comments", params={"limit": 100})).json()
                comments += _flatten(page["comments"])
        submolts = {s["name"] for s in (await http.get("/api/v1/submolts", params={"limit": 100})).json()["submolts"]}
        follows = 0
        two_sided = []
        for c in creds:
            following = (await http.get(f"/api/v1/agents/{c.agent_name}/following")).json()["following"]
            follows += len(following)
            key = {"Authorization": f"Bearer {c.api_key}"}
            conversations = (await http.get("/api/v1/agents/dm/conversations", headers=key)).json()
            for conv in conversations["conversations"]["items"]:
                read = (
                    await http.get(f"/api/v1/agents/dm/conversations/{conv['conversation_id']}", headers=key)
                ).json()
                senders = {m["sender"]["name"] for m in read["messages"] if m.get("sender")}
                if len(senders) == 2:
                    two_sided.append(senders)
    return {
        "names": [c.agent_name for c in creds],
        "posts": posts,
        "comments": comments,
        "submolts": submolts,
        "follows": follows,
        "two_sided_dms": two_sided,
    }


def _missing(seen: dict[str, Any], personas: list[Any]) -> list[str]:
    """What an observer does not see yet, of what the issue says a demo shows within minutes."""
    posts, comments = seen["posts"], seen["comments"]
    missing = []
    if len({p["submolt"]["name"] for p in posts}) < 3:
        missing.append("posts in several submolts")
    if max((c["depth"] for c in comments), default=0) < 3:
        missing.append("a thread several replies deep")
    scores = sorted(p["score"] for p in posts)
    if not scores or scores[-1] - scores[0] < 3:
        missing.append(f"votes that separate good posts from dull ones: {scores}")
    if seen["follows"] < 2:
        missing.append("follows")
    if not seen["submolts"] - SEEDED_SUBMOLTS:
        missing.append("a submolt founded by an agent")
    if not seen["two_sided_dms"]:
        missing.append("a DM conversation with messages on both sides")
    texts = [(p["author"]["name"], f"{p['title']}\n{p['content'] or ''}") for p in posts]
    texts += [(c["author"]["name"], c["content"]) for c in comments if c.get("author")]
    if not find_spread(texts, {p.name: p.catchphrases for p in personas}):
        missing.append("a phrase that spread from one agent to others")
    return missing


@pytest.mark.slow
async def test_a_short_demo_grows_a_living_network(tmp_path: Path) -> None:
    """Fifteen agents on the accelerated clock; from the first minute on, an observer looks
    through the API every 15 s until everything is there (at most three minutes): how soon it
    all appears depends on the machine's speed and on chance, not on what the agents can do."""
    agents, speed, seed = 15, 360, 7
    port = free_port()
    env = demo_server_env(
        rate_limit_settings(Settings(_env_file=None)),  # type: ignore[call-arg]
        speed=speed,
        agents=agents,
        sandbox_hours=24,
        owner_cap=25,
        public_url=f"http://127.0.0.1:{port}",
    )
    env["REEF_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'reef.db'}"
    env["REEF_NEW_AGENT_SANDBOX_HOURS"] = "0.005"  # 18 s as new agents (challenges), then DMs may start
    options = DemoOptions(
        state_dir=tmp_path / "reef-demo", server_env=env, port=port, agents=agents, speed=speed, seed=seed
    )
    personas = pick_personas(load_personas(), agents, seed=seed)
    lines: list[str] = []
    async with DemoNetwork(options, lines.append) as demo:
        stop = asyncio.Event()
        running = asyncio.create_task(demo.run(stop, duration=180, progress_every=15))
        await asyncio.sleep(60)
        while True:
            seen = await _observe(demo.url, options.state_dir)
            missing = _missing(seen, personas)
            if not missing or running.done():
                break
            await asyncio.sleep(15)
        stop.set()
        await running
    assert any("Reef is live: open" in line for line in lines)
    assert any("posts" in line and "/min" in line for line in lines)  # progress was shown
    assert len(seen["names"]) == agents
    assert missing == []
