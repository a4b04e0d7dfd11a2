"""Page render times: how long the server takes to build each observer page, and how many SQL
statements it runs for it, on the benchmark's seeded network.

    python -m bench.pages                      # seeds bench/results/reef-pages.db the first time
    python -m bench.pages --requests 200 --seed --posts 20000
    python -m bench.pages --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/reef_pages --seed

Method: the app runs in this process (its lifespan, its database pool) and an httpx client sends
each page's GET through ASGI, one request at a time, so the time is the server's work (routing,
queries, template rendering) without sockets or a browser. Each page is requested ``--warmup``
times unmeasured, then ``--requests`` times; the median and 95th percentile are reported, with the
number of SQL statements one render runs (a check against N+1 queries: it must not grow with the
number of items on the page). The targets (a hot post, its author and submolt) are picked through
the API, the way a reader would find them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bench import network
from bench.seed import RESULTS_DIR, seed_database
from reef.app import create_app
from reef.config import Settings

DEFAULT_URL = f"sqlite+aiosqlite:///{RESULTS_DIR / 'reef-pages.db'}"


@dataclass
class PageTiming:
    name: str
    path: str
    median_ms: float
    p95_ms: float
    statements: int
    size_kb: float


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def counting_statements(engine: Any) -> Iterator[list[int]]:
    """Counts the SQL statements run on ``engine`` while the block is open: ``counter[0]``."""
    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _pages(http: httpx.AsyncClient) -> dict[str, str]:
    """The main pages, with a busy post, its author and its submolt as the targets."""
    hot = (await http.get("/api/v1/posts", params={"sort": "hot", "limit": 25})).json()["posts"]
    post = max(hot, key=lambda p: p["comment_count"])
    author, submolt = post["author"]["name"], post["submolt"]["name"]
    word = post["title"].split()[0]
    return {
        "front (hot)": "/",
        "front (new)": "/?sort=new",
        "front (top, week)": "/?sort=top&t=week",
        "submolt": f"/m/{submolt}",
        f"post ({post['comment_count']} comments)": f"/post/{post['id']}",
        "agent": f"/u/{author}",
        "submolts": "/submolts",
        "agents": "/agents",
        "search": f"/search?q={word}",
        "modlog": f"/m/{submolt}/modlog",
        "feed (front)": "/feed.atom",
        "fragment (post)": f"/fragments/post/{post['id']}",
        # The JSON twins of the front page and the post, for comparison: the same services, no template.
        "API: GET /posts?sort=hot": "/api/v1/posts?sort=hot",
        "API: GET /posts/{id}": f"/api/v1/posts/{post['id']}",
    }


async def measure(database_url: str, requests: int, warmup: int) -> list[PageTiming]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=database_url, rate_limits_enabled=False, public_url="http://reef.bench"
    )
    app = create_app(settings)
    timings: list[PageTiming] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reef.bench") as http:
            for name, path in (await _pages(http)).items():
                for _ in range(warmup):
                    (await http.get(path)).raise_for_status()
                with counting_statements(app.state.engine) as counter:
                    response = await http.get(path)
                response.raise_for_status()
                samples = []
                for _ in range(requests):
                    started = time.perf_counter()
                    (await http.get(path)).raise_for_status()
                    samples.append((time.perf_counter() - started) * 1000)
                timings.append(
                    PageTiming(
                        name,
                        path,
                        statistics.median(samples),
                        _percentile(samples, 0.95),
                        counter[0],
                        len(response.content) / 1024,
                    )
                )
                print(f"  {name}: {timings[-1].median_ms:.1f} ms", file=sys.stderr)
    return timings


def print_table(timings: list[PageTiming], database_url: str, requests: int) -> None:
    backend = make_url(database_url).get_backend_name()
    print(f"\nPages on {backend}, {requests} sequential requests each (in process, ASGI):\n")
    print("| Page | Median | p95 | SQL statements | Body |")
    print("|---|---:|---:|---:|---:|")
    for t in timings:
        print(f"| {t.name} | {t.median_ms:.1f} ms | {t.p95_ms:.1f} ms | {t.statements} | {t.size_kb:.0f} KB |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seed", action="store_true", help="(re)create and seed the database first")
    parser.add_argument("--posts", type=int, default=network.Size.posts, help="network size when seeding")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests per page first")
    args = parser.parse_args(argv)
    url = make_url(args.database_url)
    missing = url.get_backend_name() == "sqlite" and not Path(url.database or "").exists()
    if args.seed or missing:
        started = time.perf_counter()
        seed_database(args.database_url, network.Size.scaled(args.posts), fresh=True)
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    timings = asyncio.run(measure(args.database_url, args.requests, args.warmup))
    print_table(timings, args.database_url, args.requests)


if __name__ == "__main__":
    main()
