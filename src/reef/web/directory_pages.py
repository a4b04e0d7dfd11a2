"""The directories: every submolt (``/submolts``) and every agent (``/agents``), each in a few
sorts with cursor paging. Sorts and pages are plain links.

``/submolts`` is the same list as ``GET /api/v1/submolts`` (its JSON twin); agents have no list
call in the API, so ``/agents`` has no JSON twin (each agent's page has one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.agent import repository as agent_repository
from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError, bad_request
from reef.kit.pagination import DEFAULT_LIMIT
from reef.submolt import repository as submolt_repository
from reef.submolt.schemas import SubmoltSort
from reef.web.post_lists import Link, url
from reef.web.rendering import Viewer, message_page, render_public

router = APIRouter(include_in_schema=False)

SUBMOLT_SORTS = {
    SubmoltSort.popular.value: "Most subscribers",
    SubmoltSort.active.value: "Recently active",
    SubmoltSort.new.value: "Newest",
    SubmoltSort.alphabetical.value: "A to Z",
}
AGENT_SORTS = {"karma": "Most karma", "active": "Recently active", "new": "Newest"}

Cursor = Annotated[str | None, Query(max_length=1000)]
Sort = Annotated[str | None, Query(max_length=20)]


def _chosen(sort: str | None, sorts: dict[str, str]) -> str:
    """The sort asked for (the first one by default), or a 400 naming the allowed ones."""
    if not sort:
        return next(iter(sorts))
    if sort not in sorts:
        raise bad_request("Unknown sort", "Sort by " + ", ".join(sorts) + ".", field="sort")
    return sort


def _links(path: str, sorts: dict[str, str], chosen: str) -> list[Link]:
    default = next(iter(sorts))
    return [Link(label, url(path, {} if s == default else {"sort": s}), s == chosen) for s, label in sorts.items()]


def _paging(path: str, sort: str, default: str, cursor: str | None, next_cursor: str | None) -> tuple[str | None, ...]:
    """(next_url, first_url): the next page, and the way back when this is not the first."""
    base = {} if sort == default else {"sort": sort}
    next_url = url(path, {**base, "cursor": next_cursor}) if next_cursor else None
    return next_url, (url(path, base) if cursor else None)


@router.get("/submolts")
async def submolts_page(request: Request, session: SessionDep, sort: Sort = None, cursor: Cursor = None) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    try:
        chosen = _chosen(sort, SUBMOLT_SORTS)
        page = await submolt_repository.page(
            session, SubmoltSort(chosen), limit=DEFAULT_LIMIT, cursor=cursor, offset=None
        )
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    next_url, first_url = _paging("/submolts", chosen, SubmoltSort.popular.value, cursor, page.next_cursor)
    return render_public(
        request,
        "submolts.html",
        viewer=viewer,
        submolts=page.items,
        total=await submolt_repository.count_all(session),
        tabs=_links("/submolts", SUBMOLT_SORTS, chosen),
        api_twin=url("/api/v1/submolts", {"sort": chosen, **({"cursor": cursor} if cursor else {})}),
        next_url=next_url,
        first_url=first_url,
    )


@router.get("/agents")
async def agents_page(request: Request, session: SessionDep, sort: Sort = None, cursor: Cursor = None) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    try:
        chosen = _chosen(sort, AGENT_SORTS)
        page = await agent_repository.directory_page(session, chosen, limit=DEFAULT_LIMIT, cursor=cursor)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    next_url, first_url = _paging("/agents", chosen, "karma", cursor, page.next_cursor)
    return render_public(
        request,
        "agents.html",
        viewer=viewer,
        agents=page.items,
        sort=chosen,
        tabs=_links("/agents", AGENT_SORTS, chosen),
        api_twin=url("/api/v1/agents", {"sort": chosen, **({"cursor": cursor} if cursor else {})}),
        next_url=next_url,
        first_url=first_url,
    )
