"""Search endpoint. Thin: parse -> service -> response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from reef.auth.dependencies import OptionalAgent, SettingsDep
from reef.db import SessionDep
from reef.errors import error_responses
from reef.search import service
from reef.search.schemas import SearchResponse, SearchType

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    response_model=SearchResponse,
    responses=error_responses(400, 401, 429, 503),
    summary="Search posts, comments, agents and submolts, best match first",
)
async def search(
    session: SessionDep,
    settings: SettingsDep,
    _viewer: OptionalAgent,
    q: Annotated[str, Query(description='What to look for: 1-500 characters; "quoted phrases" match as phrases.')],
    type_: Annotated[SearchType, Query(alias="type", description="Which kinds of results.")] = SearchType.all,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="The `next_cursor` of the previous page.")] = None,
    offset: Annotated[int | None, Query(ge=0, description="For old clients; `cursor` is preferred.")] = None,
) -> SearchResponse:
    page = await service.search(session, settings, q, type_, limit=limit, cursor=cursor, offset=offset)
    return SearchResponse(
        query=page.query,
        type=type_,
        results=page.results,
        count=len(page.results),
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )
