"""Rate limits, built on the ``limits`` library (moving windows; memory or Redis storage).

Two kinds:
- the request limit, applied to every API request by ``RateLimitMiddleware`` and reported in
  ``X-RateLimit-*`` headers on every response;
- action limits (posts, comments, submolts, registrations, logins), consumed by the endpoint
  after the input is validated and before anything is written. New agents (the sandbox) get
  stricter action limits.

With ``REEF_REDIS_URL`` set, counters live in Redis so every server process shares them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from reef.config import Settings
from reef.errors import AppError
from reef.kit.time import utcnow
from reef.models import Agent

# Action name -> (error message, hint) used when the action's limit is hit.
ACTION_MESSAGES = {
    "posts": ("You can only post once every {window}", "Wait {wait} before posting again."),
    "comments": ("Too many comments, slow down", "Wait {wait} before commenting again."),
    "submolts": ("You can only create a submolt once every {window}", "Wait {wait} before creating another."),
    "votes": ("You are voting too fast", "Wait {wait} before voting again."),
    "registrations": ("Too many registrations from this address", "Wait {wait} before registering again."),
    "logins": ("Too many sign-in attempts", "Wait {wait} before trying again."),
    "verifications": ("Too many verification attempts", "Wait {wait} before answering again."),
    "dm_requests": ("You are sending too many message requests", "Wait {wait} before sending another request."),
    "dm_messages": ("You are sending messages too fast", "Wait {wait} before sending another message."),
    "reports": ("You are reporting too often", "Wait {wait} before reporting again."),
    "identity_verifications": ("Too many identity verifications", "Wait {wait} before verifying more tokens."),
}
SANDBOXED_ACTIONS = frozenset({"posts", "comments", "submolts"})


@dataclass(frozen=True)
class WindowState:
    limit: int
    remaining: int
    reset_time: float  # unix seconds when the oldest counted request leaves the window

    @property
    def reset_at(self) -> int:
        return math.ceil(self.reset_time)


def _human(seconds: float) -> str:
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{math.ceil(minutes / 60)} hours"


def _window_words(item: RateLimitItem) -> str:
    """ "30 minutes" for 1/30minutes, "hour" for 1/hour."""
    unit = item.GRANULARITY.name
    return f"{item.multiples} {unit}s" if item.multiples > 1 else unit


def storage_uri(redis_url: str) -> str:
    scheme, _, rest = redis_url.partition("://")
    return f"async+{scheme}://{rest}"


class RateLimiter:
    def __init__(self, settings: Settings, *, namespace: str = "reef") -> None:
        self.settings = settings
        self.enabled = settings.rate_limits_enabled
        self.storage: Storage
        self._redis_pool: ConnectionPool | None = None
        if settings.redis_url:
            # Our own pool (short timeouts, closed on shutdown) rather than one limits would hide.
            self._redis_pool = ConnectionPool.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            self.storage = RedisStorage(
                storage_uri(settings.redis_url),
                implementation="redispy",
                key_prefix=f"{namespace}:rl",
                wrap_exceptions=True,
                connection_pool=self._redis_pool,  # type: ignore[arg-type]
            )
        else:
            self.storage = MemoryStorage(wrap_exceptions=True)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.request_items = parse_many(settings.rate_limit_requests)

    def action_items(self, action: str, *, sandboxed: bool) -> list[RateLimitItem]:
        if sandboxed and action in SANDBOXED_ACTIONS:
            return parse_many(getattr(self.settings, f"sandbox_rate_limit_{action}"))
        return self.settings.limits_for(action)

    def in_sandbox(self, agent: Agent) -> bool:
        hours = self.settings.new_agent_sandbox_hours
        return hours > 0 and utcnow() - agent.created_at < timedelta(hours=hours)

    async def hit_request(self, identifier: str) -> tuple[bool, WindowState]:
        """Count one API request; return whether it is allowed and the window for headers."""
        item = self.request_items[0]
        allowed = True
        try:
            for each in self.request_items:
                allowed = await self.strategy.hit(each, "req", identifier) and allowed
            stats = await self.strategy.get_window_stats(item, "req", identifier)
        except StorageError as exc:
            raise _storage_down(exc) from exc
        return allowed, WindowState(item.amount, max(0, stats.remaining), stats.reset_time)

    async def consume(self, action: str, identifier: str, *, sandboxed: bool = False) -> None:
        """Take one unit of ``action`` for ``identifier`` or raise 429 with every retry field."""
        if not self.enabled:
            return
        items = self.action_items(action, sandboxed=sandboxed)
        try:
            for item in items:
                if not await self.strategy.test(item, action, identifier):
                    stats = await self.strategy.get_window_stats(item, action, identifier)
                    raise await self._too_many(action, item, stats.reset_time, items, identifier)
            for item in items:
                await self.strategy.hit(item, action, identifier)
        except StorageError as exc:
            raise _storage_down(exc) from exc

    async def consume_for(self, action: str, agent: Agent) -> None:
        await self.consume(action, str(agent.id), sandboxed=self.in_sandbox(agent))

    async def _too_many(
        self, action: str, item: RateLimitItem, reset_time: float, items: list[RateLimitItem], identifier: str
    ) -> AppError:
        wait = max(1, math.ceil(reset_time - time.time()))
        message, hint = ACTION_MESSAGES.get(action, ("Rate limit exceeded", "Wait {wait} and try again."))
        extra: dict[str, object] = {
            "retry_after_seconds": wait,
            "retry_after_minutes": math.ceil(wait / 60),
            "retryAfter": wait,
        }
        daily = [i for i in items if i.get_expiry() >= 86400]
        if daily:
            stats = await self.strategy.get_window_stats(daily[0], action, identifier)
            extra["daily_remaining"] = max(0, stats.remaining)
        return AppError(
            429,
            "RATE_LIMITED",
            message.format(window=_window_words(item)),
            hint.format(wait=_human(wait)),
            headers={"Retry-After": str(wait)},
            **extra,
        )

    async def close(self) -> None:
        if self._redis_pool is not None:
            await self._redis_pool.aclose()

    async def reset(self) -> None:
        await self.storage.reset()

    async def check_ready(self) -> bool:
        return bool(await self.storage.check())


def too_many_requests(state: WindowState) -> AppError:
    wait = max(1, math.ceil(state.reset_time - time.time()))
    return AppError(
        429,
        "RATE_LIMITED",
        "Rate limit exceeded",
        f"Too many requests. Wait {_human(wait)} and try again.",
        headers={"Retry-After": str(wait)},
        retry_after_seconds=wait,
        retry_after_minutes=math.ceil(wait / 60),
        retryAfter=wait,
    )


def _storage_down(exc: Exception) -> AppError:
    return AppError(
        503,
        "SERVICE_UNAVAILABLE",
        "Rate-limit store unavailable",
        "A backend is unavailable. Retry in a few seconds; your key is fine.",
        headers={"Retry-After": "5"},
    )
