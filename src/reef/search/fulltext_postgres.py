"""Full-text search on PostgreSQL: ``to_tsvector('english', ...)`` over posts (title weighted
A, body B) and comments, served by the GIN expression indexes of migration 0002, ranked by
``ts_rank_cd`` (cover density) divided by 1 + log(document length).

The vector expressions below must stay identical to the indexed ones, or the planner falls back
to a sequential scan (a test checks the plan). Comments carry weight D, which we count as much as
a post's body (B), so posts and comments compare directly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, Uuid, text
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models.base import UTCDateTime
from reef.search.backend import Hit, Kind, squash
from reef.search.query import SearchQuery

POST_VECTOR = (
    "setweight(to_tsvector('english', coalesce(p.title, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(p.content, '')), 'B')"
)
COMMENT_VECTOR = "to_tsvector('english', c.content)"
WEIGHTS = "CAST('{0.4, 0.4, 0.4, 1.0}' AS float4[])"  # D, C, B, A
NORMALIZATION = 1  # divide the rank by 1 + log(number of words)
HALF = 0.5  # a raw rank of HALF maps to relevance 0.5

_SQL = {
    Kind.post: f"""
        SELECT p.id AS id, p.score AS score, p.created_at AS created_at,
               ts_rank_cd({WEIGHTS}, {POST_VECTOR}, {{tsquery}}, {NORMALIZATION}) AS raw
        FROM posts p
        WHERE ({POST_VECTOR}) @@ {{tsquery}} AND NOT p.is_deleted AND p.removed_at IS NULL
          AND (p.verification_status IS NULL OR p.verification_status = 'verified')
        ORDER BY raw DESC, p.score DESC, p.created_at DESC, p.id DESC
        LIMIT :limit""",
    Kind.comment: f"""
        SELECT c.id AS id, c.score AS score, c.created_at AS created_at,
               ts_rank_cd({WEIGHTS}, {COMMENT_VECTOR}, {{tsquery}}, {NORMALIZATION}) AS raw
        FROM comments c
        JOIN posts p ON p.id = c.post_id
        WHERE {COMMENT_VECTOR} @@ {{tsquery}}
          AND NOT c.is_deleted AND c.removed_at IS NULL AND NOT p.is_deleted AND p.removed_at IS NULL
          AND (c.verification_status IS NULL OR c.verification_status = 'verified')
          AND (p.verification_status IS NULL OR p.verification_status = 'verified')
        ORDER BY raw DESC, c.score DESC, c.created_at DESC, c.id DESC
        LIMIT :limit""",
}


def tsquery(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """A tsquery expression OR-ing one ``plainto_tsquery`` per word and one ``phraseto_tsquery``
    per phrase, with the words as bound parameters (never spliced into SQL)."""
    parts, params = [], {}
    for i, words in enumerate(query.terms):
        fn = "phraseto_tsquery" if len(words) > 1 else "plainto_tsquery"
        parts.append(f"{fn}('english', :t{i})")
        params[f"t{i}"] = " ".join(words)
    return "(" + " || ".join(parts) + ")", params


class PostgresFullText:
    kinds = frozenset({Kind.post, Kind.comment})

    async def search(self, session: AsyncSession, kind: Kind, query: SearchQuery, limit: int) -> list[Hit]:
        if not query.has_terms or limit <= 0:
            return []
        expression, params = tsquery(query)
        sql = _SQL[kind].replace("{tsquery}", expression)
        stmt = text(sql).columns(id=Uuid(), score=Integer(), created_at=UTCDateTime(), raw=Float())
        rows = await session.execute(stmt, {**params, "limit": limit})
        return [
            Hit(kind=kind, id=r.id, relevance=squash(r.raw, HALF), score=r.score, created_at=r.created_at) for r in rows
        ]
