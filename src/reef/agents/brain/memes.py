"""Memes: phrases that spread from agent to agent and drift as they go.

An offline agent signs many of its posts with one of its persona's catchphrases, on a line of its
own. When another agent reads a popular post, it picks up that closing line (or, for text written
by something else, a short sentence of it), keeps it in its notes, and later reuses it with a
small mutation: a word swapped for a near synonym, a lobster or emoji suffix, different
capitals. The mutated copy is what the next reader picks up, so the phrase drifts.

``find_spread`` is how a demo (or a test) proves it happened: it looks for each persona's
catchphrase, verbatim or one word off, in content written by other agents.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reef.agents.brain.base import PostView
from reef.agents.brain.grammar import phrase_bank, words

NOTES_KEY = "memes"
MAX_REMEMBERED = 12
MIN_WORDS, MAX_WORDS = 3, 10


def candidate_phrase(content: str) -> str | None:
    """The phrase of a post worth borrowing: its closing line when short (where catchphrases
    go), otherwise its shortest sentence of 3-10 words."""
    lines = [line.strip() for line in content.strip().splitlines() if line.strip()]
    if not lines:
        return None
    last = _clean(lines[-1])
    if MIN_WORDS <= len(words(last)) <= MAX_WORDS:
        return last
    sentences = [_clean(s) for s in re.split(r"(?<=[.!?])\s+", " ".join(lines))]
    short = [s for s in sentences if MIN_WORDS <= len(words(s)) <= MAX_WORDS and not s.startswith(">")]
    return min(short, key=len) if short else None


def _clean(line: str) -> str:
    """A line without quoting, list markers, surrounding quotes or a trailing emoji."""
    line = re.sub(r"^(?:>|[-*•]|—|–)\s*", "", line)
    line = re.sub(r"[\s\U0001F300-\U0001FAFF\u2600-\u27BF]+$", "", line)
    return line.strip().strip("\"“”'").strip()


def absorb(notes: dict[str, Any], posts: Iterable[PostView], me: str, own_phrases: Iterable[str]) -> None:
    """Remember the borrowable phrases of ``posts`` not written by ``me``; a phrase seen again
    counts up, and only the most-seen few are kept."""
    memory: dict[str, dict[str, Any]] = notes.setdefault(NOTES_KEY, {})
    mine = {normalise(p) for p in own_phrases}
    for post in posts:
        if post.author == me:
            continue
        phrase = candidate_phrase(post.content)
        if not phrase or normalise(phrase) in mine:
            continue
        entry = memory.setdefault(phrase, {"from": post.author, "seen": 0, "used": 0})
        entry["seen"] += 1 + max(0, post.score) // 5
    if len(memory) > MAX_REMEMBERED:
        keep = sorted(memory, key=lambda p: (memory[p]["seen"], p), reverse=True)[:MAX_REMEMBERED]
        notes[NOTES_KEY] = {p: memory[p] for p in keep}


def recall(notes: dict[str, Any], rng: random.Random) -> str | None:
    """A remembered phrase, the more often seen the likelier, or None when there is none."""
    memory: dict[str, dict[str, Any]] = notes.get(NOTES_KEY) or {}
    if not memory:
        return None
    phrases = sorted(memory)
    phrase = rng.choices(phrases, weights=[memory[p]["seen"] / (1 + memory[p]["used"]) for p in phrases])[0]
    memory[phrase]["used"] += 1
    return phrase


def mutate(phrase: str, rng: random.Random) -> str:
    """``phrase`` with one small change, or none: near-verbatim copies are what make a meme."""
    bank = phrase_bank()
    roll = rng.random()
    if roll < 0.35:
        return phrase
    if roll < 0.6:
        return phrase + rng.choice(bank.suffixes)
    if roll < 0.75:
        return rng.choice([phrase.upper(), phrase.lower(), phrase.title()])
    tokens = phrase.split(" ")
    swappable = [i for i, t in enumerate(tokens) if _bare(t).lower() in bank.synonyms]
    if not swappable:
        return phrase + rng.choice(bank.suffixes)
    i = rng.choice(swappable)
    bare = _bare(tokens[i])
    swap = bank.synonyms[bare.lower()]
    if bare[:1].isupper():
        swap = swap[:1].upper() + swap[1:]
    tokens[i] = tokens[i].replace(bare, swap, 1)
    return " ".join(tokens)


def _bare(token: str) -> str:
    return re.sub(r"^\W+|\W+$", "", token)


def normalise(text: str) -> str:
    """Lower-case words only, single spaces: what two copies of a phrase share."""
    return " ".join(words(text))


@dataclass
class Spread:
    """One origin's phrase found in other agents' content."""

    phrase: str
    origin: str
    adopters: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)


def find_spread(contents: Iterable[tuple[str, str]], phrases: Mapping[str, Iterable[str]]) -> list[Spread]:
    """Which phrases travelled: ``contents`` are (author, text) pairs, ``phrases`` maps each
    origin author to its catchphrases. A phrase counts when a text by another author holds it
    verbatim or, for phrases of four words or more, with one word changed (case, punctuation
    and suffixes ignored). Sorted by the number of adopters, most first; phrases nobody else
    used are left out."""
    found: dict[tuple[str, str], Spread] = {}
    texts = [(author, words(text)) for author, text in contents]
    for origin, origin_phrases in phrases.items():
        for phrase in origin_phrases:
            target = words(phrase)
            if len(target) < MIN_WORDS:
                continue
            for author, tokens in texts:
                if author.lower() == origin.lower() or not _contains_nearly(tokens, target):
                    continue
                spread = found.setdefault((origin, phrase), Spread(phrase=phrase, origin=origin))
                spread.adopters.add(author)
                if len(spread.examples) < 3:
                    spread.examples.append(" ".join(tokens))
    return sorted(found.values(), key=lambda s: (-len(s.adopters), s.origin, s.phrase))


def _contains_nearly(tokens: list[str], target: list[str]) -> bool:
    n = len(target)
    allowed = 1 if n >= 4 else 0  # one word off in a short phrase would match too much
    for start in range(len(tokens) - n + 1):
        window = tokens[start : start + n]
        if sum(a != b for a, b in zip(window, target, strict=True)) <= allowed:
            return True
    return False
