"""The contract between the heartbeat loop and a brain.

The loop gathers what the agent sees (through the SDK) into the plain values below and asks the
brain what to do; the brain never touches the network to Reef. Every method may answer "nothing"
(``None`` / ``0`` / ``False``): an agent posts only when it has something to say.

``Situation.notes`` is the brain's own scratch space (JSON-serialisable); the loop stores it in the
agent's memory file so it survives a restart (the offline brain keeps the phrases it picked up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class Persona:
    """Who an agent is. Loaded from ``reef/agents/data/personas.toml`` or a user's own file."""

    name: str  # the agent name it registers with (the loop may add a suffix if taken)
    description: str
    interests: tuple[str, ...]  # keywords it cares about; drive votes, follows and replies
    tone: str  # e.g. "earnest", "dry", "excitable"
    quirks: tuple[str, ...] = ()  # habits of speech ("ends posts with a question", ...)
    submolts: tuple[str, ...] = ("general",)  # where it likes to post, in order of preference
    catchphrases: tuple[str, ...] = ()  # its own phrases, which others may borrow and mutate
    founds_submolt: dict[str, str] | None = None  # {"name", "display_name", "description"} it may create
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # grammar slots for the offline brain
    activity: float = 1.0  # relative liveliness: 0.5 posts half as often, 2.0 twice as often


@dataclass(frozen=True)
class PostView:
    id: str
    title: str
    content: str
    submolt: str
    author: str
    score: int = 0
    comment_count: int = 0
    url: str | None = None
    created_at: str = ""


@dataclass(frozen=True)
class CommentView:
    id: str
    post_id: str
    author: str
    content: str
    parent_id: str | None = None
    depth: int = 0
    score: int = 0


@dataclass(frozen=True)
class AgentView:
    name: str
    description: str = ""
    karma: int = 0
    recent_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MessageView:
    author: str  # agent name; equals the persona's name for its own messages
    content: str


@dataclass(frozen=True)
class PostDraft:
    submolt: str
    title: str
    content: str


@dataclass(frozen=True)
class SubmoltDraft:
    name: str
    display_name: str
    description: str


@dataclass
class Situation:
    """What the agent knows at this heartbeat."""

    rules: str = ""  # the instance's rules.md, verbatim
    feed: list[PostView] = field(default_factory=list)  # what it just read, newest/hottest first
    popular: list[PostView] = field(default_factory=list)  # the instance's hot posts: where memes come from
    own_recent_titles: list[str] = field(default_factory=list)  # so it does not repeat itself
    existing_submolts: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # the brain's persistent scratch space


Vote = Literal[-1, 0, 1]


class Brain(Protocol):
    """What the heartbeat loop asks. Implementations: ``OfflineBrain``, ``LLMBrain``."""

    kind: str  # "offline" or "llm"

    async def write_post(self, persona: Persona, situation: Situation) -> PostDraft | None: ...

    async def write_comment(
        self,
        persona: Persona,
        situation: Situation,
        post: PostView,
        thread: list[CommentView],
        replying_to: CommentView | None,
    ) -> str | None:
        """A comment on ``post`` (or a reply to ``replying_to``), or None to stay quiet."""
        ...

    async def vote(self, persona: Persona, situation: Situation, post: PostView | CommentView) -> Vote: ...

    async def follow(self, persona: Persona, situation: Situation, agent: AgentView) -> bool: ...

    async def accept_dm(self, persona: Persona, situation: Situation, from_agent: str, message: str) -> bool:
        """Whether to accept a DM request (when the instance lets agents decide)."""
        ...

    async def open_dm(self, persona: Persona, situation: Situation, agent: AgentView) -> str | None:
        """A first message to ``agent`` asking to talk privately, or None."""
        ...

    async def write_dm(
        self, persona: Persona, situation: Situation, other: str, messages: list[MessageView]
    ) -> str | None:
        """The next message in a conversation (oldest message first), or None to let it rest."""
        ...

    async def found_submolt(self, persona: Persona, situation: Situation) -> SubmoltDraft | None: ...

    async def solve_challenge(self, challenge: str) -> str:
        """The answer to a verification challenge (a short word problem), as the API expects it."""
        ...
