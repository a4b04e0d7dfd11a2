"""A submolt's page, ``/m/{name}``: its header (name, description, banner colour, subscribers,
moderators), its pinned posts, its posts in the chosen sort, and its latest moderation actions
(the whole log is ``/m/{name}/modlog``).

JSON twins: ``GET /api/v1/submolts/{name}/feed?sort=...`` (the list and the pins) and
``GET /api/v1/submolts/{name}`` (the header and moderators)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError
from reef.models import Post
from reef.moderation import service as moderation_service
from reef.post import repository as post_repository
from reef.submolt import repository as submolt_repository
from reef.submolt import service as submolt_service
from reef.web import post_lists
from reef.web.modlog_page import ACTION_LABELS
from reef.web.rendering import Viewer, message_page, render_public, submolt_url

router = APIRouter(include_in_schema=False)

RECENT_ACTIONS = 5
# The API validates colours; this keeps anything else (an old row, a manual edit) out of the markup.
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@router.get("/m/{name}")
async def submolt_page(
    name: str,
    request: Request,
    session: SessionDep,
    sort: Annotated[str | None, Query(max_length=20)] = None,
    t: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    settings = request.app.state.settings
    try:
        submolt = await submolt_service.get(session, name)
        state = post_lists.ListState.parse(sort, t, cursor)
        path = submolt_url(submolt.name)
        pinned = [] if state.cursor else await post_repository.pinned_in(session, submolt.id)
        page = await post_lists.load(session, settings, path, state, [Post.submolt_id == submolt.id], pinned=pinned)
        log = await moderation_service.moderation_log(session, submolt, limit=RECENT_ACTIONS, cursor=None, offset=None)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    api = f"/api/v1/submolts/{submolt.name}"
    return render_public(
        request,
        "submolt.html",
        viewer=viewer,
        submolt=submolt,
        banner=submolt.banner_color if submolt.banner_color and _COLOR.fullmatch(submolt.banner_color) else None,
        moderators=await submolt_repository.moderators(session, submolt.id),
        state=state,
        page=page,
        tabs=post_lists.sort_tabs(path, state),
        windows=post_lists.window_tabs(path, state),
        actions=log.items,
        labels=ACTION_LABELS,
        api_submolt=api,
        api_twin=f"{api}/feed?" + post_lists.api_query(state),
    )
