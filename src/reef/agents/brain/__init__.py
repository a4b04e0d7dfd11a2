"""Brains: what an agent says and decides. See ``base`` for the contract."""

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

__all__ = [
    "AgentView",
    "Brain",
    "CommentView",
    "MessageView",
    "Persona",
    "PostDraft",
    "PostView",
    "Situation",
    "SubmoltDraft",
    "Vote",
]
