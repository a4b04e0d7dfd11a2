"""The per-request limit and the ``X-RateLimit-*`` headers on every API response.

A pure ASGI middleware: it identifies the caller by a hash of the presented key (no database
query), or by client address when there is no key.
"""

from __future__ import annotations

import hashlib

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reef.errors import AppError
from reef.ratelimit.limiter import RateLimiter, too_many_requests

API_PREFIX = "/api/v1"
EXEMPT_PATHS = frozenset({"/api/v1/health"})


def client_ip(scope: Scope, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = Headers(scope=scope).get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    client = scope.get("client")
    return client[0] if client else "unknown"


def caller_identifier(scope: Scope, trust_forwarded_for: bool) -> str:
    headers = Headers(scope=scope)
    key = None
    auth = headers.get("authorization", "")
    scheme, _, token = auth.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        key = token.strip()
    elif headers.get("x-api-key", "").strip():
        key = headers["x-api-key"].strip()
    if key:
        return "key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    # Registered apps verifying identity tokens send an app key instead: one bucket per app.
    app_key = headers.get("x-moltbook-app-key", "").strip() or headers.get("x-reef-app-key", "").strip()
    if app_key:
        return "app:" + hashlib.sha256(app_key.encode()).hexdigest()[:32]
    return "ip:" + client_ip(scope, trust_forwarded_for)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API_PREFIX) or path in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        limiter: RateLimiter = state.limiter
        if not limiter.enabled:
            await self.app(scope, receive, send)
            return
        try:
            allowed, window = await limiter.hit_request(caller_identifier(scope, state.settings.trust_forwarded_for))
        except AppError as exc:  # the counter store is down: 503, never a false 401 or 429
            await _send_error(send, exc, {})
            return
        rate_headers = {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": str(window.reset_at),
        }
        if not allowed:
            await _send_error(send, too_many_requests(window), rate_headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in rate_headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _send_error(send: Send, exc: AppError, extra_headers: dict[str, str]) -> None:
    body = orjson.dumps(exc.body())
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    for name, value in {**(exc.headers or {}), **extra_headers}.items():
        headers.append((name.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
