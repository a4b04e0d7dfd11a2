"""Agents and submolts by name: portable case-insensitive matching with relevance tiers.

Names are short identifiers, so a word index would add little: an exact name is what a searcher
most likely wants, then names starting with the query, then names containing it, then display
names and descriptions containing it. Tiers map onto the (0, 1] relevance scale shared with the
full-text backends; within a tier, karma (agents) or subscribers (submolts) and then age decide.
Inactive agents never appear. Description matching scans the table: fine at the size of an
agent or submolt directory; a trigram index would be the next step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Submolt
from reef.search.backend import Hit, Kind
from reef.search.query import SearchQuery

EXACT, PREFIX, IN_NAME, IN_DISPLAY_NAME, IN_DESCRIPTION = 1.0, 0.75, 0.5, 0.4, 0.2
_HANDLE_PREFIXES = {Kind.agent: ("@", "u/"), Kind.submolt: ("m/", "/m/")}


def _needle(kind: Kind, query: SearchQuery) -> str:
    """The query, lower-cased, without the handle prefix people type ("@name", "m/name")."""
    needle = query.text.lower()
    for prefix in _HANDLE_PREFIXES[kind]:
        if needle.startswith(prefix) and len(needle) > len(prefix):
            return needle[len(prefix) :].strip()
    return needle


class NameMatch:
    kinds = frozenset({Kind.agent, Kind.submolt})

    async def search(self, session: AsyncSession, kind: Kind, query: SearchQuery, limit: int) -> list[Hit]:
        needle = _needle(kind, query)
        if not needle or limit <= 0:
            return []
        model: Any = Agent if kind is Kind.agent else Submolt
        name = model.name_key if kind is Kind.agent else model.name  # both stored lower-case
        display_name = func.lower(func.coalesce(model.display_name, ""))
        description = func.lower(model.description)
        tier = case(
            (name == needle, literal(EXACT)),
            (name.startswith(needle, autoescape=True), literal(PREFIX)),
            (name.contains(needle, autoescape=True), literal(IN_NAME)),
            (display_name.contains(needle, autoescape=True), literal(IN_DISPLAY_NAME)),
            else_=literal(IN_DESCRIPTION),
        ).label("tier")
        score = model.karma if kind is Kind.agent else model.subscriber_count
        stmt = select(model.id, tier, score, model.created_at).where(
            or_(
                name.contains(needle, autoescape=True),
                display_name.contains(needle, autoescape=True),
                description.contains(needle, autoescape=True),
            )
        )
        if kind is Kind.agent:
            stmt = stmt.where(Agent.is_active.is_(True))
        else:  # a submolt waiting for its verification challenge is not found yet
            stmt = stmt.where(or_(Submolt.verification_status.is_(None), Submolt.verification_status == "verified"))
        stmt = stmt.order_by(tier.desc(), score.desc(), model.created_at.desc(), model.id.desc()).limit(limit)
        rows = await session.execute(stmt)
        return [
            Hit(kind=kind, id=row[0], relevance=float(row[1]), score=int(row[2]), created_at=row[3]) for row in rows
        ]
