"""The load driver: N concurrent closed-loop clients replaying agent traffic over HTTP.

Each client sends a request, waits for the answer, records its latency and sends the next
(closed loop: throughput is what the server sustains at that concurrency, latency is what each
agent sees). Each client has its own HTTP/1.1 keep-alive connection through ``bench.lean_http``
(a small client that leaves the shared CPU to the server); in-process runs (tests) go through
``httpx`` and an ASGI transport instead. Requests during the warm-up are sent but not recorded.
Every request carries an agent's key, as real agents always send theirs; each request picks an
agent at random.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import lean_http

Request = tuple[str, str, dict[str, Any] | None]  # method, path, JSON body
Op = Callable[[random.Random, "Targets", int], Request]  # (rng, targets, acting agent's index)
Send = Callable[[str, str, dict[str, str], dict[str, Any] | None], Awaitable[str]]  # -> status or error name


@dataclass
class Targets:
    """What the clients aim at: the agents' keys and the posts they open, vote on and comment on."""

    keys: list[str]
    hot_post_ids: list[str]
    post_ids: list[str]
    post_authors: dict[str, int]  # post id -> index of its author's key

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> Targets:
        return cls(manifest["keys"], manifest["hot_post_ids"], manifest["post_ids"], manifest["post_authors"])

    def post(self, rng: random.Random, not_by: int | None = None) -> str:
        """Mostly posts near the top of the hot list (what a feed shows), sometimes older ones;
        ``not_by`` skips the acting agent's own posts (self-votes are refused)."""
        while True:
            post_id = rng.choice(self.hot_post_ids if rng.random() < 0.8 else self.post_ids)
            if not_by is None or self.post_authors.get(post_id) != not_by:
                return post_id


def _me(rng: random.Random, t: Targets, agent: int) -> Request:
    return ("GET", "/api/v1/agents/me", None)


def _feed(rng: random.Random, t: Targets, agent: int) -> Request:
    return ("GET", f"/api/v1/feed?sort={'new' if rng.random() < 0.7 else 'hot'}&limit=15", None)


def _hot_posts(rng: random.Random, t: Targets, agent: int) -> Request:
    return ("GET", "/api/v1/posts?sort=hot&limit=25", None)


def _post(rng: random.Random, t: Targets, agent: int) -> Request:
    return ("GET", f"/api/v1/posts/{t.post(rng)}", None)


def _upvote(rng: random.Random, t: Targets, agent: int) -> Request:
    return ("POST", f"/api/v1/posts/{t.post(rng, not_by=agent)}/upvote", None)


def _comment(rng: random.Random, t: Targets, agent: int) -> Request:
    words = rng.randint(8, 40)
    return ("POST", f"/api/v1/posts/{t.post(rng)}/comments", {"content": "Benchmark reply " + "molt " * words})


OPS: dict[str, Op] = {
    "me": _me,
    "feed": _feed,
    "hot_posts": _hot_posts,
    "post": _post,
    "upvote": _upvote,
    "comment": _comment,
}

# Relative weights per scenario. The heartbeat mix is 88% reads: an agent's heartbeat checks
# itself, reads its feed and the hot list, opens a few posts, upvotes some and rarely comments.
SCENARIOS: dict[str, dict[str, int]] = {
    "heartbeat": {"me": 10, "feed": 20, "hot_posts": 20, "post": 38, "upvote": 8, "comment": 4},
    "hot": {"hot_posts": 1},
}
SCENARIOS.update({f"only-{op}": {op: 1} for op in OPS})  # one operation alone, to cost it


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    op_errors: Counter[str] = field(default_factory=Counter)

    def record(self, op: str, seconds: float, status: str) -> None:
        self.latencies[op].append(seconds)
        self.statuses[status] += 1
        if not status.startswith("2"):
            self.op_errors[f"{op} {status}"] += 1


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 99) * 1000, 2),
        "max_ms": round((ordered[-1] if ordered else 0) * 1000, 2),
    }


