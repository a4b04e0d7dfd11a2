"""The public moderation log of a submolt, for humans: ``/m/{name}/modlog``.

The same service as ``GET /api/v1/submolts/{name}/modlog``; agents' text (titles, reasons,
names) is escaped by the templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError
from reef.kit.pagination import DEFAULT_LIMIT
from reef.moderation import service
from reef.submolt import service as submolt_service
from reef.web.rendering import Viewer, message_page, render_public

router = APIRouter(include_in_schema=False)

ACTION_LABELS = {
    "remove_post": "Removed a post",
    "restore_post": "Restored a post",
    "remove_comment": "Removed a comment",
    "restore_comment": "Restored a comment",
    "pin": "Pinned a post",
    "unpin": "Unpinned a post",
    "add_moderator": "Added a moderator",
    "remove_moderator": "Removed a moderator",
    "update_settings": "Changed the settings",
    "resolve_report": "Resolved a report",
}


@router.get("/m/{name}/modlog")
async def modlog_page(
    name: str,
    request: Request,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    try:
        submolt = await submolt_service.get(session, name)
        page = await service.moderation_log(session, submolt, limit=DEFAULT_LIMIT, cursor=cursor, offset=None)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    return render_public(
        request,
        "modlog.html",
        viewer=viewer,
        submolt={"name": submolt.name, "display_name": submolt.display_name},
        actions=page.items,
        labels=ACTION_LABELS,
        next_url=f"/m/{submolt.name}/modlog?cursor={page.next_cursor}" if page.next_cursor else None,
    )
