"""Refuse request bodies over the configured size with a 413 in the contract's shape, whether
the client declares the length or streams chunks.

A declared length is checked before anything is read (the server enforces it matches the body).
A chunked body is read up to the limit before the app runs and then replayed to it, because
FastAPI would turn an error raised mid-read into a misleading 400.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._reject(send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return

        try:
            receive = await buffer_body(receive, self.max_bytes)
        except BodyTooLarge:
            await self._reject(send)
            return
        await self.app(scope, receive, send)

    async def _reject(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "success": False,
                "error": "Request body too large",
                "hint": f"Send at most {self.max_bytes} bytes.",
                "code": "PAYLOAD_TOO_LARGE",
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyTooLarge(Exception):
    pass


async def buffer_body(receive: Receive, max_bytes: int | None = None) -> Receive:
    """Read the request body to its end (or to the client's disconnect) and return a ``receive``
    that hands it to the app as one message, then what the client sent after it. Past
    ``max_bytes``, raise ``BodyTooLarge``. The body limit and admission both wait for bodies here."""
    chunks: list[bytes] = []
    size = 0
    after: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            after.append(message)  # the client went away before its body ended
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}, *after]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
