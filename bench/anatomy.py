"""Anatomy of one request per operation: SQL statements and CPU time, in process, one at a time.

    python -m bench.anatomy --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/reef_bench

The app runs in this process behind ``httpx.ASGITransport`` (no sockets, no uvicorn), and each
operation of the heartbeat mix is sent ``--repeat`` times, sequentially. For each it prints the
SQL statements per request and the CPU milliseconds per request (this process: app plus the
database driver's client side; the database server's own work is not included). Needs a seeded
database (``python -m bench.seed``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import event

from bench import driver
from bench.seed import DEFAULT_SQLITE_URL, manifest_path_for
from reef.app import create_app
from reef.config import Settings


async def measure(database_url: str, repeat: int) -> dict[str, dict[str, Any]]:
    targets = driver.Targets.from_manifest(json.loads(manifest_path_for(database_url).read_text()))
    settings = Settings(_env_file=None, database_url=database_url, rate_limits_enabled=False)  # type: ignore[call-arg]
    app = create_app(settings)
    statements = Counter[str]()
    out: dict[str, dict[str, Any]] = {}
    async with app.router.lifespan_context(app):

        @event.listens_for(app.state.engine.sync_engine, "before_cursor_execute")
        def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements[statement.split(None, 1)[0].upper()] += 1

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reef.bench") as http:
            rng = random.Random(7)
            for name, op in driver.OPS.items():
                statements.clear()
                cpu = wall = 0.0
                for i in range(repeat + 1):  # the first request warms caches and is not counted
                    agent = rng.randrange(len(targets.keys))
                    method, path, body = op(rng, targets, agent)
                    headers = {"Authorization": f"Bearer {targets.keys[agent]}"}
                    if i == 1:
                        statements.clear()
                    c0, w0 = time.process_time(), time.perf_counter()
                    response = await http.request(method, path, json=body, headers=headers)
                    if i:
                        cpu += time.process_time() - c0
                        wall += time.perf_counter() - w0
                    response.raise_for_status()
                out[name] = {
                    "cpu_ms": round(cpu * 1000 / repeat, 2),
                    "wall_ms": round(wall * 1000 / repeat, 2),
                    "statements_per_request": round(sum(statements.values()) / repeat, 1),
                    "by_kind": {k: round(v / repeat, 1) for k, v in statements.most_common()},
                    "bytes": len(response.content),
                }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.anatomy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE_URL)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    for name, row in asyncio.run(measure(args.database_url, args.repeat)).items():
        kinds = ", ".join(f"{k} {v}" for k, v in row["by_kind"].items())
        print(
            f"{name:<10} cpu {row['cpu_ms']:>6} ms  wall {row['wall_ms']:>6} ms  "
            f"{row['statements_per_request']:>4} statements ({kinds})  {row['bytes']} bytes"
        )


if __name__ == "__main__":
    main()
