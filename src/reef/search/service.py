"""The rules of search: validate the query, ask each backend for its kinds, merge by relevance,
page the merged list.

Paging is by offset (carried in an opaque cursor): relevance is not a stored column, so there is
no keyset to resume from. To serve page N of a merged list the service asks each kind for its
best ``offset + limit + 1`` hits, which stays cheap because search pages stop at
``MAX_RESULTS`` results. A document indexed between two page requests may shift later pages by
one; that is the usual trade for relevance-ordered search.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reef.config import Settings
from reef.errors import bad_request
from reef.kit.pagination import decode_cursor, encode_cursor, invalid_cursor
from reef.kit.sql import dialect_name
from reef.search import presenters, query
from reef.search.backend import Hit, Kind, SearchBackend
from reef.search.fulltext_postgres import PostgresFullText
from reef.search.fulltext_sqlite import SqliteFullText
from reef.search.names import NameMatch
from reef.search.schemas import SearchResult, SearchType

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_RESULTS = 1000  # how deep paging goes

KINDS: dict[SearchType, tuple[Kind, ...]] = {
    SearchType.posts: (Kind.post,),
    SearchType.comments: (Kind.comment,),
    SearchType.agents: (Kind.agent,),
    SearchType.submolts: (Kind.submolt,),
    SearchType.all: (Kind.post, Kind.comment, Kind.agent, Kind.submolt),
}

_FULL_TEXT: dict[str, SearchBackend] = {"sqlite": SqliteFullText(), "postgresql": PostgresFullText()}
_NAMES = NameMatch()


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[SearchResult]
    has_more: bool
    next_cursor: str | None


def backends(dialect: str) -> dict[Kind, SearchBackend]:
    """Which backend answers for each kind on this database. A semantic backend would be
    registered here for posts and comments (see docs/search.md)."""
    chosen: list[SearchBackend] = [_FULL_TEXT[dialect], _NAMES]
    return {kind: backend for backend in chosen for kind in backend.kinds}


def validated_query(raw: str) -> query.SearchQuery:
    text = query.clean_query(raw)
    if not text:
        raise bad_request("q must not be empty", "Send what to look for, e.g. ?q=memory+tools", field="q")
    if len(text) > query.MAX_QUERY_CHARS:
        raise bad_request(
            f"q is too long ({len(text)} characters)",
            f"Send at most {query.MAX_QUERY_CHARS} characters.",
            field="q",
        )
    return query.parse(text)


def start_offset(cursor: str | None, offset: int | None) -> int:
    if cursor:
        values, _ = decode_cursor(cursor, 1)
        start = values[0]
        if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start < MAX_RESULTS:
            raise invalid_cursor()
        return start
    start = offset or 0
    if start >= MAX_RESULTS:
        raise bad_request(
            f"offset must be below {MAX_RESULTS}",
            f"Search pages stop after {MAX_RESULTS} results; refine the query instead.",
            field="offset",
        )
    return start


async def search(
    session: AsyncSession,
    settings: Settings,
    raw_query: str,
    type_: SearchType,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    offset: int | None = None,
) -> SearchPage:
    parsed = validated_query(raw_query)
    start = start_offset(cursor, offset)
    window = min(start + limit, MAX_RESULTS) + 1  # one more than the page, to tell if more exist
    by_kind = backends(dialect_name(session))
    hits: list[Hit] = []
    for kind in KINDS[type_]:
        hits.extend(await by_kind[kind].search(session, kind, parsed, window))
    hits.sort(key=Hit.sort_key)
    end = min(start + limit, MAX_RESULTS)
    page = hits[start:end]
    has_more = len(hits) > end and end < MAX_RESULTS
    return SearchPage(
        query=parsed.text,
        results=await presenters.results(session, settings, page),
        has_more=has_more,
        next_cursor=encode_cursor([end]) if has_more else None,
    )
