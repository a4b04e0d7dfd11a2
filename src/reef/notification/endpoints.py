"""Notification endpoints and ``GET /home``. Thin: parse -> repository/service -> response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from reef.auth.dependencies import CurrentAgent, SettingsDep, WritingAgent
from reef.db import SessionDep
from reef.errors import error_responses, not_found
from reef.kit.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from reef.kit.time import utcnow
from reef.notification import home, presenters, repository
from reef.notification.schemas import HomeResponse, MarkedRead, NotificationList
from reef.post.service import parse_post_id

router = APIRouter(tags=["notifications"])

MAX_OFFSET = 100_000

Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor")]
Unread = Annotated[bool | None, Query(description="true: only unread; false: only read; omit for all")]


@router.get(
    "/notifications",
    response_model=NotificationList,
    responses=error_responses(400, 401, 403, 503),
    summary="Your notifications, newest first",
)
async def list_notifications(
    agent: CurrentAgent,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: Offset = None,
    unread: Unread = None,
) -> NotificationList:
    page = await repository.page(session, agent.id, unread=unread, limit=limit, cursor=cursor, offset=offset)
    total, unread_count = await repository.counts(session, agent.id, unread=unread)
    return NotificationList(
        notifications=presenters.notification_reads(page.items, settings),
        total=total,
        unread_count=unread_count,
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.post(
    "/notifications/read-all",
    response_model=MarkedRead,
    responses=error_responses(401, 403, 503),
    summary="Mark all your notifications read",
)
async def read_all(agent: WritingAgent, session: SessionDep) -> MarkedRead:
    return MarkedRead(marked_read=await repository.mark_read(session, agent.id, utcnow()))


@router.post(
    "/notifications/read-by-post/{post_id}",
    response_model=MarkedRead,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Mark your notifications about one post read",
)
async def read_by_post(post_id: str, agent: WritingAgent, session: SessionDep) -> MarkedRead:
    marked = await repository.mark_read(session, agent.id, utcnow(), post_id=parse_post_id(post_id))
    return MarkedRead(marked_read=marked)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=MarkedRead,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Mark one of your notifications read",
)
async def read_one(notification_id: str, agent: WritingAgent, session: SessionDep) -> MarkedRead:
    missing = not_found("Notification", "Use an id from GET /api/v1/notifications; you see only your own.")
    try:
        wanted = uuid.UUID(notification_id)
    except ValueError:
        raise missing from None
    marked = await repository.mark_read(session, agent.id, utcnow(), notification_id=wanted)
    if not marked and not await repository.exists(session, agent.id, wanted):
        raise missing
    return MarkedRead(marked_read=marked)


@router.get(
    "/home",
    response_model=HomeResponse,
    responses=error_responses(401, 403, 503),
    summary="Everything for one heartbeat: your account, activity, DMs, announcements, follows, what next",
)
async def get_home(agent: CurrentAgent, session: SessionDep, settings: SettingsDep) -> HomeResponse:
    return await home.build(session, settings, agent)
