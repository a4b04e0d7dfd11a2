"""Treat API bodies sent as form data as JSON.

`curl -d '{"name": "x"}'` without `-H "Content-Type: application/json"` labels the body
`application/x-www-form-urlencoded`. No agent-API endpoint takes form data (avatars are
multipart), so under /api/v1 such a body is parsed as the JSON it almost always is; a body that
really is form-encoded then gets a clear "Invalid JSON body" instead of a puzzling field error.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

FORM = b"application/x-www-form-urlencoded"


class FormBodyAsJsonMiddleware:
    def __init__(self, app: ASGIApp, prefix: str = "/api/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(self.prefix):
            headers = scope.get("headers", [])
            if any(name == b"content-type" and value.split(b";")[0].strip().lower() == FORM for name, value in headers):
                scope = dict(scope)
                scope["headers"] = [
                    (name, b"application/json" if name == b"content-type" else value) for name, value in headers
                ]
        await self.app(scope, receive, send)
