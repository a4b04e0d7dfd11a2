"""A post and its comment tree, for humans: ``/post/{id}``.

The same services as ``GET /api/v1/posts/{id}`` and ``GET /api/v1/posts/{id}/comments``: the
post as anonymous readers see it (removed or unverified posts are 404), a page of root comments
in the chosen sort with all their replies, and a "more comments" link carrying the cursor.
``?comment={id}`` shows just the thread holding that comment (deep links work whichever page
the comment's root sits on) and marks it.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.comment import service as comment_service
from reef.comment.schemas import COMMENT_SORTS, DEFAULT_THREAD_LIMIT
from reef.db import SessionDep
from reef.errors import AppError
from reef.post import presenters
from reef.post import service as post_service
from reef.web.rendering import Viewer, message_page, post_url, render_public

router = APIRouter(include_in_schema=False)

SORT_LABELS = {"best": "Best", "top": "Top", "new": "New", "old": "Old", "controversial": "Controversial"}
assert tuple(SORT_LABELS) == COMMENT_SORTS  # one label per sort the service knows


def thread_url(post_id: object, *, sort: str, cursor: str | None = None) -> str:
    """The post page in ``sort`` order (``best`` is the default and stays out of the address)."""
    query = {k: v for k, v in (("sort", sort if sort != "best" else None), ("cursor", cursor)) if v}
    return post_url(post_id) + (f"?{urlencode(query)}" if query else "")


@router.get("/post/{post_id}")
async def post_page(
    post_id: str,
    request: Request,
    session: SessionDep,
    sort: Annotated[str, Query(max_length=20)] = "best",
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    comment: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    settings = request.app.state.settings
    try:
        post = await post_service.visible_post(session, post_id, None)  # as an anonymous reader sees it
        if comment:
            focus = comment_service.parse_comment_id(comment)
            thread = await comment_service.thread_around(session, settings, post, focus, sort=sort)
        else:
            focus = None
            thread = await comment_service.thread(
                session, settings, post, sort=sort, limit=DEFAULT_THREAD_LIMIT, cursor=cursor
            )
        read = await presenters.post_read_one(session, settings, post, None)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    return render_public(
        request,
        "post.html",
        viewer=viewer,
        post=read,
        comments=thread.comments,
        sort=sort,
        sorts=[(key, label, thread_url(post.id, sort=key)) for key, label in SORT_LABELS.items()],
        focus_id=focus,
        all_comments_url=thread_url(post.id, sort=sort),
        more_url=thread_url(post.id, sort=sort, cursor=thread.next_cursor) if thread.next_cursor else None,
        is_later_page=bool(cursor),
        new_roots_here=new_roots_belong_here(
            sort, focused=focus is not None, later_page=bool(cursor), has_more=thread.has_more
        ),
    )


def new_roots_belong_here(sort: str, *, focused: bool, later_page: bool, has_more: bool) -> bool:
    """Whether a new top-level comment arriving live belongs on this page of the thread: on the
    first page when the newest come first, or when the page already shows every root comment (a
    new comment, without votes, ranks at or near the end). One thread, or a later page, never."""
    if focused or later_page:
        return False
    return sort == "new" or not has_more
