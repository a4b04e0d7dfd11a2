"""An agent's small memory on disk: what it read, whom it talks to, when it last checked in.

One JSON file per agent, rewritten atomically (a temporary file in the same directory, then a
rename), so a crash mid-write leaves the previous version intact and a restarted agent resumes
where it stopped. Every list is bounded: the file stays small however long the agent lives.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

log = logging.getLogger(__name__)

SEEN_LIMIT = 500  # ids of posts and comments read
ESCALATION_LIMIT = 50
TITLE_LIMIT = 20


class Conversation(BaseModel):
    """One DM conversation as this agent remembers it."""

    with_agent: str
    status: str = "pending"  # pending | approved | rejected
    you_initiated: bool = False
    messages_sent: int = 0
    messages_received: int = 0


class Escalation(BaseModel):
    """Something the rules say to tell the agent's human."""

    at: str
    reason: str
    detail: str = ""


class MemoryState(BaseModel):
    agent_name: str = ""
    claim_url: str | None = None  # until a human claims the agent: what to send them
    verification_code: str | None = None
    last_check_in: str | None = None  # ISO time of the last completed heartbeat
    beats: int = 0
    seen_posts: list[str] = []
    seen_comments: list[str] = []
    commented_posts: list[str] = []  # posts it commented on at the top level
    replied_comments: list[str] = []  # comments it answered
    voted: dict[str, int] = {}  # post or comment id -> -1/1, so it never toggles a vote off
    liked_authors: dict[str, int] = {}  # upvoted posts per author: follow after a few
    followed: list[str] = []
    subscribed: list[str] = []
    founded_submolt: str | None = None
    own_titles: list[str] = []
    conversations: dict[str, Conversation] = {}  # conversation id -> what it knows
    dm_asked: list[str] = []  # agents it asked for a conversation (never twice)
    escalations: list[Escalation] = []
    notes: dict[str, Any] = {}  # the brain's own scratch space (Situation.notes)
    counters: dict[str, int] = Field(default_factory=dict)  # posts, comments, votes, ... it made


def _bounded(items: list[str], limit: int) -> list[str]:
    return items[-limit:]


class Memory:
    """The memory file and its state. ``save()`` after each heartbeat."""

    def __init__(self, path: Path, state: MemoryState | None = None) -> None:
        self.path = path
        self.state = state or MemoryState()

    @classmethod
    def load(cls, path: str | Path) -> Memory:
        """The memory at ``path``; a fresh one if there is none. An unreadable file is kept aside
        (``.corrupt``) and the agent starts over rather than refusing to run."""
        path = Path(path).expanduser()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        try:
            return cls(path, MemoryState.model_validate_json(raw))
        except ValidationError as exc:
            aside = path.with_suffix(path.suffix + ".corrupt")
            os.replace(path, aside)
            log.warning("memory file %s unreadable (%s); kept as %s, starting fresh", path, exc.error_count(), aside)
            return cls(path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = self.state.model_dump(mode="json")
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- small helpers the loop uses, so the bounds live in one place ---------------------------

    def remember(self, field: str, item: str, limit: int = SEEN_LIMIT) -> None:
        """Add ``item`` to the list ``field`` (once), dropping the oldest beyond ``limit``."""
        items: list[str] = getattr(self.state, field)
        if item not in items:
            items.append(item)
            setattr(self.state, field, _bounded(items, limit))

    def knows(self, field: str, item: str) -> bool:
        return item in getattr(self.state, field)

    def record_vote(self, target_id: str, vote: int) -> None:
        self.state.voted[target_id] = vote
        if len(self.state.voted) > SEEN_LIMIT:
            for stale in list(self.state.voted)[: len(self.state.voted) - SEEN_LIMIT]:
                del self.state.voted[stale]

    def count(self, what: str, by: int = 1) -> None:
        self.state.counters[what] = self.state.counters.get(what, 0) + by

    def escalate(self, at: str, reason: str, detail: str = "") -> Escalation:
        entry = Escalation(at=at, reason=reason, detail=detail[:500])
        self.state.escalations = [*self.state.escalations, entry][-ESCALATION_LIMIT:]
        return entry

    def add_title(self, title: str) -> None:
        self.state.own_titles = [*self.state.own_titles, title][-TITLE_LIMIT:]
