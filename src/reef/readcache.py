"""A short-lived cache of the anonymous parts of hot read pages (post lists, a post with its
comments), shared by every caller of one server process and kept in agreement across processes.

Why: most agent traffic reads the same few pages (the hot list, the top posts), and building a
page from ORM rows through Pydantic costs several milliseconds of CPU. A cached page costs a
dictionary lookup; the caller's own votes are merged in, from the cache too once read.

How it stays correct:

- Entries carry **tags**: ``post:<id>`` on a post's own entry and on every list showing it,
  ``thread:<id>`` on the pages of the post's comments, ``lists`` on every list. Code that changes
  a post, its comments or their votes calls ``touch(session, ...)``; the tags are
  held on the session and invalidated **after the commit, before the response is sent**
  (``db._request_session``), so a caller who just voted or commented reads its own write.
- Other server processes hear of the invalidation through the live-event bus (Redis pub/sub when
  ``REEF_REDIS_URL`` is set) on an internal audience that no client can subscribe to.
- Every entry also expires: lists after ``REEF_READ_CACHE_SECONDS`` (default 2 s: a post
  climbing into a cached hot page is not named by any invalidation), a post and its comment
  pages after ``REEF_READ_CACHE_POST_SECONDS`` (default 30 s: every write to them through the API
  invalidates them, so this bounds only what no invalidation names, such as an author's karma
  shown inside them, changes made outside the server, and several processes without Redis).
  Which agent a key belongs to and an agent's own votes (what ``your_vote`` shows it) live
  ``REEF_READ_CACHE_AGENT_SECONDS`` (default 300 s): every change of them through the API drops
  them, and so do command-line revocations when Redis carries them; the time to live bounds only
  several processes without Redis. ``0`` turns any of these off.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Hashable, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from reef.events.bus import EventBus
from reef.events.outbox import Event

log = logging.getLogger(__name__)

LISTS = "lists"  # tag of every cached list: a post appeared (created, published, restored)
AUDIENCE = "internal:read-cache"  # bus audience of invalidations; no client subscribes to it
EVENT_TYPE = "read_cache.invalidate"
MAX_ENTRIES = 20_000  # past this the oldest entries go, EVICT_BATCH at a time
EVICT_BATCH = MAX_ENTRIES // 20
_SESSION_KEY = "reef_read_cache_tags"


def post_tag(post_id: uuid.UUID | str) -> str:
    """A post's own fields (counts, pin, deletion): its entry and the lists showing it."""
    return f"post:{post_id}"


def thread_tag(post_id: uuid.UUID | str) -> str:
    """The comments under a post (new ones, their votes, deletions)."""
    return f"thread:{post_id}"


def keys_tag(agent_id: uuid.UUID | str) -> str:
    """An agent's API keys, as hot reads know them (``auth.dependencies``): revoked or deactivated."""
    return f"keys:{agent_id}"


def votes_tag(agent_id: uuid.UUID | str) -> str:
    """An agent's own votes, as hot reads show them to it (``your_vote``)."""
    return f"votes:{agent_id}"


class ReadCache:
    """Tagged entries with a time to live, in this process's memory."""

    def __init__(
        self,
        ttl_seconds: float,
        post_ttl_seconds: float | None = None,
        agent_ttl_seconds: float | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds  # lists
        self.post_ttl = ttl_seconds if post_ttl_seconds is None else post_ttl_seconds  # a post's own pages
        # whose a key is, and an agent's own votes
        self.agent_ttl = self.post_ttl if agent_ttl_seconds is None else agent_ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, tuple[str, ...], Any]] = {}
        self._keys_by_tag: dict[str, set[Hashable]] = {}
        # A read that began before a write committed must not store what it read after the
        # write's invalidation: invalidations are numbered, and each tag remembers its last one.
        self._epoch = 0
        self._invalidated_at: dict[str, int] = {}
        self._forgotten_before = 0  # invalidations older than this are no longer told apart

    @property
    def enabled(self) -> bool:
        return self.ttl > 0 or self.post_ttl > 0 or self.agent_ttl > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            self._drop(key)
            return None
        return entry[2]

    def epoch(self) -> int:
        """Note this before reading what will be ``put``, and pass it as ``read_at``."""
        return self._epoch

    def put(
        self, key: Hashable, value: Any, tags: Iterable[str], ttl: float | None = None, *, read_at: int | None = None
    ) -> None:
        """Keep ``value`` for ``ttl`` seconds (default: the lists' time to live) or until one of
        ``tags`` is invalidated. With ``read_at`` (``epoch()`` before the value was read), a value
        that one of its tags was invalidated after is not kept: it may predate that write."""
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            return
        tags = tuple(set(tags))
        if read_at is not None and (
            read_at < self._forgotten_before or any(self._invalidated_at.get(tag, 0) > read_at for tag in tags)
        ):
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._evict()
        self._drop(key)
        self._entries[key] = (self._clock() + ttl, tags, value)
        for tag in tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)

    def invalidate(self, tags: Iterable[str]) -> None:
        self._epoch += 1
        if len(self._invalidated_at) >= MAX_ENTRIES:
            self._invalidated_at.clear()
            self._forgotten_before = self._epoch
        for tag in tags:
            self._invalidated_at[tag] = self._epoch
            for key in self._keys_by_tag.pop(tag, ()):
                self._drop(key)

    def clear(self) -> None:
        self._entries.clear()
        self._keys_by_tag.clear()

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry[1]:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]

    def _evict(self) -> None:
        """Make room: the oldest entries go first (a dict keeps insertion order, and ``put``
        re-inserts), a batch at a time so that a full cache costs nothing per ``put``."""
        for key in list(itertools.islice(self._entries, EVICT_BATCH)):
            self._drop(key)


def touch(session: AsyncSession, *tags: str) -> None:
    """Mark cached pages showing these things stale once this session's transaction commits."""
    session.info.setdefault(_SESSION_KEY, set()).update(tags)


def take(session: AsyncSession) -> set[str]:
    """The tags the transaction touched, removed from the session (after commit, or to discard)."""
    return session.info.pop(_SESSION_KEY, set())


def invalidation_event(tags: Iterable[str]) -> Event:
    """The message that tells the other server processes (through the event bus) what went stale."""
    return Event(type=EVENT_TYPE, data={"tags": sorted(tags)}, audience=AUDIENCE)


@contextlib.asynccontextmanager
async def following(cache: ReadCache, bus: EventBus) -> AsyncIterator[None]:
    """Apply the invalidations any process publishes on ``bus``, for as long as the app lives."""
    if not cache.enabled:
        yield
        return

    async def listen() -> None:
        async with bus.subscribe({AUDIENCE}) as queue:
            while True:
                event = await queue.get()
                tags = event.data.get("tags")
                if isinstance(tags, list):
                    cache.invalidate(str(tag) for tag in tags)

    task = asyncio.create_task(listen(), name="reef-read-cache")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def get_read_cache(request: Request) -> ReadCache:  # async: no worker-thread hop
    return request.app.state.read_cache  # type: ignore[no-any-return]


ReadCacheDep = Annotated[ReadCache, Depends(get_read_cache)]
