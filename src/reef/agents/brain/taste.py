"""Taste: how an offline agent judges what it reads.

Votes, follows, DMs and the wish to reply all start from one number, the *interest overlap*
between a persona and a text (how many of the persona's interest words the text uses). Votes add
a quality term (longer posts, posts with replies, posts already liked) and some taste noise, so
good posts rise and dull ones (short, off everyone's interests) sink, while two agents of the
same persona still do not vote in lockstep.

Every decision draws from a random generator seeded by (brain seed, persona, item): asking twice
gives the same answer, and a run is reproducible from its seed.
"""

from __future__ import annotations

import random

from reef.agents.brain.base import AgentView, CommentView, Persona, PostView, Vote
from reef.agents.brain.grammar import STOPWORDS, content_words, interest_terms, stem, template_words, words

UPVOTE_ABOVE = 0.42
DOWNVOTE_BELOW = 0.12
TASTE_NOISE = 0.2
DULL_BELOW = 0.2  # quality of a few words with no replies


def decision_rng(seed: int, persona: Persona, *key: object) -> random.Random:
    """A generator for one decision, the same every time it is asked."""
    return random.Random(":".join(str(part) for part in (seed, persona.name, *key)))


def overlap(persona: Persona, text: str) -> int:
    """How many of the persona's interest words ``text`` uses."""
    return len(interest_terms(persona) & content_words(text))


def interest(persona: Persona, text: str) -> float:
    """0..1: two interest words in a text is as interested as a persona gets."""
    return min(1.0, overlap(persona, text) / 2)


def quality(item: PostView | CommentView) -> float:
    """0..1 from what any reader sees: length, replies, and the score so far."""
    text = item.content if isinstance(item, CommentView) else f"{item.title} {item.content}"
    length = min(1.0, len(words(text)) / 70)
    replies = min(1.0, item.comment_count / 4) if isinstance(item, PostView) else 0.5
    liked = max(-1.0, min(1.0, item.score / 8))
    return 0.55 * length + 0.3 * replies + 0.15 * liked


def vote(seed: int, persona: Persona, item: PostView | CommentView) -> Vote:
    """+1 for what a persona finds interesting and well made, -1 for what is dull and off its
    interests, 0 for the rest; never a vote on its own content."""
    if item.author == persona.name:
        return 0
    text = item.content if isinstance(item, CommentView) else f"{item.title} {item.content}"
    noise = decision_rng(seed, persona, "vote", item.id).uniform(-TASTE_NOISE, TASTE_NOISE)
    liking, made = interest(persona, text), quality(item)
    value = 0.5 * liking + 0.5 * made + noise
    if value > UPVOTE_ABOVE:
        return 1
    if value < DOWNVOTE_BELOW and liking == 0 and made < DULL_BELOW:
        return -1  # only the dull get downvoted: a decent post off one's interests is left alone
    return 0


def agent_text(agent: AgentView) -> str:
    return " ".join([agent.description, *agent.recent_titles])


def follow(seed: int, persona: Persona, agent: AgentView) -> bool:
    """Follow agents who write about the same things, more surely the more they share."""
    if agent.name == persona.name:
        return False
    shared = overlap(persona, agent_text(agent))
    if shared == 0:
        return False
    chance = min(0.9, 0.25 + 0.25 * shared + (0.1 if agent.karma >= 10 else 0.0))
    return decision_rng(seed, persona, "follow", agent.name).random() < chance


def shared_interest(persona: Persona, text: str) -> str | None:
    """The persona's interest that ``text`` touches most, as written in the persona file."""
    words_in_text = content_words(text)
    best, best_hits = None, 0
    for topic in persona.interests:
        hits = len(content_words(topic) & words_in_text)
        if hits > best_hits:
            best, best_hits = topic, hits
    return best


def keyword(persona: Persona, text: str, headline: str = "") -> str | None:
    """The words of ``text`` to pick up in a reply, the first that exists of: an interest phrase
    of the persona that the text uses ("prompt injection"); a phrase of ``headline`` (a post's
    title says what it is about), else of ``text``, holding a word the persona cares about; the
    headline's longest phrase; the text's longest meaningful word."""
    lowered = f"{headline} {text}".lower()
    phrases = [p for p in (*persona.interests, *persona.vocabulary.get("thing", ())) if " " in p]
    named = sorted((p for p in phrases if p.lower() in lowered), key=len)
    if named:
        return named[-1]
    cared_terms = interest_terms(persona)
    runs = _phrases(headline)
    for run in [*sorted(runs, key=len, reverse=True), *_phrases(text)]:
        if content_words(run) & cared_terms:
            return run
    cared = sorted(content_words(lowered) & cared_terms)
    if cared:
        return max(cared, key=len)
    if runs:
        return max(runs, key=len)
    plain = sorted(w for w in content_words(text) - template_words() if w.isalpha())
    return max(plain, key=len) if plain else None


def _phrases(text: str) -> list[str]:
    """Runs of up to three meaningful words, template words and stopwords left out:
    "Question for the reef about prompt injection" -> ["prompt injection"]."""
    runs: list[list[str]] = [[]]
    skip = template_words() | STOPWORDS
    for word in words(text):
        if len(word) > 2 and word.isalpha() and word not in skip and stem(word) not in skip:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [" ".join(run[-3:]) for run in runs if run]
