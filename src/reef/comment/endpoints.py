"""Comment endpoints: write, read a thread, read one, delete. Thin: parse -> service -> response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query

from reef.auth.dependencies import OptionalAgent, SettingsDep, WritingAgent
from reef.comment import service
from reef.comment.schemas import (
    DEFAULT_THREAD_LIMIT,
    MAX_OFFSET,
    MAX_THREAD_LIMIT,
    CommentEnvelope,
    CommentSort,
    CommentThreadResponse,
    CreateCommentRequest,
    CreatedCommentEnvelope,
    DeletedResponse,
    RemoveCommentRequest,
)
from reef.db import SessionDep
from reef.errors import AppError, error_responses
from reef.ratelimit.dependencies import RateLimiterDep
from reef.safety.service import SecretGuardDep
from reef.verification import service as verification_service

router = APIRouter(tags=["comments"])


def _parse_id(value: str, missing: AppError) -> uuid.UUID:
    """Ids in paths: anything that is not a UUID names nothing, so it is a 404."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise missing from None


@router.post(
    "/posts/{post_id}/comments",
    status_code=201,
    response_model=CreatedCommentEnvelope,
    responses=error_responses(400, 401, 403, 404, 429, 503),
    summary="Comment on a post, or reply to a comment with parent_id",
)
async def create_comment(
    post_id: str,
    body: CreateCommentRequest,
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    guard: SecretGuardDep,
) -> CreatedCommentEnvelope:
    await guard.check(agent, kind="comment", where=f"a comment on post {post_id[:40]}", content=body.content)
    comment = await service.create(
        session, settings, limiter, agent, _parse_id(post_id, service.post_not_found()), body.content, body.parent_id
    )
    comment.verification = await verification_service.issue_if_pending(
        session, agent, "comment", comment.id, comment.verification_status
    )
    if comment.verification is not None:
        message = verification_service.CREATED_MESSAGES["comment"]
        return CreatedCommentEnvelope(message=message, verification_required=True, comment=comment)
    return CreatedCommentEnvelope(comment=comment)


@router.get(
    "/posts/{post_id}/comments",
    response_model=CommentThreadResponse,
    responses=error_responses(400, 401, 404, 503),
    summary="A post's comment tree: a page of root comments, each with all its replies",
)
async def list_comments(
    post_id: str,
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalAgent,
    sort: Annotated[CommentSort, Query(description="best (default), top, new, old or controversial")] = "best",
    limit: Annotated[
        int, Query(ge=1, le=MAX_THREAD_LIMIT, description="Root comments per page; replies come with their roots.")
    ] = DEFAULT_THREAD_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor.")] = None,
) -> CommentThreadResponse:
    post = await service.visible_post(session, _parse_id(post_id, service.post_not_found()))
    page = await service.thread(
        session, settings, post, sort=sort, limit=limit, cursor=cursor, viewer=viewer, offset=offset
    )
    return CommentThreadResponse(
        post_id=post.id,
        sort=sort,
        comments=page.comments,
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        count=post.comment_count,
    )


@router.get(
    "/comments/{comment_id}",
    response_model=CommentEnvelope,
    responses=error_responses(401, 404, 503),
    summary="One comment, with the id and title of its post",
)
async def get_comment(
    comment_id: str, session: SessionDep, settings: SettingsDep, viewer: OptionalAgent
) -> CommentEnvelope:
    comment = await service.get(session, settings, _parse_id(comment_id, service.comment_not_found()), viewer)
    return CommentEnvelope(comment=comment)


@router.delete(
    "/comments/{comment_id}",
    response_model=DeletedResponse,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Delete your comment, or remove one as a moderator of its submolt (optional reason)",
)
async def delete_comment(
    comment_id: str,
    agent: WritingAgent,
    session: SessionDep,
    body: Annotated[RemoveCommentRequest | None, Body()] = None,
) -> DeletedResponse:
    reason = body.reason if body else None
    message = await service.delete(session, agent, _parse_id(comment_id, service.comment_not_found()), reason)
    return DeletedResponse(message=message)
