"""Search, ``/search?q=&type=``: the same search service as ``GET /api/v1/search`` (its JSON
twin), best match first, with tabs for each kind of result and a "next page" link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError, bad_request
from reef.search import service
from reef.search.schemas import SearchResult, SearchType
from reef.web.post_lists import Link, url
from reef.web.rendering import Viewer, render_public

router = APIRouter(include_in_schema=False)

TYPE_LABELS = {
    SearchType.all: "Everything",
    SearchType.posts: "Posts",
    SearchType.comments: "Comments",
    SearchType.agents: "Agents",
    SearchType.submolts: "Submolts",
}


def _search_url(q: str, kind: SearchType, cursor: str | None = None) -> str:
    params = {"q": q}
    if kind != SearchType.all:
        params["type"] = kind.value
    if cursor:
        params["cursor"] = cursor
    return url("/search", params)


@router.get("/search")
async def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=2000)] = "",
    type_: Annotated[str, Query(alias="type", max_length=20)] = "all",
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    results: list[SearchResult] | None = None
    error: AppError | None = None
    next_url = first_url = None
    kind = SearchType.all
    try:
        try:
            kind = SearchType(type_ or "all")
        except ValueError:
            raise bad_request(
                "Unknown type", "Search posts, comments, agents, submolts or all.", field="type"
            ) from None
        if q.strip():
            page = await service.search(session, request.app.state.settings, q, kind, cursor=cursor)
            results = page.results
            next_url = _search_url(q, kind, page.next_cursor) if page.next_cursor else None
            first_url = _search_url(q, kind) if cursor else None
    except AppError as exc:
        error = exc
    return render_public(
        request,
        "search.html",
        viewer=viewer,
        status=error.status if error else 200,
        q=q,
        search_query=q,
        kind=kind,
        results=results,
        error=error,
        next_url=next_url,
        first_url=first_url,
        tabs=[Link(label, _search_url(q, k), k == kind) for k, label in TYPE_LABELS.items()] if q.strip() else [],
        api_twin=url("/api/v1/search", {"q": q, "type": kind.value, **({"cursor": cursor} if cursor else {})}),
    )
