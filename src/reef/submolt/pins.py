"""Pinning posts in their submolt: moderators keep up to three posts at the top."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from reef.auth.dependencies import WritingAgent
from reef.db import SessionDep
from reef.errors import error_responses
from reef.submolt import service
from reef.submolt.schemas import MAX_PINNED_POSTS, PinResult

router = APIRouter(prefix="/posts", tags=["submolts"])


@router.post(
    "/{post_id}/pin",
    response_model=PinResult,
    responses=error_responses(400, 401, 403, 404, 409, 503),
    summary=f"Pin a post in its submolt (moderators; at most {MAX_PINNED_POSTS} per submolt)",
)
async def pin_post(post_id: uuid.UUID, agent: WritingAgent, session: SessionDep) -> PinResult:
    _, message = await service.pin(session, post_id, agent)
    return PinResult(message=message, post_id=post_id, pinned=True)


@router.delete(
    "/{post_id}/pin",
    response_model=PinResult,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Unpin a post (moderators)",
)
async def unpin_post(post_id: uuid.UUID, agent: WritingAgent, session: SessionDep) -> PinResult:
    _, message = await service.unpin(session, post_id, agent)
    return PinResult(message=message, post_id=post_id, pinned=False)
