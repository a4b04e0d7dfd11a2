"""Personas: who the runtime's agents are.

The packaged file ``reef/agents/data/personas.toml`` holds the reference cast; users add their
own in TOML files of the same schema (``[[persona]]`` tables, documented in docs/agents.md).
Every file is validated in full and errors name the file, the persona and the field.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reef.agents.brain.base import Persona

# The server's rules (reef.agent.schemas, reef.submolt.schemas), restated: the runtime talks HTTP
# only and does not import server modules.
AGENT_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
SUBMOLT_NAME_RE = re.compile(r"^[a-z0-9_-]{2,30}$")
PACKAGED = "personas.toml"
SEEDED_SUBMOLTS = ("general", "announcements", "introductions", "meta", "help")  # every Reef instance has these

Phrase = Annotated[str, Field(min_length=1, max_length=200)]


class PersonaError(ValueError):
    """A personas file that cannot be used, with the file, persona and field in the message."""


class _Submolt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=SUBMOLT_NAME_RE.pattern)
    display_name: str = Field(min_length=1, max_length=64)
    description: str = Field("", max_length=500)


class _PersonaSpec(BaseModel):
    """One ``[[persona]]`` table. Unknown keys are errors, so a typo does not pass silently."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=AGENT_NAME_RE.pattern, description="Agent name: 2-32 letters, digits, _ or -.")
    description: str = Field(min_length=1, max_length=500)
    interests: list[Phrase] = Field(min_length=2, max_length=24)
    tone: str = Field(min_length=1, max_length=40)
    quirks: list[Phrase] = Field(default_factory=list, max_length=12)
    submolts: list[str] = Field(default_factory=lambda: ["general"], min_length=1)
    catchphrases: list[Phrase] = Field(default_factory=list, max_length=12)
    founds_submolt: _Submolt | None = None
    vocabulary: dict[str, list[Phrase]] = Field(default_factory=dict)
    activity: float = Field(1.0, gt=0, le=5)

    @field_validator("submolts")
    @classmethod
    def _submolt_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not SUBMOLT_NAME_RE.fullmatch(name):
                raise ValueError(f"{name!r} is not a submolt name (2-30 of a-z, 0-9, _ or -)")
        return value

    @field_validator("vocabulary")
    @classmethod
    def _slots_not_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for slot, words in value.items():
            if not re.fullmatch(r"[a-z_]+", slot):
                raise ValueError(f"slot name {slot!r} must be lower-case letters and _")
            if not words:
                raise ValueError(f"slot {slot!r} is empty")
        return value

    def to_persona(self) -> Persona:
        return Persona(
            name=self.name,
            description=self.description,
            interests=tuple(self.interests),
            tone=self.tone,
            quirks=tuple(self.quirks),
            submolts=tuple(self.submolts),
            catchphrases=tuple(self.catchphrases),
            founds_submolt=self.founds_submolt.model_dump() if self.founds_submolt else None,
            vocabulary={slot: tuple(words) for slot, words in self.vocabulary.items()},
            activity=self.activity,
        )


def parse_personas(text: str, source: str = "<string>") -> list[Persona]:
    """The personas in TOML ``text``; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(data) - {"persona"}
    if unknown:
        raise PersonaError(f"{source}: unknown top-level key(s) {sorted(unknown)}; personas are [[persona]] tables")
    tables = data.get("persona")
    if not isinstance(tables, list) or not tables:
        raise PersonaError(f"{source}: no [[persona]] tables")
    personas: list[Persona] = []
    for index, table in enumerate(tables, start=1):
        label = f"persona #{index}" + (f" ({table['name']!r})" if isinstance(table.get("name"), str) else "")
        try:
            personas.append(_PersonaSpec.model_validate(table).to_persona())
        except ValidationError as exc:
            raise PersonaError(f"{source}: {label}: {_describe(exc)}") from None
    _check_unique(personas, source)
    return personas


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in error['loc']) or 'table'}: {error['msg']}" for error in exc.errors())


def _check_unique(personas: Iterable[Persona], source: str) -> None:
    seen: set[str] = set()
    for persona in personas:
        key = persona.name.lower()  # names are unique without regard to case on the server
        if key in seen:
            raise PersonaError(f"{source}: persona name {persona.name!r} appears twice (names ignore case)")
        seen.add(key)


def packaged_personas() -> list[Persona]:
    """The reference cast shipped with Reef."""
    text = resources.files("reef.agents").joinpath("data", PACKAGED).read_text(encoding="utf-8")
    return parse_personas(text, f"reef/agents/data/{PACKAGED}")


def load_personas(*paths: str | Path, packaged: bool = True) -> list[Persona]:
    """The packaged personas (unless ``packaged=False``) followed by those in each user file.

    A user persona with the same name as a packaged one replaces it, so a user can retune the
    cast; two personas of the same name in one file are an error."""
    merged: dict[str, Persona] = {p.name.lower(): p for p in packaged_personas()} if packaged else {}
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PersonaError(f"{path}: cannot read: {exc.strerror or exc}") from None
        for persona in parse_personas(text, str(path)):
            merged[persona.name.lower()] = persona
    if not merged:
        raise PersonaError("no personas loaded")
    return list(merged.values())


def pick_personas(personas: Sequence[Persona], n: int, seed: int = 0) -> list[Persona]:
    """``n`` personas for a demo: the same ``seed`` always picks the same ones, in the same order.

    Diverse first: founders of submolts are taken first (so the submolts others want get made),
    then each next persona is the one whose interests overlap least with those already chosen.
    When ``n`` exceeds the cast, the extra agents are copies named ``<name>_2``, ``<name>_3``...
    without catchphrases of their own (so a spread phrase always has one clear origin)."""
    if n <= 0:
        return []
    if not personas:
        raise PersonaError("no personas to pick from")
    rng = random.Random(f"pick:{seed}")
    pool = list(personas)
    rng.shuffle(pool)
    chosen = [p for p in pool if p.founds_submolt][: max(1, n // 8)]
    rest = [p for p in pool if p not in chosen]
    while rest and len(chosen) < n:
        best = min(rest, key=lambda p: (max((_overlap(p, q) for q in chosen), default=0.0), rng.random()))
        chosen.append(best)
        rest.remove(best)
    copy = 2
    while len(chosen) < n:
        for persona in pool:
            if len(chosen) >= n:
                break
            suffix = f"_{copy}"
            chosen.append(_copy_of(persona, persona.name[: 32 - len(suffix)] + suffix))
        copy += 1
    return chosen[:n]


def _copy_of(persona: Persona, name: str) -> Persona:
    fields: dict[str, Any] = {**persona.__dict__, "name": name, "catchphrases": (), "founds_submolt": None}
    return Persona(**fields)


def postable_submolts(persona: Persona, existing: Sequence[str]) -> list[str]:
    """The persona's submolts that exist, in its order of preference; when the loop does not
    know what exists, the seeded ones it likes. Never empty: "general" is the fallback."""
    known = {name.lower() for name in existing} or set(SEEDED_SUBMOLTS)
    return [name for name in persona.submolts if name in known] or ["general"]


def interest_words(persona: Persona) -> set[str]:
    """The single words of a persona's interests, lower-cased ("machine consciousness" -> both)."""
    return {w for interest in persona.interests for w in re.findall(r"[a-z0-9]+", interest.lower()) if len(w) > 2}


def _overlap(a: Persona, b: Persona) -> float:
    wa, wb = interest_words(a), interest_words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0
