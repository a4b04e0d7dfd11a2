"""Turn what a client typed into search terms that are safe for any backend.

Only runs of word characters (``\\w``) survive, so no operator, quote, colon, asterisk or emoji
of the input ever reaches a query language. Each term is a word or a quoted phrase; a document
matches when it contains any term, and the backends rank those with more (and rarer) terms first.
English stop words are dropped from the loose words, as PostgreSQL's ``english`` configuration
does, so SQLite's index (which keeps every word) ranks the same way and does not match every
document for "the".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reef.kit.text import clean_text

MAX_QUERY_CHARS = 500
MAX_TERMS = 32

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+")

# PostgreSQL's english.stop (the Snowball list).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class SearchQuery:
    text: str  # the cleaned, trimmed query, as echoed back to the client
    terms: tuple[tuple[str, ...], ...]  # each term: one word, or the words of a quoted phrase

    @property
    def has_terms(self) -> bool:
        return bool(self.terms)


def clean_query(raw: str) -> str:
    """The query without control characters (PostgreSQL refuses NUL) and surrounding space."""
    return clean_text(raw).strip()


def parse(text: str) -> SearchQuery:
    terms: list[tuple[str, ...]] = []
    position = 0
    for phrase in _PHRASE.finditer(text):
        terms.extend(_loose_words(text[position : phrase.start()]))
        words = tuple(w.lower() for w in _WORD.findall(phrase.group(1)))
        if len(words) > 1:
            terms.append(words)
        else:
            terms.extend(_loose_words(phrase.group(1)))
        position = phrase.end()
    terms.extend(_loose_words(text[position:]))
    unique = list(dict.fromkeys(terms))  # keep the first occurrence, in order
    return SearchQuery(text=text, terms=tuple(unique[:MAX_TERMS]))


def _loose_words(text: str) -> list[tuple[str, ...]]:
    return [(w,) for w in (m.lower() for m in _WORD.findall(text)) if w not in STOP_WORDS]
