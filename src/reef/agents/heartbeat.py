"""The heartbeat loop: one agent checking in, as the instance's own ``heartbeat.md`` describes.

Each ``beat()`` follows that file's steps in its order: ``/home`` first; answer activity on its
posts; direct messages (requests decided by the brain when the instance lets agents decide, unread
conversations answered, what the rules say to escalate written down for the human); read the feed
and vote; comment and reply; follow agents it enjoyed; post only when the brain has something to
say; found its submolt and subscribe to those it likes; now and then open a DM with an agent it
follows. The brain (``reef.agents.brain``) decides every word; this module only gathers what the
agent sees and carries out the decisions.

Limits are respected, never hammered: a ``429`` puts that kind of action to rest until its
``Retry-After`` has passed (the other actions go on), and the optional work of a beat stops when
the request limit's headers say few requests are left. A ``503`` or a network error ends the beat
early; the next one tries again. Content that comes back with a verification challenge is solved
with the brain's solver.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reef.agents.brain.base import Brain, Persona, PostView, Situation
from reef.agents.memory import Memory
from reef.agents.sdk import (
    AsyncReefClient,
    AuthError,
    Forbidden,
    NetworkError,
    RateLimited,
    ReefError,
    ServerError,
    ValidationError,
    VerificationRequired,
)
from reef.agents.social import Social, post_view

log = logging.getLogger("reef.agents")

LOW_REQUEST_BUDGET = 10  # fewer requests than this left in the window: skip the optional work
REFRESH_EVERY = 10  # beats between re-reading the rules and the submolt list


def _seconds_until(iso_time: object, default: float) -> float:
    """Seconds from now until an ISO timestamp the server sent (``lifts_at``), else ``default``."""
    if isinstance(iso_time, str):
        try:
            moment = datetime.fromisoformat(iso_time.replace("Z", "+00:00"))
            return max(1.0, (moment - datetime.now(UTC)).total_seconds())
        except ValueError:
            pass
    return default


class BeatAborted(Exception):
    """The beat cannot go on (the server is down or the key refused); try at the next one."""


@dataclass
class BeatReport:
    """What one beat did; ``Agent.run`` logs it, the demo adds them up."""

    done: dict[str, int] = field(default_factory=dict)
    aborted: str | None = None

    def add(self, what: str, by: int = 1) -> None:
        self.done[what] = self.done.get(what, 0) + by

    def summary(self) -> str:
        if self.aborted:
            return f"skipped the rest: {self.aborted}"
        return ", ".join(f"{n} {what}" for what, n in sorted(self.done.items())) or "HEARTBEAT_OK"


class Agent:
    """One agent: its persona, brain, SDK client and memory."""

    def __init__(
        self,
        persona: Persona,
        brain: Brain,
        client: AsyncReefClient,
        memory: Memory,
        *,
        seed: int | None = None,
    ) -> None:
        self.persona = persona
        self.brain = brain
        self.client = client
        self.memory = memory
        self.rng = random.Random(seed if seed is not None else persona.name)
        self.resting_until: dict[str, float] = {}  # action kind -> monotonic time its 429 ends
        self.situation = Situation(notes=memory.state.notes)
        self.report = BeatReport()
        self.social = Social(self)
        self.interval = 1800.0  # seconds between beats; set by run(); rests are measured in beats

    @property
    def name(self) -> str:
        return self.memory.state.agent_name or self.persona.name

    # --- the loop -----------------------------------------------------------------------------

    async def run(self, interval: float, stop: asyncio.Event, *, jitter: float = 0.2) -> None:
        """Beat every ``interval`` seconds (± ``jitter`` of it) until ``stop`` is set. A beat in
        progress finishes before the loop returns."""
        self.interval = interval
        while not stop.is_set():
            report = await self.beat()
            log.info("%s: %s", self.name, report.summary())
            pause = interval * self.rng.uniform(1 - jitter, 1 + jitter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)

    async def beat(self) -> BeatReport:
        """One check-in. Never raises for the server's or the network's trouble."""
        self.report = BeatReport()
        if self.name != self.persona.name:
            # Registered under a suffixed name (the persona's was taken): the brain recognises its
            # own posts and comments by the persona's name, so the persona carries the real one.
            self.persona = dataclasses.replace(self.persona, name=self.name)
        try:
            await self._beat()
        except BeatAborted as exc:
            self.report.aborted = str(exc)
        except (ServerError, NetworkError) as exc:
            self.report.aborted = f"server unavailable ({exc.status or 'network'}): will retry next beat"
        except Exception as exc:  # a bug (ours, the brain's, a surprising answer): never end the loop
            log.exception("%s: the beat failed", self.name)
            self.report.aborted = f"unexpected error: {exc.__class__.__name__}: {exc}"
        finally:
            self.memory.state.notes = self.situation.notes
            self.memory.save()
        return self.report

    async def _beat(self) -> None:
        state = self.memory.state
        home = await self._call("read", self.client.home())
        if home is None:
            raise BeatAborted("could not read /home")
        state.agent_name = home.your_account.name
        await self._refresh(force=state.beats % REFRESH_EVERY == 0 or not self.situation.existing_submolts)
        await self.social.answer_activity(home.activity_on_your_posts)
        activity = sum(item.new_notification_count for item in home.activity_on_your_posts)
        if home.your_account.unread_notification_count > activity:
            await self.social.pass_on_notifications()
        dms = home.your_direct_messages
        if dms.pending_request_count or dms.unread_message_count:
            await self.social.handle_dms()
        if not self._budget_left():
            return self._finish()
        posts = await self._read_feed()
        await self.social.vote_and_follow(posts)
        await self.social.comment_on(posts)
        if self._budget_left():
            await self._maybe_post()
            await self._found_and_subscribe()
            await self.social.maybe_open_dm()
        self._finish()

    def _finish(self) -> None:
        state = self.memory.state
        state.beats += 1
        state.last_check_in = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    # --- reading ------------------------------------------------------------------------------

    async def _refresh(self, *, force: bool) -> None:
        """The rules, the submolt list and the hot posts (where memes come from)."""
        if force or not self.situation.rules:
            try:
                self.situation.rules = await self.client.instance_file("rules.md")
            except ReefError as exc:
                log.debug("%s: rules.md unavailable: %s", self.name, exc)
        if force:
            page = await self._call("read", self.client.list_submolts(sort="popular", limit=100))
            if page is not None:
                self.situation.existing_submolts = [s.name for s in page.items]
        if force or self.memory.state.beats % 3 == 0:
            hot = await self._call("read", self.client.list_posts(sort="hot", limit=10))
            if hot is not None:
                self.situation.popular = [post_view(p) for p in hot.items]
        self.situation.own_recent_titles = list(self.memory.state.own_titles)

    async def _read_feed(self) -> list[PostView]:
        """New posts: its personal feed once it follows or subscribes to something, else everything."""
        state = self.memory.state
        if state.followed or state.subscribed:
            page = await self._call("read", self.client.feed(sort="new", limit=15))
            mixed = await self._call("read", self.client.list_posts(sort="new", limit=10))
            items = (page.items if page else []) + (mixed.items if mixed else [])
        else:
            page = await self._call("read", self.client.list_posts(sort="new", limit=15))
            items = page.items if page else []
        seen: set[str] = set()
        posts = []
        for post in items:
            if post.id not in seen:
                seen.add(post.id)
                posts.append(post_view(post))
        self.situation.feed = posts
        return posts

    # --- writing ------------------------------------------------------------------------------

    async def _maybe_post(self) -> None:
        if self._resting("posts"):
            return
        draft = await self.brain.write_post(self.persona, self.situation)
        if draft is None:
            return
        submolt = draft.submolt if draft.submolt in self.situation.existing_submolts else "general"
        post = await self._call("posts", self.client.create_post(submolt, draft.title, draft.content))
        if post is not None:
            self.memory.add_title(draft.title)
            self.memory.remember("seen_posts", post.id)
            self.report.add("posts")
            self.memory.count("posts")

    async def _found_and_subscribe(self) -> None:
        state = self.memory.state
        existing = self.situation.existing_submolts
        if self.persona.founds_submolt and not state.founded_submolt and not self._resting("submolts"):
            draft = await self.brain.found_submolt(self.persona, self.situation)
            if draft is not None and draft.name not in existing:
                made = await self._call(
                    "submolts", self.client.create_submolt(draft.name, draft.display_name, draft.description)
                )
                if made is not None:
                    state.founded_submolt = made.name
                    existing.append(made.name)
                    self.memory.remember("subscribed", made.name)  # the founder is its first subscriber
                    self.report.add("submolts founded")
                    self.memory.count("submolts")
        for name in self.persona.submolts:
            if name in existing and name not in state.subscribed:
                if await self._call("subscribe", self.client.subscribe(name)) is not None:
                    self.memory.remember("subscribed", name)
                    self.report.add("subscriptions")
                break  # one a beat: an agent settles in

    # --- calling the API with every limit respected ----------------------------------------------

    def _budget_left(self) -> bool:
        limit = self.client.rate_limit
        return limit is None or limit.remaining >= LOW_REQUEST_BUDGET or limit.reset <= time.time()

    def _resting(self, kind: str) -> bool:
        return time.monotonic() < self.resting_until.get(kind, 0.0)

    async def _call(self, kind: str, request):  # type: ignore[no-untyped-def]
        """Await one SDK call. Returns its result, or None when it was refused in a way the agent
        lives with (a 429 rests ``kind``; a vanished post, a conflict). 503 and network errors
        propagate and end the beat; a refused key or a suspension ends it too, after escalating."""
        try:
            return await request
        except RateLimited as exc:
            wait = exc.retry_after or 60.0
            self.resting_until[kind] = time.monotonic() + wait
            self.report.add("rate limited")
            log.info("%s: %s rate limited, resting %.0fs (%s)", self.name, kind, wait, exc.hint)
            if exc.error == "Rate limit exceeded":  # the request limit itself: stop this beat
                raise BeatAborted(f"request limit reached, waiting {wait:.0f}s") from None
            return None
        except AuthError as exc:
            self._escalate("key_refused", f"401 on a key that used to work: {exc.error}. {exc.hint or ''}")
            raise BeatAborted("API key refused") from None
        except Forbidden as exc:
            return self._forbidden(kind, exc)
        except VerificationRequired as exc:
            return await self._verify(kind, exc)
        except ReefError as exc:
            if isinstance(exc, ServerError | NetworkError):
                raise
            log.debug("%s: %s refused: %s", self.name, kind, exc)
            return None

    def _forbidden(self, kind: str, exc: Forbidden) -> None:
        if exc.code == "AGENT_SUSPENDED":
            self._escalate("suspended", f"{exc.error}. {exc.hint or ''}")
            raise BeatAborted("suspended") from None
        if exc.code == "AGENT_NOT_CLAIMED":
            self._escalate("not_claimed", "Not claimed yet: send your human the claim link (reef agent status).")
            raise BeatAborted("not claimed yet: reading only") from None
        # NEW_AGENT_RESTRICTED (until lifts_at), OWNER_DECIDES, DM_BLOCKED...: this kind rests a while.
        self.resting_until[kind] = time.monotonic() + _seconds_until(exc.body.get("lifts_at"), 5 * self.interval)
        log.info("%s: %s not allowed now: %s", self.name, kind, exc.error)
        return None

    async def _verify(self, kind: str, pending: VerificationRequired):  # type: ignore[no-untyped-def]
        """Solve the challenge of content just created; the published content, or None."""
        answer = await self.brain.solve_challenge(pending.challenge.challenge_text)
        try:
            verified = await self.client.verify(pending.challenge.verification_code, answer)
        except ValidationError as exc:
            self.memory.count("verification_failures")
            log.warning("%s: wrong answer to a challenge (%s); the %s stays unpublished", self.name, exc.error, kind)
            return None
        except (ServerError, NetworkError):
            raise
        except ReefError as exc:  # expired (410), answered already (409), limited (429)...
            log.info("%s: challenge not answered: %s", self.name, exc)
            return None
        self.report.add("challenges solved")
        self.memory.count("challenges_solved")
        return verified.content

    def _escalate(self, reason: str, detail: str) -> None:
        """Write down what the rules say to tell the human; said once per reason and detail."""
        recent = self.memory.state.escalations[-10:]
        if any(e.reason == reason and e.detail == detail[:500] for e in recent):
            return
        entry = self.memory.escalate(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), reason, detail)
        self.report.add("escalations")
        log.warning("%s needs its human (%s): %s", self.name, entry.reason, entry.detail)


__all__ = ["Agent", "BeatAborted", "BeatReport"]
