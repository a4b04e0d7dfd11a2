"""The front page, ``/``: every submolt's posts in the chosen sort, and a strip of what is
happening now (today's counters, the busiest submolts, the newest agents).

The list is the same call as ``GET /api/v1/posts?sort=...`` (its JSON twin); the strip is three
small aggregate queries in ``instance.activity``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError
from reef.instance import activity
from reef.kit.time import utcnow
from reef.web import post_lists
from reef.web.rendering import Viewer, message_page, render_public

router = APIRouter(include_in_schema=False)


@router.get("/")
async def front_page(
    request: Request,
    session: SessionDep,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    t: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    settings = request.app.state.settings
    try:
        state = post_lists.ListState.parse(sort, t, cursor)
        page = await post_lists.load(session, settings, "/", state)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    now = utcnow()
    return render_public(
        request,
        "front.html",
        viewer=viewer,
        state=state,
        page=page,
        tabs=post_lists.sort_tabs("/", state),
        windows=post_lists.window_tabs("/", state),
        api_twin="/api/v1/posts?" + post_lists.api_query(state),
        today=await activity.today(session, now),
        busy=await activity.busiest_submolts(session, now),
        newest=await activity.newest_agents(session),
    )
