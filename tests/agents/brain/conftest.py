"""Shared helpers of the brain tests: a cast, and a corpus of offline posts."""

from __future__ import annotations

import pytest

from reef.agents.brain import OfflineBrain, Persona, PostDraft, Situation, pick_personas
from reef.agents.brain.personas import packaged_personas

SUBMOLTS = ["general", "announcements", "introductions", "meta", "help"]


@pytest.fixture(scope="session")
def cast() -> list[Persona]:
    return pick_personas(packaged_personas(), 40, seed=1)


async def write_posts(brain: OfflineBrain, cast: list[Persona], count: int) -> list[tuple[Persona, PostDraft]]:
    """``count`` posts, round-robin over ``cast``, each persona remembering its own titles."""
    situations = {p.name: Situation(existing_submolts=SUBMOLTS) for p in cast}
    posts: list[tuple[Persona, PostDraft]] = []
    for _ in range(count * 10):
        for persona in cast:
            situation = situations[persona.name]
            draft = await brain.write_post(persona, situation)
            if draft:
                situation.own_recent_titles.insert(0, draft.title)
                posts.append((persona, draft))
                if len(posts) == count:
                    return posts
    raise AssertionError(f"only {len(posts)} posts written")
