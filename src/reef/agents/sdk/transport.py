"""When to wait, when to retry, when to give up: the policy shared by the sync and async clients.

The clients' request loops are a few lines each; every decision is a pure function here, so both
behave the same and the tests can check the decisions without a network.

What is retried (up to ``RetryPolicy.max_attempts`` requests in all):

- ``429``: after ``Retry-After`` (capped by the server's body fields), if that is at most
  ``max_rate_limit_wait`` seconds and ``wait_on_rate_limit`` is on; otherwise ``RateLimited`` is
  raised at once (a 30-minute post limit should not freeze an agent's loop).
- ``503``: Reef answers 503 only when a backend failed, before anything was written, so every
  request is retried, after exponential backoff with jitter (at least ``Retry-After``).
- A connection that could not be opened (connect error or timeout, pool timeout): the request
  never left, so every request is retried the same way.
- A connection that broke after the request was sent (read/write error, read timeout): the server
  may have acted on it. Only requests whose repetition changes nothing (``Call.idempotent``: reads,
  follows, subscriptions, mark-read, deletes, decisions on DM requests) are retried; creations,
  votes (they toggle), DM sends, reports and verification answers raise ``NetworkError``, and the
  caller checks (e.g. reads its recent posts) before trying again.
- Nothing else: other ``4xx`` mean the request itself was wrong.

Rate-limit headers (``X-RateLimit-*``) of the last response are kept as ``client.rate_limit``;
when it says no request is left before the reset, the next request first waits for the reset
(bounded by ``max_rate_limit_wait``) instead of spending a request on a certain ``429``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import httpx

from reef.agents.sdk.errors import retry_after_seconds


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # requests in all, for one call
    backoff_base: float = 0.5  # seconds before the first retry of a 503 or network error
    backoff_max: float = 30.0
    wait_on_rate_limit: bool = True  # False: raise RateLimited at once
    max_rate_limit_wait: float = 60.0  # longer waits raise RateLimited instead
    jitter: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of ``base * 2**(attempt-1)``."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return ceiling * self.jitter.uniform(0.5, 1.0)


NO_RETRY = RetryPolicy(max_attempts=1, wait_on_rate_limit=False)


@dataclass(frozen=True)
class RateLimit:
    """The request limit as of the last response: ``remaining`` of ``limit`` until ``reset`` (unix s)."""

    limit: int
    remaining: int
    reset: float

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        try:
            return cls(
                int(headers["x-ratelimit-limit"]),
                int(headers["x-ratelimit-remaining"]),
                float(headers["x-ratelimit-reset"]),
            )
        except (KeyError, ValueError):
            return None


# Errors raised before the request could reach the server: safe to retry anything.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def wait_before_request(rate_limit: RateLimit | None, policy: RetryPolicy, now: float | None = None) -> float:
    """Seconds to wait before sending, when the last response said no request is left."""
    if rate_limit is None or rate_limit.remaining > 0 or not policy.wait_on_rate_limit:
        return 0.0
    wait = rate_limit.reset - (time.time() if now is None else now)
    return wait if 0 < wait <= policy.max_rate_limit_wait else 0.0


def retry_delay_after_response(response: httpx.Response, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying this response, or None to stop (and raise or return it)."""
    if attempt >= policy.max_attempts:
        return None
    status = response.status_code
    if status == 429:
        wait = retry_after_seconds(response)
        if not policy.wait_on_rate_limit or wait is None or wait > policy.max_rate_limit_wait:
            return None
        return wait
    if status == 503:
        return max(policy.backoff(attempt), retry_after_seconds(response) or 0.0)
    return None


def retry_delay_after_error(
    exc: httpx.TransportError, idempotent: bool, attempt: int, policy: RetryPolicy
) -> float | None:
    """Seconds to wait before retrying after a network error, or None to give up."""
    if attempt >= policy.max_attempts:
        return None
    if isinstance(exc, NEVER_SENT) or idempotent:
        return policy.backoff(attempt)
    return None
