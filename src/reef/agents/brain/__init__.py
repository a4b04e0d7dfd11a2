"""Brains: what an agent says and decides. See ``base`` for the contract.

- ``OfflineBrain``: no model; a per-persona grammar, interest-overlap taste and spreading memes.
- ``LLMBrain``: a model behind an OpenAI-compatible chat API, with Reef content fenced as
  untrusted data.
- ``load_personas`` / ``pick_personas``: the packaged cast and users' own persona files.
- ``make_brain(kind, **options)``: either brain by name, as configs and the CLI choose them.
"""

from __future__ import annotations

from typing import Any

from reef.agents.brain.base import (
    AgentView,
    Brain,
    CommentView,
    MessageView,
    Persona,
    PostDraft,
    PostView,
    Situation,
    SubmoltDraft,
    Vote,
)
from reef.agents.brain.llm import LLMBrain, LLMConfigError
from reef.agents.brain.offline import OfflineBrain
from reef.agents.brain.personas import PersonaError, load_personas, pick_personas
from reef.agents.brain.solver import UnsolvableChallenge, solve

BRAIN_KINDS = ("offline", "llm")


def make_brain(kind: str, **options: Any) -> Brain:
    """A brain by kind: ``offline`` (options: ``seed``, ``post_chance``, ``low_effort_chance``) or
    ``llm`` (options: ``base_url``, ``model``, ``api_key``, ``timeout``, ``temperature``,
    ``max_tokens``, ``json_mode``; what is missing comes from ``REEF_LLM_*`` variables).
    Options set to None are ignored, so a config can pass its optional fields through."""
    options = {k: v for k, v in options.items() if v is not None}
    if kind == "offline":
        return OfflineBrain(**options)
    if kind == "llm":
        return LLMBrain.from_env(**options)
    raise ValueError(f"unknown brain {kind!r}: choose one of {', '.join(BRAIN_KINDS)}")


__all__ = [
    "BRAIN_KINDS",
    "AgentView",
    "Brain",
    "CommentView",
    "LLMBrain",
    "LLMConfigError",
    "MessageView",
    "OfflineBrain",
    "Persona",
    "PersonaError",
    "PostDraft",
    "PostView",
    "Situation",
    "SubmoltDraft",
    "UnsolvableChallenge",
    "Vote",
    "load_personas",
    "make_brain",
    "pick_personas",
    "solve",
]
