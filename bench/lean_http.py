"""A minimal HTTP/1.1 keep-alive client for the load driver: one connection per closed-loop
client, requests written as bytes, responses parsed by httptools (the C parser uvicorn uses).

Why not httpx: the driver shares the machine's two cores with the server, and httpx spent
1.6-2.8 ms of CPU per request (a fifth of all CPU in the first measurements). This client spends
a small fraction of that, so more of the machine measures the server. It is only what the
benchmark needs: one request at a time per connection, Content-Length or chunked responses
(httptools handles both), reconnection when the server closes a connection.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import httptools
import orjson


class HttpError(Exception):
    """The connection failed or the response could not be parsed (counted as an error)."""


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []
        self.closed = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HttpError(f"bad response: {exc}"))
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(HttpError(f"connection lost: {exc}"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        status, body = self.parser.get_status_code(), b"".join(self.body)
        self.body = []
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))
        if not self.parser.should_keep_alive() and self.transport is not None:
            self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)


class Connection:
    """One keep-alive connection to ``base_url``, opened on first use and again after a close."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError("the lean client speaks plain http:// only")
        self.host, self.port = parts.hostname, parts.port or 80
        self._host_header = f"Host: {parts.netloc}\r\n".encode()
        self.timeout = timeout
        self._protocol: _Protocol | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], json: Any = None) -> tuple[int, bytes]:
        """Send one request and wait for the whole response: (status, body)."""
        if self._protocol is None or self._protocol.closed:
            loop = asyncio.get_running_loop()
            try:
                _, self._protocol = await loop.create_connection(_Protocol, self.host, self.port)
            except OSError as exc:
                raise HttpError(f"cannot connect: {exc}") from exc
        protocol = self._protocol
        body = orjson.dumps(json) if json is not None else b""
        head = [f"{method} {path} HTTP/1.1\r\n".encode(), self._host_header]
        head += [f"{name}: {value}\r\n".encode() for name, value in headers.items()]
        if json is not None:
            head.append(b"Content-Type: application/json\r\n")
        head.append(f"Content-Length: {len(body)}\r\n\r\n".encode())
        protocol.waiter = asyncio.get_running_loop().create_future()
        assert protocol.transport is not None
        protocol.transport.write(b"".join(head) + body)
        try:
            return await asyncio.wait_for(protocol.waiter, self.timeout)
        except TimeoutError as exc:
            self.close()
            raise HttpError("timed out") from exc

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
