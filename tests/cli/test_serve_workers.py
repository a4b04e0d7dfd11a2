"""``reef serve --workers N`` on Linux: each worker listens on a socket of its own, so kept-alive
connections are spread across the workers instead of piling onto the one that woke first; a
second server on a taken port is refused; a worker that dies is replaced and the port keeps
answering meanwhile."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from reef.cli.workers import balanced_workers_supported
from tests.api.server import free_port, stop
from tests.events.test_two_processes import _reef_command

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not balanced_workers_supported(), reason="sockets of their own per worker are Linux-only"),
]
STARTUP_SECONDS = 60  # a deadline: a busy 2-core machine starts Python slowly
CONNECTIONS = 24


def _env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEF_")}
    env.update(
        REEF_DATABASE_URL=f"sqlite+aiosqlite:///{db_path}",
        REEF_RATE_LIMITS_ENABLED="false",
        REEF_SECRET_KEY="test-secret-key-not-for-production",
        REEF_LOG_LEVEL="warning",
    )
    return env


@contextmanager
def _serve(tmp_path: Path, port: int, name: str, workers: int = 2) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [*_reef_command(), "serve", "--port", str(port), "--workers", str(workers)],
        cwd=tmp_path,
        env=_env(tmp_path / "reef.db"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        stop(process)
        log.close()


def _workers(server_pid: int) -> list[int]:
    """The server's worker processes (its children running the app, not multiprocessing's helper)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


ESTABLISHED, LISTEN = "01", "0A"  # TCP states as /proc/net/tcp writes them


def _sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets in ``state`` whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int) -> set[str]:
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            held.add(target[8:-1])
    return held


def _per_worker(server_pid: int, port: int, state: str) -> dict[int, int]:
    """How many sockets on ``port`` in ``state`` each worker holds."""
    ours = _sockets_on(port, state)
    return {pid: len(_sockets_of(pid) & ours) for pid in _workers(server_pid)}


def _wait_until_serving(base_url: str, process: subprocess.Popen[bytes], workers: int) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "reef serve exited early"
        listening = _per_worker(process.pid, port, LISTEN)
        if len(listening) == workers and min(listening.values()) == 1:  # each on a socket of its own
            try:
                if httpx.get(f"{base_url}/api/v1/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError("reef serve did not come up in time")


def _open_connections(port: int, stack: ExitStack) -> None:
    """``CONNECTIONS`` connections opened at once, as a pool of agents or a proxy does, then each
    kept alive through a request."""
    connections = [
        stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10)) for _ in range(CONNECTIONS)
    ]
    for connection in connections:
        connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: reef.test\r\n\r\n")
    for connection in connections:
        assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_kept_alive_connections_are_spread_across_the_workers(tmp_path: Path) -> None:
    port = free_port()
    with _serve(tmp_path, port, "balanced") as process, ExitStack() as stack:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_serving(base_url, process, workers=2)
        listening = [_sockets_of(pid) & _sockets_on(port, LISTEN) for pid in _workers(process.pid)]
        assert len(listening) == 2 and not listening[0] & listening[1]  # not one socket shared
        _open_connections(port, stack)
        per_worker = _per_worker(process.pid, port, ESTABLISHED)
        assert sum(per_worker.values()) == CONNECTIONS
        # The kernel picks a socket by hashing each connection: no worker is left out (a chance of
        # about one in eight million), where one shared socket handed them all to one worker.
        assert min(per_worker.values()) > 0, per_worker


def test_a_second_server_on_the_same_port_is_refused(tmp_path: Path) -> None:
    port = free_port()
    with _serve(tmp_path, port, "first") as first:
        _wait_until_serving(f"http://127.0.0.1:{port}", first, workers=2)
        with _serve(tmp_path, port, "second") as second:
            assert second.wait(timeout=STARTUP_SECONDS) != 0
        assert "cannot listen on 127.0.0.1" in (tmp_path / "second.log").read_text()
        assert first.poll() is None


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(tmp_path: Path) -> None:
    port = free_port()
    with _serve(tmp_path, port, "restarts") as process:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_serving(base_url, process, workers=2)
        victim = _workers(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        # Meanwhile every new connection reaches the surviving worker: the dead one's socket
        # closed with it and left the group.
        for _ in range(CONNECTIONS):
            assert httpx.get(f"{base_url}/api/v1/health", timeout=10).status_code == 200
        deadline = time.monotonic() + STARTUP_SECONDS
        while victim in _workers(process.pid) or len(_workers(process.pid)) < 2:
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.2)
        _wait_until_serving(base_url, process, workers=2)
        with ExitStack() as stack:
            _open_connections(port, stack)
            assert min(_per_worker(process.pid, port, ESTABLISHED).values()) > 0