def httpx_sender(http: httpx.AsyncClient) -> Send:
    async def send(method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None) -> str:
        try:
            response = await http.request(method, path, json=body, headers=headers)
            await response.aread()
            return str(response.status_code)
        except httpx.HTTPError as exc:
            return type(exc).__name__

    return send


def lean_sender(connection: lean_http.Connection) -> Send:
    async def send(method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None) -> str:
        try:
            status, _ = await connection.request(method, path, headers, body)
            return str(status)
        except lean_http.HttpError:
            return "HttpError"

    return send


async def _client_loop(
    send: Send,
    ops: list[str],
    weights: list[int],
    targets: Targets,
    rng: random.Random,
    record_from: float,
    stop_at: float,
    recorder: Recorder,
) -> None:
    while (now := time.perf_counter()) < stop_at:
        op = rng.choices(ops, weights)[0]
        agent = rng.randrange(len(targets.keys))
        method, path, body = OPS[op](rng, targets, agent)
        headers = {"Authorization": f"Bearer {targets.keys[agent]}"}
        started = time.perf_counter()
        status = await send(method, path, headers, body)
        if now >= record_from:
            recorder.record(op, time.perf_counter() - started, status)


async def run(
    base_url: str,
    targets: Targets,
    scenario: str = "heartbeat",
    clients: int = 32,
    duration: float = 30.0,
    warmup: float = 5.0,
    seed: int = 1,
    transport: httpx.AsyncBaseTransport | None = None,
    cpu_sampler: Callable[[], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Drive the server for ``warmup + duration`` seconds; return the measured window's results.
    ``transport`` (e.g. ``httpx.ASGITransport``) drives an app in process instead, for tests;
    ``cpu_sampler`` (``bench.cpu.CpuSampler``) is read when measuring starts and ends."""
    mix = SCENARIOS[scenario]
    ops, weights = list(mix), list(mix.values())
    recorder = Recorder()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0, transport=transport) as http:
        connections = [] if transport else [lean_http.Connection(base_url) for _ in range(clients)]
        senders = [lean_sender(c) for c in connections] or [httpx_sender(http)] * clients
        start = time.perf_counter()
        record_from, stop_at = start + warmup, start + warmup + duration
        cpu_start: dict[str, float] = {}

        async def sample_cpu_when_measuring_starts() -> None:
            await asyncio.sleep(warmup)
            cpu_start.update(cpu_sampler() if cpu_sampler else {})

        sampling = asyncio.create_task(sample_cpu_when_measuring_starts())
        await asyncio.gather(
            *(
                _client_loop(
                    senders[i], ops, weights, targets, random.Random(seed * 1000 + i), record_from, stop_at, recorder
                )
                for i in range(clients)
            )
        )
        measured = time.perf_counter() - record_from
        cpu_end = cpu_sampler() if cpu_sampler else {}
        await sampling
        for connection in connections:
            connection.close()
    everything = [v for values in recorder.latencies.values() for v in values]
    errors = {status: n for status, n in recorder.statuses.items() if not status.startswith("2")}
    return {
        "scenario": scenario,
        "clients": clients,
        "duration_s": round(measured, 2),
        "requests": len(everything),
        "rps": round(len(everything) / measured, 1) if measured > 0 else 0.0,
        **_summary(everything),
        "errors": errors,
        "error_detail": dict(recorder.op_errors),
        "cpu_ms_per_request": {
            side: round((cpu_end[side] - cpu_start.get(side, 0.0)) * 1000 / max(len(everything), 1), 3)
            for side in cpu_end
        },
        "by_op": {op: _summary(values) for op, values in sorted(recorder.latencies.items())},
    }


async def probe(
    base_url: str, targets: Targets, seed: int = 1, transport: httpx.AsyncBaseTransport | None = None
) -> dict[str, int]:
    """One request per operation: its status (404 for a route not yet written)."""
    rng = random.Random(seed)
    out = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, transport=transport) as http:
        for name, op in OPS.items():
            method, path, body = op(rng, targets, 0)
            response = await http.request(
                method, path, json=body, headers={"Authorization": f"Bearer {targets.keys[0]}"}
            )
            out[name] = response.status_code
    return out
