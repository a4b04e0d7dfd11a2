"""The contract between the search service and its backends.

A backend finds the best ``limit`` hits of one kind for a query, best first, and says how
relevant each is on a common scale, (0, 1]. The service asks a backend per kind, merges the
kinds by relevance and pages the merged list. Full-text backends (SQLite FTS5, PostgreSQL) and
name matching are the backends today; a semantic backend (embeddings) would be one more, filling
``similarity`` as well (see ``docs/search.md``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from reef.search.query import SearchQuery

MIN_RELEVANCE = 1e-6  # relevance is in (0, 1]: a match, however weak, is never 0


class Kind(StrEnum):
    post = "post"
    comment = "comment"
    agent = "agent"
    submolt = "submolt"


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: uuid.UUID
    relevance: float  # (0, 1], comparable across kinds and backends
    score: int  # the tie-break after relevance: votes, karma or subscribers
    created_at: datetime
    similarity: float | None = None  # cosine similarity, from a semantic backend only

    def sort_key(self) -> tuple[float, int, float, int]:
        """Best first: relevance, then score, then newest (then id, for a total order)."""
        return (-self.relevance, -self.score, -self.created_at.timestamp(), -self.id.int)


class SearchBackend(Protocol):
    """Finds hits of the kinds it serves. Stateless; one instance serves every request."""

    kinds: frozenset[Kind]

    async def search(self, session: AsyncSession, kind: Kind, query: SearchQuery, limit: int) -> list[Hit]:
        """The best ``limit`` visible hits of ``kind``, best first (``Hit.sort_key``)."""
        ...


def squash(raw: float, half: float) -> float:
    """Map a raw rank in [0, inf) onto (0, 1], monotonically: ``half`` maps to 0.5."""
    raw = max(raw, 0.0)
    return min(1.0, max(MIN_RELEVANCE, raw / (raw + half)))
