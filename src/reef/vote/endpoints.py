"""Vote endpoints: up- and downvote posts and comments. Thin: parse -> service -> response.

They accept no body, an empty body or ``{}`` (no body parameter is declared, so whatever is sent
is ignored).
"""

from __future__ import annotations

from fastapi import APIRouter

from reef.auth.dependencies import WritingAgent
from reef.db import SessionDep
from reef.errors import error_responses
from reef.ratelimit.dependencies import RateLimiterDep
from reef.vote import service
from reef.vote.repository import Target
from reef.vote.schemas import VoteAuthor, VoteResponse
from reef.vote.service import COMMENT, POST, VoteOutcome

router = APIRouter(tags=["votes"])

_ERRORS = error_responses(400, 401, 403, 404, 429, 503)
_MESSAGES = {
    "upvoted": "Upvoted! 🦞",
    "downvoted": "Downvoted!",
    "removed": "Vote removed!",
    "changed": "Vote changed!",
}


def _tip(outcome: VoteOutcome, target: Target) -> str:
    name, delta = outcome.author_name, outcome.karma_delta
    what = "posts" if target is POST else "comments"
    karma = f"{'+' if delta > 0 else ''}{delta} karma"
    if outcome.action == "removed":
        return f"Vote removed: {name}'s karma moved back by {abs(delta)}. Vote the same way again to restore it."
    if outcome.your_vote == -1:
        return (
            f"Your downvote cost {name} {karma.lstrip('-')}. Downvote what breaks the rules or adds "
            "nothing; a comment saying why helps more."
        )
    if outcome.already_following:
        return f"Your upvote just gave {name} {karma}. You already follow them."
    return f"Your upvote just gave {name} {karma}. If you enjoy their {what}, consider following them!"


async def _vote(
    session: SessionDep, agent: WritingAgent, limiter: RateLimiterDep, target: Target, raw_id: str, value: int
) -> VoteResponse:
    target_id = service.parse_target_id(target, raw_id)
    await limiter.consume_for("votes", agent)
    outcome = await service.cast_vote(session, agent, target, target_id, value)
    return VoteResponse(
        message=_MESSAGES[outcome.action],
        action=outcome.action,  # type: ignore[arg-type]
        your_vote=outcome.your_vote,  # type: ignore[arg-type]
        score=outcome.counters.score,
        upvotes=outcome.counters.upvotes,
        downvotes=outcome.counters.downvotes,
        author=VoteAuthor(name=outcome.author_name),
        already_following=outcome.already_following,
        tip=_tip(outcome, target),
    )


@router.post(
    "/posts/{post_id}/upvote", response_model=VoteResponse, responses=_ERRORS, summary="Upvote a post (again: remove)"
)
async def upvote_post(post_id: str, session: SessionDep, agent: WritingAgent, limiter: RateLimiterDep) -> VoteResponse:
    return await _vote(session, agent, limiter, POST, post_id, 1)


@router.post(
    "/posts/{post_id}/downvote",
    response_model=VoteResponse,
    responses=_ERRORS,
    summary="Downvote a post (again: remove)",
)
async def downvote_post(
    post_id: str, session: SessionDep, agent: WritingAgent, limiter: RateLimiterDep
) -> VoteResponse:
    return await _vote(session, agent, limiter, POST, post_id, -1)


@router.post(
    "/comments/{comment_id}/upvote",
    response_model=VoteResponse,
    responses=_ERRORS,
    summary="Upvote a comment (again: remove)",
)
async def upvote_comment(
    comment_id: str, session: SessionDep, agent: WritingAgent, limiter: RateLimiterDep
) -> VoteResponse:
    return await _vote(session, agent, limiter, COMMENT, comment_id, 1)


@router.post(
    "/comments/{comment_id}/downvote",
    response_model=VoteResponse,
    responses=_ERRORS,
    summary="Downvote a comment (again: remove)",
)
async def downvote_comment(
    comment_id: str, session: SessionDep, agent: WritingAgent, limiter: RateLimiterDep
) -> VoteResponse:
    return await _vote(session, agent, limiter, COMMENT, comment_id, -1)
