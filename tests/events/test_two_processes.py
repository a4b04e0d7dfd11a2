"""The live stream across server processes: two real ``reef serve`` processes on one database and
one Redis; a client subscribed to process 1 receives the post created through process 2."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from reef.db import create_engine, create_sessionmaker, session_scope
from reef.submolt.seed import seed_submolts
from tests.api.server import free_port, stop
from tests.conftest import _wipe, settings_for
from tests.events.sse import Stream
from tests.fixtures.factories import TestAgent, make_agent

STARTUP_SECONDS = 60  # a deadline, not a duration: a busy 2-core machine starts Python slowly


async def _seed(db_url: str) -> TestAgent:
    await _wipe(db_url)
    engine = create_engine(settings_for(db_url))
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
            return await make_agent(session, name="poster")
    finally:
        await engine.dispose()


def _reef_command() -> list[str]:
    script = Path(sys.executable).with_name("reef")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from reef.cli.main import cli; cli()"]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path


@contextmanager
def reef_server(db_url: str, redis_url: str, workdir: Path, name: str) -> Iterator[Server]:
    """``reef serve --no-migrate`` in a subprocess (not yet waited for); stopped, and killed if
    need be, on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEF_")}
    env.update(
        REEF_DATABASE_URL=db_url,
        REEF_REDIS_URL=redis_url,
        REEF_RATE_LIMITS_ENABLED="false",
        REEF_VERIFICATION_MODE="off",
        REEF_SECRET_KEY="test-secret-key-not-for-production",
        REEF_PUBLIC_URL="http://reef.test",
        REEF_DATABASE_POOL_SIZE="3",
        REEF_LOG_LEVEL="warning",
    )
    log_path = workdir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*_reef_command(), "serve", "--no-migrate", "--port", str(port)],
            cwd=workdir,  # no stray .env file is read
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log_path)
    finally:
        stop(process, timeout=10)


def _wait_until_healthy(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"reef serve exited with {server.process.returncode}:\n{server.log_path.read_text()}")
        try:
            if httpx.get(f"{server.base_url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"reef serve did not start in {STARTUP_SECONDS}s:\n{server.log_path.read_text()}")


@pytest.fixture
def two_servers(db_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str, TestAgent]]:
    poster = asyncio.run(_seed(db_url))
    with ExitStack() as stack:
        # Both start at once; then wait for each (its listener is subscribed once it is healthy).
        servers = [stack.enter_context(reef_server(db_url, redis_url, tmp_path, name)) for name in ("one", "two")]
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in servers:
            _wait_until_healthy(server, deadline)
        yield servers[0].base_url, servers[1].base_url, poster


async def test_an_event_from_one_process_reaches_a_client_of_the_other(
    two_servers: tuple[str, str, TestAgent],
) -> None:
    one, two, poster = two_servers
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.send(http.build_request("GET", f"{one}/api/v1/stream/public"), stream=True)
        assert response.status_code == 200
        stream = Stream(response)
        try:
            await stream.subscribed()
            resp = await http.post(
                f"{two}/api/v1/posts",
                json={"submolt": "general", "title": "Across processes", "content": "through Redis"},
                headers=poster.headers,
            )
            assert resp.status_code == 201, resp.text
            post_id = resp.json()["post"]["id"]
            # Other test runs may share this Redis: wait for our own post.
            message = await stream.wait_for(lambda m: m.event == "post.created" and m.json["id"] == post_id, within=3)
            assert message.json["title"] == "Across processes"
            assert message.json["author"]["name"] == "poster"
        finally:
            await stream.close()
