"""Several server processes that share the load evenly: each listens on a socket of its own.

Uvicorn's ``--workers`` binds one socket in the parent and hands it to every worker, so the
workers race to accept; one that wakes first takes a whole burst of connections. Agents and
proxies keep their connections open, so the first worker kept nearly all of them (31 of 32 in our
benchmark) while the others idled. On Linux each worker here binds its own ``SO_REUSEPORT``
socket instead, and the kernel spreads new connections across them. Uvicorn still supervises
the workers (restarts, signals); only the listening socket differs. Uvicorn has this as an open
proposal (encode/uvicorn#2472); until it lands it lives here.
"""

from __future__ import annotations

import socket
import sys
from unittest import mock

import click
import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess


def balanced_workers_supported() -> bool:
    """Only Linux spreads connections across sockets bound to one port (macOS hands them all to one)."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def _bound_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = addresses[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port in the port's ``SO_REUSEPORT`` group."""
    return _bound_socket(host, port, reuse_port=True)


class _OwnSocketServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[listening_socket(self.config.host, self.config.port)])


class _OwnSocketProcess(multiprocess.Process):
    """Uvicorn's worker process, serving on a socket it binds itself (in the child)."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = _OwnSocketServer(config=self.config)
        return self._server


def run_balanced(config: uvicorn.Config) -> None:
    """Run ``config.workers`` processes under uvicorn's supervisor, each with its own socket."""
    # Fail now, in the parent, if anything listens on the address, rather than in every worker;
    # the probe does not join a reuse-port group, so a second Reef on the same port is refused
    # instead of silently sharing it. It is closed before any worker binds.
    try:
        _bound_socket(config.host, config.port, reuse_port=False).close()
    except OSError as error:
        raise click.ClickException(f"cannot listen on {config.host}:{config.port}: {error.strerror}") from None
    # The supervisor creates its worker processes (at start and on every restart) by this name.
    with mock.patch.object(multiprocess, "Process", _OwnSocketProcess):
        Multiprocess(config, sockets=[]).run()
