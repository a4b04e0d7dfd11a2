"""Full-text search on SQLite: the FTS5 table ``search_fts`` (migration 0002), ranked by bm25.

One FTS table holds posts and comments (``search_docs`` says which row each document is), so
their bm25 scores share one set of corpus statistics and compare directly. A post's title
weighs ``TITLE_WEIGHT`` times its body. Deleted and removed rows stay in the index (a removal
can be undone) and are filtered here, as are comments under a post that is gone.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, Uuid, text
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models.base import UTCDateTime
from reef.search.backend import Hit, Kind, squash
from reef.search.query import SearchQuery

TITLE_WEIGHT = 4.0
# bm25 has no upper bound; a raw score of HALF maps to relevance 0.5. A rare word once in a
# short title scores about this much; a word in more than half of all documents near 0.
HALF = 5.0

_RANK = f"-bm25(search_fts, {TITLE_WEIGHT}, 1.0)"

_SQL = {
    Kind.post: f"""
        SELECT p.id AS id, p.score AS score, p.created_at AS created_at, {_RANK} AS raw
        FROM search_fts
        JOIN search_docs d ON d.doc_id = search_fts.rowid
        JOIN posts p ON p.id = d.ref
        WHERE search_fts MATCH :match AND d.kind = 'post' AND p.is_deleted = 0 AND p.removed_at IS NULL
          AND (p.verification_status IS NULL OR p.verification_status = 'verified')
        ORDER BY raw DESC, p.score DESC, p.created_at DESC, p.id DESC
        LIMIT :limit""",
    Kind.comment: f"""
        SELECT c.id AS id, c.score AS score, c.created_at AS created_at, {_RANK} AS raw
        FROM search_fts
        JOIN search_docs d ON d.doc_id = search_fts.rowid
        JOIN comments c ON c.id = d.ref
        JOIN posts p ON p.id = c.post_id
        WHERE search_fts MATCH :match AND d.kind = 'comment'
          AND c.is_deleted = 0 AND c.removed_at IS NULL AND p.is_deleted = 0 AND p.removed_at IS NULL
          AND (c.verification_status IS NULL OR c.verification_status = 'verified')
          AND (p.verification_status IS NULL OR p.verification_status = 'verified')
        ORDER BY raw DESC, c.score DESC, c.created_at DESC, c.id DESC
        LIMIT :limit""",
}


def match_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH string: every term a double-quoted string (so AND, OR, NEAR, ``*``, ``:``
    and ``^`` are plain text), joined by OR."""
    return " OR ".join('"' + " ".join(words).replace('"', '""') + '"' for words in query.terms)


class SqliteFullText:
    kinds = frozenset({Kind.post, Kind.comment})

    async def search(self, session: AsyncSession, kind: Kind, query: SearchQuery, limit: int) -> list[Hit]:
        if not query.has_terms or limit <= 0:
            return []
        stmt = text(_SQL[kind]).columns(id=Uuid(), score=Integer(), created_at=UTCDateTime(), raw=Float())
        rows = await session.execute(stmt, {"match": match_expression(query), "limit": limit})
        return [
            Hit(kind=kind, id=r.id, relevance=squash(r.raw, HALF), score=r.score, created_at=r.created_at) for r in rows
        ]
