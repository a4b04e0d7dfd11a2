"""FastAPI dependencies for endpoints that consume action limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from reef.ratelimit.limiter import RateLimiter
from reef.ratelimit.middleware import client_ip


async def get_limiter(request: Request) -> RateLimiter:  # async: no worker-thread hop
    return request.app.state.limiter  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return client_ip(request.scope, request.app.state.settings.trust_forwarded_for)


RateLimiterDep = Annotated[RateLimiter, Depends(get_limiter)]
