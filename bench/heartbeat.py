"""Reef's load benchmark: seed (if asked), start ``reef serve`` on a free loopback port, drive
it with closed-loop clients, stop it, print and record the results.

    python -m bench.heartbeat --seed                       # SQLite, heartbeat mix, 32 clients, 1 worker
    python -m bench.heartbeat --scenario hot --workers 2
    python -m bench.heartbeat --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/reef_bench --seed

The server runs with ``REEF_RATE_LIMITS_ENABLED=false``: this measures throughput, not the
limiter. Driver and server share the machine, so the driver's own CPU is part of the picture.
Results are appended to ``bench/results/results.jsonl``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvloop
from sqlalchemy.engine import make_url

from bench import driver, network, profile
from bench.cpu import CpuSampler
from bench.seed import DEFAULT_SQLITE_URL, RESULTS_DIR, manifest_path_for, seed_database
from reef import migrate

REEF = Path(sys.executable).with_name("reef")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    database_url: str, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """``reef serve`` in a subprocess (its own process group), ready when this yields its URL
    and process id."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REEF_DATABASE_URL": database_url,
        "REEF_RATE_LIMITS_ENABLED": "false",
        "REEF_PUBLIC_URL": base_url,
        "REEF_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    command = [
        str(REEF),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-migrate",
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        _wait_until_healthy(base_url, process)
        yield base_url, process.pid
    finally:
        _stop(process)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reef serve exited with {process.returncode} before it was ready")
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"reef serve was not healthy within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (uvicorn's workers with it); SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()}


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    manifest_path = args.manifest or manifest_path_for(args.database_url)
    if args.seed or not manifest_path.exists():
        size = network.Size.scaled(args.posts)
        seed_database(args.database_url, size, fresh=True, manifest=manifest_path, sqlite_analyze=args.sqlite_analyze)
    else:
        migrate.upgrade(args.database_url)  # a database seeded before the latest migration
    manifest = json.loads(manifest_path.read_text())
    targets = driver.Targets.from_manifest(manifest)
    url = make_url(args.database_url)
    server_env = dict(item.split("=", 1) for item in args.env)
    with running_server(args.database_url, args.workers, server_env) as (base_url, pid):
        statuses = asyncio.run(driver.probe(base_url, targets))
        print(f"probe (one request each): {statuses}", file=sys.stderr)
        sampler = CpuSampler(pid, url.database if url.get_backend_name() == "postgresql" else None)
        profiler: list[subprocess.Popen[bytes]] = []
        raw = RESULTS_DIR / f"profile-{time.strftime('%Y%m%d-%H%M%S')}.raw"
        if args.profile:  # sample the measured window only
            timer = threading.Timer(args.warmup, lambda: profiler.append(profile.start(pid, args.duration, raw)))
            timer.start()
        result = asyncio.run(
            driver.run(
                base_url,
                targets,
                args.scenario,
                args.clients,
                args.duration,
                args.warmup,
                args.random_seed,
                cpu_sampler=sampler,
            )
        )
        for spy in profiler:
            spy.wait(timeout=60)
    if profiler and raw.exists():
        result["profile"] = str(raw)
        print(profile.summarise(raw), file=sys.stderr)
    result.update(
        backend=args.database_url.split(":", 1)[0],
        workers=args.workers,
        network=manifest["counts"],
        machine=machine(),
        when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        label=args.label,
        server_env=server_env,
    )
    return result


def print_result(result: dict[str, Any]) -> None:
    print(
        f"\n{result['scenario']} | {result['backend']} | {result['workers']} worker(s) | {result['clients']} clients | "
        f"{result['network']['posts']} posts\n"
        f"  {result['requests']} requests in {result['duration_s']} s = {result['rps']} req/s; "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms; "
        f"errors {result['errors'] or 'none'}"
    )
    for op, s in result["by_op"].items():
        print(
            f"    {op:<10} {s['count']:>7}  p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms  p99 {s['p99_ms']:>7} ms"
        )
    print(f"  CPU ms per request: {result['cpu_ms_per_request']}")
    if result["error_detail"]:
        print(f"  error detail: {result['error_detail']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.heartbeat", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE_URL)
    parser.add_argument("--seed", action="store_true", help="(re)create and seed the database first")
    parser.add_argument("--posts", type=int, default=network.Size.posts, help="network size when seeding")
    parser.add_argument("--sqlite-analyze", action="store_true", help="when seeding, ANALYZE SQLite too")
    parser.add_argument("--manifest", type=Path, help="keys and post ids (default: next to the database name)")
    parser.add_argument("--scenario", choices=sorted(driver.SCENARIOS), default="heartbeat")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds driven before measuring")
    parser.add_argument(
        "--env", action="append", default=[], metavar="REEF_X=VALUE", help="extra server setting (repeatable)"
    )
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--label", default="", help="free text stored with the result")
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy while measuring")
    parser.add_argument("--no-record", action="store_true", help="don't append to bench/results/results.jsonl")
    args = parser.parse_args(argv)
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # the driver's own CPU matters: it shares the machine
    result = run_benchmark(args)
    print_result(result)
    if not args.no_record:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        with (RESULTS_DIR / "results.jsonl").open("a") as out:
            out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
