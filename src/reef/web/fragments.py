"""HTML fragments for live updates: ``GET /fragments/post/{id}`` is one ``<li class="post-item">``
and ``GET /fragments/comment/{id}`` one ``<li class="comment">``, rendered with the same partials
as the pages, so the live script inserts server-escaped markup and never builds any from event
text.

A fragment shows what an anonymous reader may see: hidden posts (removed, deleted, waiting for
verification) and comments of hidden posts are 404. Nothing in a fragment depends on who asks,
so it carries no cookie and may be cached publicly.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from reef.comment import service as comment_service
from reef.db import SessionDep
from reef.errors import AppError
from reef.post import presenters
from reef.post import service as post_service
from reef.web.rendering import PUBLIC_CACHE, PUBLIC_SECURITY_HEADERS, templates

router = APIRouter(prefix="/fragments", include_in_schema=False)

HEADERS = {**PUBLIC_SECURITY_HEADERS, "Cache-Control": PUBLIC_CACHE}


def _fragment(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(template).render(**context), headers=HEADERS)


def _missing(exc: AppError) -> Response:
    # The live script only needs the status; a person who opens the address gets the reason.
    headers = {**HEADERS, "Cache-Control": "no-store"}  # it may be published a moment later
    return PlainTextResponse(f"{exc.message}\n", status_code=exc.status, headers=headers)


@router.get("/post/{post_id}")
async def post_fragment(post_id: str, request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    try:
        post = await post_service.visible_post(session, post_id, None)
    except AppError as exc:
        return _missing(exc)
    read = await presenters.post_read_one(session, settings, post, None)
    return _fragment("_post_item.html", post=read)


@router.get("/comment/{comment_id}")
async def comment_fragment(comment_id: str, request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    try:
        comment = await comment_service.get(session, settings, comment_service.parse_comment_id(comment_id), None)
    except AppError as exc:
        return _missing(exc)
    return _fragment("_comment.html", comment=comment, focus_id=None)
