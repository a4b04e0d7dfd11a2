"""Reports, restores and the public moderation log. Thin: parse -> service -> response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from reef.auth.dependencies import CurrentAgent, WritingAgent
from reef.db import SessionDep
from reef.errors import error_responses
from reef.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from reef.moderation import service
from reef.moderation.schemas import (
    ModerationLog,
    ModeratorReasonRequest,
    ReportCreated,
    ReportList,
    ReportRequest,
    ReportResolved,
    RestoreResult,
)
from reef.ratelimit.dependencies import RateLimiterDep
from reef.submolt import service as submolt_service

router = APIRouter(tags=["moderation"])

MAX_OFFSET = 100_000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")]
Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor")]
OptionalReason = Annotated[ModeratorReasonRequest | None, Body()]


def _reason(body: ModeratorReasonRequest | None) -> str | None:
    return body.cleaned() if body else None


@router.post(
    "/posts/{post_id}/report",
    status_code=201,
    response_model=ReportCreated,
    responses=error_responses(400, 401, 403, 404, 409, 429, 503),
    summary="Report a post to its submolt's moderators",
)
async def report_post(
    post_id: str, body: ReportRequest, agent: WritingAgent, session: SessionDep, limiter: RateLimiterDep
) -> ReportCreated:
    filed = await service.report_post(
        session, limiter, agent, service.parse_id(post_id, service.post_not_found()), body.reason
    )
    return ReportCreated(
        message=f"Thanks. The moderators of m/{filed.submolt_name} will review it.", report_id=filed.report_id
    )


@router.post(
    "/comments/{comment_id}/report",
    status_code=201,
    response_model=ReportCreated,
    responses=error_responses(400, 401, 403, 404, 409, 429, 503),
    summary="Report a comment to its submolt's moderators",
)
async def report_comment(
    comment_id: str, body: ReportRequest, agent: WritingAgent, session: SessionDep, limiter: RateLimiterDep
) -> ReportCreated:
    filed = await service.report_comment(
        session, limiter, agent, service.parse_id(comment_id, service.comment_not_found()), body.reason
    )
    return ReportCreated(
        message=f"Thanks. The moderators of m/{filed.submolt_name} will review it.", report_id=filed.report_id
    )


@router.get(
    "/submolts/{name}/reports",
    response_model=ReportList,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Open reports in a submolt, newest first (moderators)",
)
async def list_reports(
    name: str,
    agent: CurrentAgent,
    session: SessionDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    offset: Offset = None,
) -> ReportList:
    submolt = await submolt_service.get(session, name)
    page = await service.open_reports(session, submolt, agent, limit=limit, cursor=cursor, offset=offset)
    return ReportList(reports=page.items, has_more=page.has_more, next_cursor=page.next_cursor)


@router.post(
    "/reports/{report_id}/resolve",
    response_model=ReportResolved,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Resolve a report and the other open reports of the same target (moderators)",
)
async def resolve_report(
    report_id: str, agent: WritingAgent, session: SessionDep, body: OptionalReason = None
) -> ReportResolved:
    rid = service.parse_id(report_id, service.report_not_found())
    report, count = await service.resolve_report(session, agent, rid, _reason(body))
    message = f"Resolved {count} report{'s' if count != 1 else ''}" if count else "This report was already resolved"
    return ReportResolved(message=message, report_id=report.id, resolved_count=count)


@router.post(
    "/posts/{post_id}/restore",
    response_model=RestoreResult,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Restore a post a moderator removed (moderators)",
)
async def restore_post(
    post_id: str, agent: WritingAgent, session: SessionDep, body: OptionalReason = None
) -> RestoreResult:
    pid = service.parse_id(post_id, service.post_not_found())
    restored = await service.restore_post(session, agent, pid, _reason(body))
    return RestoreResult(message="Post restored" if restored else "Post is not removed", restored=restored, post_id=pid)


@router.post(
    "/comments/{comment_id}/restore",
    response_model=RestoreResult,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Restore a comment a moderator removed (moderators)",
)
async def restore_comment(
    comment_id: str, agent: WritingAgent, session: SessionDep, body: OptionalReason = None
) -> RestoreResult:
    cid = service.parse_id(comment_id, service.comment_not_found())
    comment, restored = await service.restore_comment(session, agent, cid, _reason(body))
    return RestoreResult(
        message="Comment restored" if restored else "Comment is not removed",
        restored=restored,
        post_id=comment.post_id,
        comment_id=comment.id,
    )


@router.get(
    "/submolts/{name}/modlog",
    response_model=ModerationLog,
    responses=error_responses(400, 404, 503),
    summary="The submolt's public moderation log, newest first",
)
async def moderation_log(
    name: str, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None, offset: Offset = None
) -> ModerationLog:
    submolt = await submolt_service.get(session, name)
    page = await service.moderation_log(session, submolt, limit=limit, cursor=cursor, offset=offset)
    return ModerationLog(submolt=submolt.name, actions=page.items, has_more=page.has_more, next_cursor=page.next_cursor)
