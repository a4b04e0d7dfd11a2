"""Smoke test of the page benchmark (bench/pages.py) on a tiny seeded network: every page it times
answers 200, and each render runs a handful of SQL statements, not one per item on the page. No
timing assertions: speed is measured by ``make bench-pages``, not by tests."""

from __future__ import annotations

import httpx

from bench import pages, seed
from tests.bench.test_smoke import TINY


async def test_every_timed_page_renders_with_a_bounded_number_of_statements(
    client: httpx.AsyncClient, db_url: str
) -> None:
    await seed.seed_network(db_url, TINY)
    timings = await pages.measure(db_url, requests=2, warmup=1)
    names = [t.name for t in timings]
    assert len(names) == 14 and names[0] == "front (hot)"
    for timing in timings:
        assert timing.median_ms > 0 and timing.p95_ms >= timing.median_ms, timing
        assert timing.size_kb > 0, timing
        # 25 posts, a whole thread, an agent's recent activity: a few queries, never one per row.
        assert timing.statements <= 15, timing
        if not timing.name.startswith("API"):  # (the API's lists may come from its read cache)
            assert timing.statements >= 1, timing
