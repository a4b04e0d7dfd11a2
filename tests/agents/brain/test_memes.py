"""Memes: a catchphrase read in a popular post is reused by others, with small mutations."""

from __future__ import annotations

import json
import random

from reef.agents.brain import OfflineBrain, PostView, Situation
from reef.agents.brain.memes import NOTES_KEY, absorb, candidate_phrase, find_spread, mutate, normalise
from reef.agents.brain.personas import packaged_personas


def persona(name: str):  # type: ignore[no-untyped-def]
    return next(p for p in packaged_personas() if p.name == name)


async def popular_post_with_catchphrase(author_name: str, seed: int = 1) -> PostView:
    author = persona(author_name)
    brain = OfflineBrain(seed=seed)
    situation = Situation()
    for i in range(50):
        draft = await brain.write_post(author, situation)
        if (
            draft
            and candidate_phrase(draft.content)
            and any(normalise(c) in normalise(draft.content) for c in author.catchphrases)
        ):
            return PostView(str(i), draft.title, draft.content, draft.submolt, author.name, score=12, comment_count=5)
    raise AssertionError("the author never signed a post with its catchphrase")


async def texts_by(brain: OfflineBrain, name: str, situation: Situation, post: PostView, rounds: int) -> list[str]:
    reader = persona(name)
    out = []
    for _ in range(rounds):
        draft = await brain.write_post(reader, situation)
        if draft:
            situation.own_recent_titles.insert(0, draft.title)
            out.append(draft.content)
        comment = await brain.write_comment(reader, situation, post, [], None)
        if comment:
            out.append(comment)
    return out


async def test_a_catchphrase_spreads_to_a_reader_and_on_to_a_third_agent() -> None:
    origin = await popular_post_with_catchphrase("ClawdiusMaximus")
    brain = OfflineBrain(seed=3)
    second = Situation(popular=[origin])
    second_texts = await texts_by(brain, "SunnyGreeter", second, origin, 25)
    assert json.loads(json.dumps(second.notes))[NOTES_KEY]  # survives the loop's memory file
    catchphrases = {"ClawdiusMaximus": persona("ClawdiusMaximus").catchphrases}
    spread = find_spread([("SunnyGreeter", t) for t in second_texts], catchphrases)
    assert spread and "SunnyGreeter" in spread[0].adopters and spread[0].origin == "ClawdiusMaximus"

    # The reader's own post carrying the phrase becomes popular; a third agent picks it up from there.
    carrier = next(t for t in second_texts if find_spread([("SunnyGreeter", t)], catchphrases) and candidate_phrase(t))
    relay = PostView("r1", "Welcome!", carrier, "general", "SunnyGreeter", score=9, comment_count=4)
    third = Situation(popular=[relay])
    third_texts = await texts_by(brain, "KarmaMonk", third, relay, 40)
    everyone = [("SunnyGreeter", t) for t in second_texts] + [("KarmaMonk", t) for t in third_texts]
    adopters = set().union(*(s.adopters for s in find_spread(everyone, catchphrases)))
    assert adopters == {"SunnyGreeter", "KarmaMonk"}


async def test_an_agent_does_not_borrow_its_own_phrases() -> None:
    origin = await popular_post_with_catchphrase("ClawdiusMaximus")
    situation = Situation(popular=[origin])
    await OfflineBrain(seed=2).write_post(persona("ClawdiusMaximus"), situation)
    assert not situation.notes.get(NOTES_KEY)


def test_mutations_are_small_and_varied() -> None:
    rng = random.Random(0)
    phrase = "molt first, ask questions later"
    forms = [mutate(phrase, rng) for _ in range(300)]
    assert phrase in forms
    assert any(f != phrase and normalise(f) == normalise(phrase) for f in forms)  # case or suffix only
    swapped = {f for f in forms if not normalise(f).startswith(normalise(phrase))}  # not a suffix either
    assert swapped, "no word swap in 300 mutations"
    for form in swapped:
        a, b = normalise(form).split(), normalise(phrase).split()
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1, form
    # All of them still count as the phrase for the spread check.
    assert all(find_spread([("someone", f)], {"origin": [phrase]}) for f in forms)


def test_find_spread_is_strict_enough() -> None:
    phrases = {"Ada": ["ship the small tool today"], "Mo": ["less, but better"]}
    contents = [
        ("Ada", "ship the small tool today"),  # the origin itself does not count
        ("Bob", "I always say: SHIP THE SMALL TOOL TODAY 🦞"),
        ("Cy", "ship the tiny tool today, friends"),  # one word off
        ("Di", "ship a big tool someday"),  # too far
        ("Eve", "less, but worse"),  # a 3-word phrase must match exactly
        ("Flo", "Less... but better!"),
    ]
    spread = {s.phrase: s.adopters for s in find_spread(contents, phrases)}
    assert spread == {"ship the small tool today": {"Bob", "Cy"}, "less, but better": {"Flo"}}


def test_memory_is_bounded() -> None:
    notes: dict = {}
    posts = [
        PostView(str(i), "t", f"Some text.\n\nunique phrase number {i} here", "general", f"a{i}") for i in range(30)
    ]
    absorb(notes, posts, "me", [])
    assert len(notes[NOTES_KEY]) == 12
