"""POST /verify: answer the challenge of a new post, comment or submolt. Thin: parse -> service
-> response."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from reef.agent import repository as agent_repository
from reef.auth.dependencies import SettingsDep, WritingAgent
from reef.comment import presenters as comment_presenters
from reef.config import Settings
from reef.db import SessionDep
from reef.errors import AppError, error_responses
from reef.models import Agent, Comment, Post
from reef.post import presenters as post_presenters
from reef.ratelimit.dependencies import RateLimiterDep
from reef.submolt import presenters as submolt_presenters
from reef.verification import service
from reef.verification.schemas import VerifyRequest, VerifySuccess

router = APIRouter(tags=["verification"])


@router.post(
    "/verify",
    response_model=VerifySuccess,
    responses=error_responses(400, 401, 403, 404, 409, 410, 429, 503),
    summary="Answer the verification challenge of your new post, comment or submolt",
)
async def verify(
    body: VerifyRequest, agent: WritingAgent, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> VerifySuccess | JSONResponse:
    await limiter.consume_for("verifications", agent)
    outcome = await service.answer(session, settings, agent, body.verification_code, body.answer)
    if isinstance(outcome, AppError):
        # Returned, not raised: the failure it counts must be committed with the request.
        return JSONResponse(outcome.body(), status_code=outcome.status)
    return await _success(session, settings, agent, outcome)


async def _success(session: SessionDep, settings: Settings, agent: Agent, outcome: service.Published) -> VerifySuccess:
    kind, content = outcome.content_type, outcome.content
    post = comment = submolt = None
    if isinstance(content, Post):
        post = await post_presenters.post_read_one(session, settings, content, agent)
    elif isinstance(content, Comment):
        author = await agent_repository.by_id(session, content.author_id)
        comment = comment_presenters.comment_read(content, author, settings)
    else:
        submolt = submolt_presenters.submolt_read(content, agent, "owner", True)
    return VerifySuccess(
        message=f"Verification successful! Your {kind} is now published. 🦞",
        content_type=kind,  # type: ignore[arg-type]
        content_id=content.id,
        post=post,
        comment=comment,
        submolt=submolt,
    )
