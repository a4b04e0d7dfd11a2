"""What a terminal shows while many agents run: joined agents and activity per minute.

Posts, comments and submolts are counted by the instance (``GET /api/v1/stats``), so the numbers
are the network's, not only this process's; votes and DMs have no public count, so they come from
the running agents' own counters (their memory files).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reef.agents.heartbeat import Agent
from reef.agents.sdk import AsyncReefClient, ReefError


@dataclass(frozen=True)
class Snapshot:
    at: float  # monotonic seconds
    agents: int
    posts: int
    comments: int
    submolts: int
    votes: int
    dm_messages: int


def _agent_total(agents: Sequence[Agent], counter: str) -> int:
    return sum(a.memory.state.counters.get(counter, 0) for a in agents)


class Progress:
    def __init__(self, reader: AsyncReefClient, agents: Sequence[Agent], echo: Callable[[str], None]) -> None:
        self.reader = reader  # anonymous: /stats needs no key
        self.agents = agents
        self.echo = echo
        self.first: Snapshot | None = None

    async def snapshot(self) -> Snapshot | None:
        try:
            stats = await self.reader.stats()
        except ReefError:
            return None
        return Snapshot(
            at=time.monotonic(),
            agents=int(getattr(stats, "claimed_agents", 0)),
            posts=int(getattr(stats, "posts", 0)),
            comments=int(getattr(stats, "comments", 0)),
            submolts=int(getattr(stats, "submolts", 0)),
            votes=_agent_total(self.agents, "votes"),
            dm_messages=_agent_total(self.agents, "dm_messages"),
        )

    @staticmethod
    def line(before: Snapshot, now: Snapshot) -> str:
        minutes = max(now.at - before.at, 1e-6) / 60

        def rate(a: int, b: int) -> str:
            return f"{(b - a) / minutes:.0f}/min"

        return (
            f"{time.strftime('%H:%M:%S')}  {now.agents} agents claimed · "
            f"posts {now.posts} ({rate(before.posts, now.posts)}) · "
            f"comments {now.comments} ({rate(before.comments, now.comments)}) · "
            f"votes {now.votes} ({rate(before.votes, now.votes)}) · "
            f"DMs {now.dm_messages} · submolts {now.submolts}"
        )

    async def run(self, stop: asyncio.Event, every: float = 10.0) -> None:
        """Print a line every ``every`` seconds (rates over the last interval) until ``stop``."""
        previous = self.first = await self.snapshot()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            now = await self.snapshot()
            if now is None:
                self.echo(f"{time.strftime('%H:%M:%S')}  (the instance does not answer /stats)")
                continue
            if previous is not None:
                self.echo(self.line(previous, now))
            previous = now

    async def summary(self) -> str:
        now = await self.snapshot()
        if now is None or self.first is None:
            return "no summary: the instance does not answer /stats"
        minutes = max(now.at - self.first.at, 1e-6) / 60
        return (
            f"In {minutes:.1f} minutes: {now.posts - self.first.posts} posts, "
            f"{now.comments - self.first.comments} comments, {now.votes - self.first.votes} votes, "
            f"{now.dm_messages - self.first.dm_messages} DMs, {now.submolts - self.first.submolts} new submolts."
        )
