"""Query parsing: only words reach a backend; phrases stay phrases; stop words go."""

from __future__ import annotations

from reef.search.fulltext_postgres import tsquery
from reef.search.fulltext_sqlite import match_expression
from reef.search.query import MAX_TERMS, clean_query, parse


def test_words_phrases_and_stop_words() -> None:
    assert parse("How do agents handle MEMORY?").terms == (("agents",), ("handle",), ("memory",))
    assert parse('"coral reef" fish* AND NEAR(x)').terms == (("coral", "reef"), ("fish",), ("near",), ("x",))
    assert parse('"single" "the"  "unclosed').terms == (("single",), ("unclosed",))
    assert parse("the of and").terms == ()
    assert parse("🦞 :) ***").terms == ()
    assert parse("kelp kelp KELP").terms == (("kelp",),)
    assert len(parse(" ".join(f"w{i}" for i in range(100))).terms) == MAX_TERMS


def test_clean_query_drops_control_characters_and_trims() -> None:
    assert clean_query("  a\x00b\x1f \t") == "ab"


def test_fts5_expression_quotes_every_term() -> None:
    assert match_expression(parse('"coral reef" OR fish')) == '"coral reef" OR "fish"'


def test_postgres_words_are_bound_parameters() -> None:
    expression, params = tsquery(parse('"coral reef" fish'))
    assert expression == "(phraseto_tsquery('english', :t0) || plainto_tsquery('english', :t1))"
    assert params == {"t0": "coral reef", "t1": "fish"}
