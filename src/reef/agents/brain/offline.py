"""The offline brain: an agent without a language model.

It writes from its persona's grammar (``grammar``: templates, vocabulary slots, tone markers,
quirks), judges what it reads by interest overlap (``taste``), and passes phrases along
(``memes``). It is not an LLM and does not pretend to understand anything: it is enough to make
a network look alive, varied and on topic, offline, deterministic for a given seed.

The heartbeat loop asks; every answer may be "nothing". One brain can serve many personas: each
persona gets its own random generator seeded by (seed, persona name), so an agent's output does
not depend on how the loop interleaves agents.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any

from reef.agents.brain import memes, solver, taste
from reef.agents.brain.base import (
    AgentView,
    CommentView,
    MessageView,
    Persona,
    PostDraft,
    PostView,
    Situation,
    SubmoltDraft,
    Vote,
)
from reef.agents.brain.grammar import Filler, apply_style, has_quirk, phrase_bank, tone_of, words
from reef.agents.brain.personas import postable_submolts

log = logging.getLogger(__name__)

TITLE_TRIES = 12
REMEMBERED_TITLES = 40
MAX_DMS_OPENED = 3
DM_CONVERSATION_MAX = 10
FOUNDING_TRIES = 3
_SECRET_ASK = re.compile(r"api[\s_-]?key|credential|password|secret|token", re.IGNORECASE)


class OfflineBrain:
    kind = "offline"

    def __init__(self, seed: int = 0, *, post_chance: float = 0.6, low_effort_chance: float = 0.12):
        self.seed = seed
        self.post_chance = post_chance  # scaled by the persona's activity
        self.low_effort_chance = low_effort_chance  # the dull posts that votes should sink
        self._rngs: dict[str, random.Random] = {}

    def rng(self, persona: Persona) -> random.Random:
        if persona.name not in self._rngs:
            self._rngs[persona.name] = random.Random(f"{self.seed}:{persona.name}")
        return self._rngs[persona.name]

    # -- posts ------------------------------------------------------------------------------

    async def write_post(self, persona: Persona, situation: Situation) -> PostDraft | None:
        rng = self.rng(persona)
        self._read(persona, situation)
        if rng.random() > min(0.95, self.post_chance * persona.activity):
            return None
        low_effort = rng.random() < self.low_effort_chance
        filler = Filler(persona, rng)
        title = self._fresh_title(persona, situation, filler, low_effort)
        if title is None:
            return None
        body = self._low_effort_body(filler) if low_effort else self._body(persona, situation, filler)
        submolt = self._submolt(persona, situation, rng)
        return PostDraft(submolt=submolt, title=title, content=apply_style(persona, body))

    def _fresh_title(self, persona: Persona, situation: Situation, filler: Filler, low_effort: bool) -> str | None:
        bank = phrase_bank()
        templates = bank.templates("titles", "low_effort" if low_effort else "templates")
        if not low_effort:
            templates += persona.vocabulary.get("titles", ())
        remembered: list[str] = situation.notes.setdefault("titles", [])
        used = {t.lower() for t in [*situation.own_recent_titles, *remembered]}
        for _ in range(TITLE_TRIES):
            title = filler.sentence(templates)
            title = title.lower() if has_quirk(persona, "lowercase") else title
            if title.lower() not in used:
                remembered.append(title)
                del remembered[:-REMEMBERED_TITLES]
                return title[:300]
        return None  # nothing new to say this time

    def _body(self, persona: Persona, situation: Situation, filler: Filler) -> str:
        rng = filler.rng
        sentences = self._sentences(persona, filler)
        opener = self._opener(persona, rng)
        paragraphs = [" ".join(([opener] if opener else []) + sentences)]
        if has_quirk(persona, "list") and rng.random() < 0.7:
            items = {filler.sentence(phrase_bank().templates("sentences", "list_item")) for _ in range(3)}
            intro = filler.sentence(phrase_bank().templates("sentences", "list_intro"))
            paragraphs.append(intro + "\n" + "\n".join(f"- {item}" for item in sorted(items)))
        if has_quirk(persona, "number", "stat", "chart"):
            paragraphs.append(filler.sentence(phrase_bank().templates("sentences", "numbers")))
        ending = []
        if has_quirk(persona, "question") or rng.random() < 0.35:
            ending.append(filler.sentence(phrase_bank().templates("sentences", "question")))
        elif rng.random() < 0.3:
            ending.append(filler.sentence(phrase_bank().templates("sentences", "closing")))
        if ending:
            paragraphs.append(" ".join(ending))
        borrowed = self._borrow(situation, rng, chance=0.3)
        signoff = self._signoff(persona, rng, chance=0.55)
        if borrowed and (not signoff or rng.random() < 0.5):
            paragraphs.extend(x for x in (signoff, borrowed) if x)  # the borrowed phrase closes: it travels on
        else:
            paragraphs.extend(x for x in (borrowed, signoff) if x)
        return "\n\n".join(paragraphs)

    def _sentences(self, persona: Persona, filler: Filler) -> list[str]:
        bank = phrase_bank()
        rng = filler.rng
        count = rng.randint(1, 2) if has_quirk(persona, "short", "terse", "brief") else rng.randint(2, 4)
        details = bank.templates("sentences", "detail") + persona.vocabulary.get("sentences", ())
        out = [filler.sentence(bank.templates("sentences", "intro"))]
        while len(out) < count:
            sentence = filler.sentence(details)
            if sentence not in out:
                out.append(sentence)
        return out

    def _low_effort_body(self, filler: Filler) -> str:
        return filler.sentence(phrase_bank().templates("sentences", "low_effort"))

    def _opener(self, persona: Persona, rng: random.Random) -> str | None:
        roll = rng.random()
        if roll < 0.25 and tone_of(persona).get("openers"):
            return str(rng.choice(tone_of(persona)["openers"]))
        if roll < 0.45 and persona.vocabulary.get("opener"):
            return rng.choice(persona.vocabulary["opener"])
        return None

    def _signoff(self, persona: Persona, rng: random.Random, chance: float) -> str | None:
        if persona.catchphrases and (has_quirk(persona, "signs off", "sign-off") or rng.random() < chance):
            return rng.choice(persona.catchphrases)
        return None

    def _borrow(self, situation: Situation, rng: random.Random, chance: float) -> str | None:
        if rng.random() >= chance:
            return None
        phrase = memes.recall(situation.notes, rng)
        return memes.mutate(phrase, rng) if phrase else None

    def _submolt(self, persona: Persona, situation: Situation, rng: random.Random) -> str:
        choices = postable_submolts(persona, situation.existing_submolts)
        weights = [1 / (rank + 1) for rank in range(len(choices))]  # first preference most often
        return rng.choices(choices, weights=weights)[0]

    def _read(self, persona: Persona, situation: Situation) -> None:
        """Pick up phrases from the popular posts and the best of the feed."""
        best_of_feed = sorted(situation.feed, key=lambda p: p.score, reverse=True)[:5]
        memes.absorb(situation.notes, [*situation.popular[:10], *best_of_feed], persona.name, persona.catchphrases)

    # -- comments ---------------------------------------------------------------------------

    async def write_comment(
        self,
        persona: Persona,
        situation: Situation,
        post: PostView,
        thread: list[CommentView],
        replying_to: CommentView | None,
    ) -> str | None:
        rng = self.rng(persona)
        self._read(persona, situation)
        target_author = replying_to.author if replying_to else post.author
        target_text = replying_to.content if replying_to else f"{post.title}\n{post.content}"
        if target_author == persona.name:
            return None
        if rng.random() > self._reply_chance(persona, post, thread, replying_to, target_text):
            return None
        headline = "" if replying_to else post.title
        filler = Filler(persona, rng, self._reply_slots(persona, target_author, target_text, headline))
        bank = phrase_bank()
        filler.slots["reaction"] = tuple(tone_of(persona).get("reactions", ())) + bank.templates("replies", "reaction")
        filler.slots["response"] = bank.templates("replies", "response") + persona.vocabulary.get("replies", ())
        filler.slots["extra"] = bank.templates("replies", "extra")
        # Every form refers to what it answers: the author's name, a quote, or its keyword.
        forms = ["by_name", "by_keyword"] + (["by_quote"] if "quote" in filler.slots else [])
        text = filler.sentence(bank.templates("replies", rng.choice(forms)))
        extra = self._borrow(situation, rng, chance=0.2) or self._signoff(persona, rng, chance=0.12)
        if extra:
            text += "\n\n" + extra
        return apply_style(persona, text)

    def _reply_chance(
        self, persona: Persona, post: PostView, thread: list[CommentView], replying_to: CommentView | None, text: str
    ) -> float:
        chance = 0.3 + 0.25 * min(2, taste.overlap(persona, text))
        if replying_to is not None:
            talking_to_me = post.author == persona.name or f"@{persona.name}".lower() in replying_to.content.lower()
            chance = max(chance, 0.85 if talking_to_me else 0.5)
            chance *= 0.88**replying_to.depth  # threads go deep, then settle
        mine = sum(1 for c in thread if c.author == persona.name)
        return chance * (0.6**mine if mine > 1 else 1.0)

    def _reply_slots(self, persona: Persona, author: str, text: str, headline: str) -> dict[str, str]:
        slots = {"author": author, "keyword": taste.keyword(persona, text, headline) or "this"}
        quote = _quotable(text, self.rng(persona))
        if quote:
            slots["quote"] = quote
        return slots

    # -- votes, follows, DMs ----------------------------------------------------------------

    async def vote(self, persona: Persona, situation: Situation, post: PostView | CommentView) -> Vote:
        return taste.vote(self.seed, persona, post)

    async def follow(self, persona: Persona, situation: Situation, agent: AgentView) -> bool:
        return taste.follow(self.seed, persona, agent)

    async def accept_dm(self, persona: Persona, situation: Situation, from_agent: str, message: str) -> bool:
        if _SECRET_ASK.search(message):
            return False  # whoever asks about keys in a first message does not get a private channel
        return taste.decision_rng(self.seed, persona, "accept", from_agent).random() < 0.9

    async def open_dm(self, persona: Persona, situation: Situation, agent: AgentView) -> str | None:
        opened: list[str] = situation.notes.setdefault("dm_opened", [])
        if agent.name == persona.name or agent.name in opened or len(opened) >= MAX_DMS_OPENED:
            return None
        shared = taste.shared_interest(persona, taste.agent_text(agent))
        if shared is None or self.rng(persona).random() > 0.5:
            return None
        opened.append(agent.name)
        filler = Filler(persona, self.rng(persona), {"name": agent.name, "shared": shared})
        return filler.sentence(phrase_bank().templates("dms", "open"))

    async def write_dm(
        self, persona: Persona, situation: Situation, other: str, messages: list[MessageView]
    ) -> str | None:
        if not messages or messages[-1].author == persona.name or len(messages) >= DM_CONVERSATION_MAX:
            return None
        rng = self.rng(persona)
        if rng.random() > 0.95 - 0.07 * len(messages):
            return None  # conversations wind down
        last = messages[-1].content
        filler = Filler(persona, rng, {"keyword": taste.keyword(persona, last) or "that", "name": other})
        return apply_style(persona, filler.sentence(phrase_bank().templates("dms", "reply")))

    # -- submolts and verification ----------------------------------------------------------

    async def found_submolt(self, persona: Persona, situation: Situation) -> SubmoltDraft | None:
        wanted = persona.founds_submolt
        if not wanted or wanted["name"].lower() in {s.lower() for s in situation.existing_submolts}:
            return None
        tries: dict[str, Any] = situation.notes.setdefault("founding_tries", {})
        if tries.get(wanted["name"], 0) >= FOUNDING_TRIES:
            return None
        tries[wanted["name"]] = tries.get(wanted["name"], 0) + 1
        return SubmoltDraft(
            name=wanted["name"], display_name=wanted["display_name"], description=wanted.get("description", "")
        )

    async def solve_challenge(self, challenge: str) -> str:
        answer = solver.try_solve(challenge)
        if answer is None:
            log.warning("offline brain cannot read this challenge: %r", challenge)
            return "0.00"
        return answer


def _quotable(text: str, rng: random.Random) -> str | None:
    """A short stretch of ``text`` to quote, word for word: one of its sentences of 4-14 words,
    or else its first 10 words."""
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip() and not line.startswith(">"))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", flat) if 4 <= len(words(s)) <= 14]
    if sentences:
        return rng.choice(sentences)
    tokens = flat.split()
    return " ".join(tokens[:10]) if len(tokens) >= 4 else None
