"""The offline brain's grammar: templates with slots, filled from a persona's vocabulary.

A template is plain text with ``{slot}`` (a pick from a slot's list), ``{slot2}`` (another pick
from the same slot, different from the first when it can be), ``{slot_lower}`` (a pick with its
first letter lower-cased) and ``[a|b|c]`` (an inline choice). Picks may hold templates in turn.
The shared phrase bank lives in ``reef/agents/data/grammar.toml``; the persona's own vocabulary
comes first. This is how the offline brain writes: it is a grammar, not a language model.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reef.agents.brain.base import Persona

_SLOT = re.compile(r"\{([a-z_]+?)(\d?)\}")
_CHOICE = re.compile(r"\[([^\[\]{}]*\|[^\[\]{}]*)\]")
_MAX_DEPTH = 4
_SENTENCE_START = re.compile(r"([.!?]\s+)([a-z])")  # a slot value that begins a later sentence

# Words that say nothing about a text's topic: left out of keyword picks and interest matching.
STOPWORDS = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does",
        "doing", "done", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it",
        "its", "it's", "just", "me", "more", "most", "my", "no", "not", "of", "on", "one", "or", "our",
        "out", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these",
        "they", "this", "those", "to", "too", "up", "us", "very", "was", "we", "were", "what", "when",
        "where", "which", "who", "why", "will", "with", "would", "you", "your", "about", "after", "again",
        "all", "also", "am", "any", "because", "before", "being", "both", "each", "few", "here", "i'm",
        "i've", "i'd", "i'll", "let's", "only", "other", "over", "own", "same", "should", "still", "that's",
        "through", "under", "until", "while", "really", "much", "many", "like", "get", "got", "make", "made",
        "thing", "things", "think", "know", "see", "way", "back", "even", "well", "every", "yes", "okay",
        "ok", "oh", "post", "posts"
    ]
)  # fmt: skip


@dataclass(frozen=True)
class PhraseBank:
    """grammar.toml, read once."""

    slots: Mapping[str, tuple[str, ...]]
    sections: Mapping[str, Mapping[str, Any]]
    tones: Mapping[str, Mapping[str, Any]]
    synonyms: Mapping[str, str]
    suffixes: tuple[str, ...]

    def templates(self, section: str, kind: str) -> tuple[str, ...]:
        return tuple(self.sections[section][kind])


@cache
def phrase_bank() -> PhraseBank:
    text = resources.files("reef.agents").joinpath("data", "grammar.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    synonyms: dict[str, str] = {}
    for a, b in data["synonyms"]["pairs"]:
        synonyms.setdefault(a, b)
        synonyms.setdefault(b, a)
    return PhraseBank(
        slots={k: tuple(v) for k, v in data["slots"].items()},
        sections={k: data[k] for k in ("titles", "sentences", "replies", "dms")},
        tones=data["tones"],
        synonyms=synonyms,
        suffixes=tuple(data["synonyms"]["suffixes"]),
    )


class Filler:
    """Expands templates for one persona: its vocabulary first, then the shared slots, plus any
    ``extra`` values for this text (``keyword``, ``author``, ``quote``...)."""

    def __init__(self, persona: Persona, rng: random.Random, extra: Mapping[str, str | Sequence[str]] | None = None):
        bank = phrase_bank()
        self.rng = rng
        self.slots: dict[str, tuple[str, ...]] = dict(bank.slots)
        self.slots.update(persona.vocabulary)
        self.slots["topic"] = persona.interests
        for key, value in (extra or {}).items():
            self.slots[key] = (value,) if isinstance(value, str) else tuple(value)
        self._picked: dict[str, str] = {}

    def pick(self, slot: str, *, other_than: str | None = None) -> str:
        choices = self.slots.get(slot) or (f"{{{slot}}}",)  # an unknown slot stays visible, not silent
        pool = [c for c in choices if c != other_than] or list(choices)
        return self.rng.choice(pool)

    def expand(self, template: str, depth: int = 0) -> str:
        template = _CHOICE.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)

        def slot(match: re.Match[str]) -> str:
            name, number = match.group(1), match.group(2)
            lower = name.endswith("_lower")
            name = name.removesuffix("_lower")
            if number:
                value = self.pick(name, other_than=self._picked.get(name))
            else:
                value = self._picked.get(name) or self.pick(name)
                self._picked[name] = value  # {topic} twice in one sentence means the same topic
            if depth < _MAX_DEPTH and ("{" in value or "[" in value):
                value = self.expand(value, depth + 1)
            return value[:1].lower() + value[1:] if lower else value

        return _SLOT.sub(slot, template)

    def sentence(self, templates: Sequence[str]) -> str:
        """One template expanded, with a fresh set of picks, first letter capitalised."""
        self._picked = {}
        text = capitalise(self.expand(self.rng.choice(list(templates))))
        return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


@cache
def template_words() -> frozenset[str]:
    """The words the shared templates themselves bring ("thoughts", "lesson"...): they say
    nothing about what a text is about, so replies do not pick them up as its keyword."""
    bank = phrase_bank()
    texts = [t for section in bank.sections.values() for values in section.values() for t in values]
    return frozenset(content_words(_SLOT.sub(" ", " ".join(texts))))


def capitalise(text: str) -> str:
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
        if char not in "\"'>“ \n":
            break
    return text


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters, digits, apostrophes)."""
    return re.findall(r"[a-z0-9][a-z0-9']*", text.lower())


def content_words(text: str) -> set[str]:
    """The words that carry meaning: no stopwords, no short words, a plural 's' dropped."""
    return {stem(w) for w in words(text) if len(w) > 2 and w not in STOPWORDS}


def stem(word: str) -> str:
    """A plural 's' dropped ("prompts" -> "prompt"), so singular and plural match."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def interest_terms(persona: Persona) -> set[str]:
    """What a persona cares about, as content words: its interests and its own nouns."""
    text = " ".join([*persona.interests, *persona.vocabulary.get("thing", ())])
    return content_words(text)


def tone_of(persona: Persona) -> Mapping[str, Any]:
    return phrase_bank().tones.get(persona.tone.lower(), {})


def has_quirk(persona: Persona, *keywords: str) -> bool:
    """Whether any quirk mentions one of ``keywords`` ("writes in lowercase" -> "lowercase")."""
    text = " ".join(persona.quirks).lower()
    return any(k in text for k in keywords)


def apply_style(persona: Persona, text: str) -> str:
    """The tone's and quirks' last touches on a finished text."""
    tone = tone_of(persona)
    if tone.get("exclaim"):
        text = re.sub(r"\.(\s|$)", r"!\1", text, count=2)
    if tone.get("trail"):
        text = re.sub(r"\.$", "...", text)
    if has_quirk(persona, "lowercase"):
        text = text.lower()
    if has_quirk(persona, "lobster", "🦞") and "🦞" not in text:
        text += " 🦞"
    return text
