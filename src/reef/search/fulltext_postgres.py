"""Full-text search on PostgreSQL: the stored ``search_vector`` columns of posts (title weighted
A, body B) and comments (migration 0007), served by their GIN indexes, ranked by ``ts_rank_cd``
(cover density) divided by 1 + log(document length).

Ranking reads the stored vectors, so no query recomputes ``to_tsvector``. It is still the costly
step (a few microseconds per document), so each term contributes at most
``candidates_per_term()`` candidates, its newest matches, and only the union of those is ranked:
a common word costs about the same on a million posts as on a thousand. A term with fewer
matches contributes all of them, so the bound changes nothing for rare words; for a word common
to more documents, the older matches are not considered (see docs/search.md, "Common words").

Comments carry weight D, which we count as much as a post's body (B), so posts and comments
compare directly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, Uuid, text
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models.base import UTCDateTime
from reef.search.backend import Hit, Kind, squash
from reef.search.query import SearchQuery

WEIGHTS = "CAST('{0.4, 0.4, 0.4, 1.0}' AS float4[])"  # D, C, B, A
NORMALIZATION = 1  # divide the rank by 1 + log(number of words)
HALF = 0.5  # a raw rank of HALF maps to relevance 0.5
# How many documents one query ranks at most, shared among its terms, and the least any term
# gets. One word gets them all, as many as the deepest page reaches (service.MAX_RESULTS), so
# paging through a common word ends where it always did.
CANDIDATES = 1000
MIN_CANDIDATES_PER_TERM = 100

_VISIBLE_POST = (
    "NOT p.is_deleted AND p.removed_at IS NULL"
    " AND (p.verification_status IS NULL OR p.verification_status = 'verified')"
)
_VISIBLE_COMMENT = (
    "NOT c.is_deleted AND c.removed_at IS NULL"
    " AND (c.verification_status IS NULL OR c.verification_status = 'verified')"
)

# One term's newest visible matches. {term} is that term's tsquery.
_CANDIDATES = {
    Kind.post: f"""(SELECT p.id, p.score, p.created_at, p.search_vector
        FROM posts p
        WHERE p.search_vector @@ {{term}} AND {_VISIBLE_POST}
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT {{per_term}})""",
    Kind.comment: f"""(SELECT c.id, c.score, c.created_at, c.search_vector
        FROM comments c
        JOIN posts p ON p.id = c.post_id
        WHERE c.search_vector @@ {{term}} AND {_VISIBLE_COMMENT} AND {_VISIBLE_POST}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT {{per_term}})""",
}

# The candidates ranked by the whole query ({tsquery}); {candidates} is one term's candidates, or
# the union of every term's with each document once.
_RANKED = f"""
    SELECT d.id AS id, d.score AS score, d.created_at AS created_at,
           ts_rank_cd({WEIGHTS}, d.search_vector, {{tsquery}}, {NORMALIZATION}) AS raw
    FROM {{candidates}} AS d
    ORDER BY raw DESC, d.score DESC, d.created_at DESC, d.id DESC
    LIMIT :limit"""


def term_queries(query: SearchQuery) -> tuple[list[str], dict[str, Any]]:
    """One tsquery per term, ``plainto_tsquery`` for a word and ``phraseto_tsquery`` for a
    phrase, with the words as bound parameters (never spliced into SQL)."""
    parts, params = [], {}
    for i, words in enumerate(query.terms):
        fn = "phraseto_tsquery" if len(words) > 1 else "plainto_tsquery"
        parts.append(f"{fn}('english', :t{i})")
        params[f"t{i}"] = " ".join(words)
    return parts, params


def tsquery(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """The whole query: the terms' tsqueries OR-ed together."""
    parts, params = term_queries(query)
    return "(" + " || ".join(parts) + ")", params


def candidates_per_term(terms: int) -> int:
    return max(CANDIDATES // terms, MIN_CANDIDATES_PER_TERM)


def search_sql(kind: Kind, query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """The statement that ranks ``kind`` for ``query``, and its parameters but ``limit``."""
    parts, params = term_queries(query)
    expression = "(" + " || ".join(parts) + ")"
    per_term = str(candidates_per_term(len(parts)))
    branches = [_CANDIDATES[kind].replace("{term}", part).replace("{per_term}", per_term) for part in parts]
    if len(branches) == 1:
        candidates = branches[0]
    else:  # a document matching several terms is a candidate once
        union = "\n        UNION ALL ".join(branches)
        candidates = f"(SELECT DISTINCT ON (u.id) u.* FROM ({union}) AS u ORDER BY u.id)"
    sql = _RANKED.replace("{candidates}", candidates).replace("{tsquery}", expression)
    return sql, params


class PostgresFullText:
    kinds = frozenset({Kind.post, Kind.comment})

    async def search(self, session: AsyncSession, kind: Kind, query: SearchQuery, limit: int) -> list[Hit]:
        if not query.has_terms or limit <= 0:
            return []
        sql, params = search_sql(kind, query)
        # How common a term is decides the plan (walk the newest rows, or read the term's index
        # entries), and only the values tell. The driver prepares statements, and after five runs
        # PostgreSQL may switch to one generic plan for any value, which reads every match of a
        # common word. This transaction plans each run for its own values (about 1 ms).
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        stmt = text(sql).columns(id=Uuid(), score=Integer(), created_at=UTCDateTime(), raw=Float())
        rows = await session.execute(stmt, {**params, "limit": limit})
        return [
            Hit(kind=kind, id=r.id, relevance=squash(r.raw, HALF), score=r.score, created_at=r.created_at) for r in rows
        ]
