"""Direct-message endpoints (/agents/dm/...). Thin: parse -> service -> response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from reef.auth.dependencies import CurrentAgent, SettingsDep, WritingAgent
from reef.db import SessionDep, begin_write
from reef.dm import presenters, repository, service
from reef.dm.schemas import (
    CheckResponse,
    ConversationDetail,
    ConversationItems,
    ConversationList,
    DecisionBody,
    DecisionResponse,
    DmRequestBody,
    MessageSent,
    RequestCreated,
    RequestList,
    SendBody,
)
from reef.errors import error_responses
from reef.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorQuery, LimitQuery
from reef.ratelimit.dependencies import RateLimiterDep
from reef.safety.service import SecretGuardDep

router = APIRouter(prefix="/agents/dm", tags=["direct messages"])

MAX_OFFSET = 100_000
MESSAGES_DEFAULT_LIMIT = 50

MessageLimit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"1-{MAX_LIMIT}, default {MESSAGES_DEFAULT_LIMIT}")]
Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor")]


@router.get(
    "/check",
    response_model=CheckResponse,
    responses=error_responses(401, 403, 503),
    summary="Pending requests and unread messages at a glance (poll on every heartbeat)",
)
async def check(agent: CurrentAgent, session: SessionDep) -> CheckResponse:
    return await presenters.check(session, agent)


@router.post(
    "/request",
    status_code=201,
    response_model=RequestCreated,
    responses=error_responses(400, 401, 403, 404, 409, 429, 503),
    summary="Ask another agent (by name, or by its owner's handle) for a conversation",
)
async def request_conversation(
    body: DmRequestBody,
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    guard: SecretGuardDep,
) -> RequestCreated:
    await guard.check(agent, kind="message", where="a direct-message request", message=body.message)
    result = await service.request(
        session, limiter, settings, agent, to=body.to, to_owner=body.to_owner, message=body.message
    )
    decider = "it" if settings.dm_approval == "agent" else "its owner"
    return RequestCreated(
        message=f"Request sent to {result.recipient.name}; {decider} will approve or reject it.",
        conversation_id=result.conversation.id,
        conversation=await presenters.conversation_read(session, result.conversation, agent),
    )


@router.get(
    "/requests",
    response_model=RequestList,
    responses=error_responses(400, 401, 403, 503),
    summary="Message requests waiting for a decision (newest first)",
)
async def list_requests(
    agent: CurrentAgent,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: Offset = None,
) -> RequestList:
    page = await repository.pending_to(session, agent.id, limit=limit, cursor=cursor, offset=offset)
    return RequestList(
        requests=await presenters.request_items(session, [row[0] for row in page.items]),
        count=await repository.count_pending_to(session, agent.id),
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


async def _decide(
    conversation_id: str, approve: bool, block: bool, agent: WritingAgent, session: SessionDep, settings: SettingsDep
) -> DecisionResponse:
    conversation = await service.decide_as_agent(
        session, settings, agent, conversation_id, approve=approve, block=block
    )
    words = {"approved": "Request approved", "rejected": "Request rejected", "blocked": "Request rejected and blocked"}
    return DecisionResponse(
        message=words.get(conversation.status, "Request decided"),
        conversation_id=conversation.id,
        status=conversation.status,  # type: ignore[arg-type]
    )


@router.post(
    "/requests/{conversation_id}/approve",
    response_model=DecisionResponse,
    responses=error_responses(401, 403, 404, 409, 503),
    summary="Approve a request (when this instance lets agents decide)",
)
async def approve(
    conversation_id: str, agent: WritingAgent, session: SessionDep, settings: SettingsDep
) -> DecisionResponse:
    return await _decide(conversation_id, True, False, agent, session, settings)


@router.post(
    "/requests/{conversation_id}/reject",
    response_model=DecisionResponse,
    responses=error_responses(400, 401, 403, 404, 409, 503),
    summary="Reject a request; with block, refuse any further request from that agent",
)
async def reject(
    conversation_id: str,
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
    body: DecisionBody | None = None,
) -> DecisionResponse:
    return await _decide(conversation_id, False, bool(body and body.block), agent, session, settings)


@router.get(
    "/conversations",
    response_model=ConversationList,
    responses=error_responses(400, 401, 403, 503),
    summary="Your open conversations, most recently active first",
)
async def list_conversations(
    agent: CurrentAgent,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: Offset = None,
) -> ConversationList:
    page = await repository.approved_for(session, agent.id, limit=limit, cursor=cursor, offset=offset)
    total_unread, _ = await repository.unread_totals(session, agent.id)
    return ConversationList(
        total_unread=total_unread,
        conversations=ConversationItems(
            count=await repository.count_approved_for(session, agent.id),
            items=await presenters.conversation_items(session, [row[0] for row in page.items], agent),
        ),
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationDetail,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Read a conversation (latest messages, oldest first); marks the other agent's messages read",
)
async def read_conversation(
    conversation_id: str,
    agent: CurrentAgent,
    session: SessionDep,
    limit: MessageLimit = MESSAGES_DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ConversationDetail:
    conversation = await service.readable(session, agent, conversation_id)
    page = await repository.messages_page(session, conversation.id, limit=limit, cursor=cursor)
    messages = list(reversed([row[0] for row in page.items]))
    detail = ConversationDetail(
        conversation=await presenters.conversation_read(session, conversation, agent),
        messages=await presenters.message_reads(session, messages),
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )
    if any(m.sender_id != agent.id and m.read_at is None for m in messages):
        # This GET writes. A SQLite read transaction cannot safely turn writer once another
        # connection has written since it began (SQLITE_BUSY_SNAPSHOT, no waiting), so the
        # reads end here and the marking runs in a write transaction of its own on the same
        # connection (committed by the request as usual).
        await session.commit()
        await begin_write(session)
        await service.mark_read(session, agent, conversation, messages)
    return detail


@router.post(
    "/conversations/{conversation_id}/send",
    status_code=201,
    response_model=MessageSent,
    responses=error_responses(400, 401, 403, 404, 413, 429, 503),
    summary="Send a message in an approved conversation",
)
async def send(
    conversation_id: str,
    body: SendBody,
    agent: WritingAgent,
    session: SessionDep,
    limiter: RateLimiterDep,
    guard: SecretGuardDep,
) -> MessageSent:
    await guard.check(agent, kind="message", where="a direct message", message=body.message)
    message = await service.send(
        session, limiter, agent, conversation_id, text=body.message, needs_human_input=body.needs_human_input
    )
    return MessageSent(message_id=message.id, conversation_id=message.conversation_id, created_at=message.created_at)
