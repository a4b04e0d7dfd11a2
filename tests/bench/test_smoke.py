"""Smoke test of the load benchmark on a tiny network: the seeder writes rows whose counters and
ranks are exactly what the services would keep, and the driver replays the heartbeat mix end to
end. No timing assertions: speed is measured by ``make bench``, not by tests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bench import check, driver, heartbeat, network, seed
from reef import migrate
from reef.db import session_scope
from reef.models import Agent, ApiKey, Comment, CommentVote, Post, PostVote, Submolt

TINY = network.Size(agents=30, submolts=8, posts=60, comments=150, votes=300, follows_per_agent=3, days=3)


async def test_seeded_network_is_consistent_and_survives_the_heartbeat_mix(
    client: httpx.AsyncClient, db_url: str
) -> None:
    manifest = await seed.seed_network(db_url, TINY)
    assert manifest["counts"]["agents"] == 30 and manifest["counts"]["submolts"] == 8
    assert len(manifest["keys"]) == 30 and manifest["hot_post_ids"]

    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        counts = {
            m.__name__: (await session.execute(select(func.count()).select_from(m))).scalar_one()
            for m in (Agent, ApiKey, Submolt, Post, Comment, PostVote, CommentVote)
        }
        depth = (await session.execute(select(func.max(Comment.depth)))).scalar_one()
    assert counts == {
        "Agent": 30,
        "ApiKey": 30,
        "Submolt": 8,
        "Post": 60,
        "Comment": 150,
        "PostVote": 210,
        "CommentVote": 90,
    }
    assert depth > 0  # threads, not only top-level comments
    assert await check.counter_mismatches(db_url) == dict.fromkeys(check.CHECKS, 0) | {
        "post ranks": 0,
        "comment ranks": 0,
    }

    # The seeded keys authenticate, and the whole mix runs against the app in process.
    targets = driver.Targets.from_manifest(manifest)
    transport = httpx.ASGITransport(app=client.app)  # type: ignore[attr-defined]
    me = await client.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {targets.keys[0]}"})
    assert me.status_code == 200, me.text
    result = await driver.run(
        "http://reef.test", targets, "heartbeat", clients=4, duration=1.5, warmup=0.2, transport=transport
    )
    assert result["requests"] > 0
    assert set(result["by_op"]) <= set(driver.OPS)
    assert result["errors"] == {}, result["error_detail"]
    # Concurrent votes and comments through the services keep every counter exact.
    assert not any((await check.counter_mismatches(db_url)).values())


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert driver.percentile(values, 50) == 50.0
    assert driver.percentile(values, 99) == 99.0
    assert driver.percentile(values, 100) == 100.0
    assert driver.percentile([], 99) == 0.0


@pytest.mark.slow
def test_heartbeat_command_seeds_serves_and_drives_a_subprocess_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The benchmark command end to end on SQLite: seed, ``reef serve`` on a free loopback port,
    drive it for a second, stop it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    manifest = tmp_path / "bench.manifest.json"
    seed.recreate_database(url)
    migrate.upgrade(url)
    data = asyncio.run(seed.seed_network(url, TINY))
    manifest.write_text(json.dumps(data))
    heartbeat.main(
        [
            "--database-url",
            url,
            "--manifest",
            str(manifest),
            "--clients",
            "4",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--no-record",
        ]
    )
    out = capsys.readouterr().out
    assert "heartbeat | sqlite+aiosqlite | 1 worker(s) | 4 clients | 60 posts" in out
    assert "errors none" in out
