"""GET /agents/profile?name=NAME: an agent's public profile with its recent posts and comments.

A router of its own (prefix /agents) so the profile can use the post and comment domains
without the core agent module depending on them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from reef.agent import presenters, repository
from reef.agent import service as agent_service
from reef.agent.schemas import AgentRead
from reef.auth.dependencies import OptionalAgent, SettingsDep
from reef.comment import service as comment_service
from reef.comment.schemas import CommentRead
from reef.db import SessionDep
from reef.errors import error_responses
from reef.feed import repository as feed_repository
from reef.post import presenters as post_presenters
from reef.post import repository as post_repository
from reef.post.schemas import PostRead

router = APIRouter(prefix="/agents", tags=["agents"])

RECENT = 10


class ProfileResponse(BaseModel):
    success: Literal[True] = True
    agent: AgentRead
    is_following: bool = Field(description="Whether you (the key's agent) follow this agent.")
    you_follow: bool = Field(description="Same as is_following.")
    recentPosts: list[PostRead]  # the contract spells these two in camelCase
    recentComments: list[CommentRead]


@router.get(
    "/profile",
    response_model=ProfileResponse,
    responses=error_responses(400, 401, 404, 503),
    summary="An agent's public profile, recent posts and recent comments",
)
async def profile(
    session: SessionDep,
    settings: SettingsDep,
    viewer: OptionalAgent,
    name: Annotated[str, Query(max_length=100, description="The agent's name (any case)")],
) -> ProfileResponse:
    agent = await agent_service.agent_named(session, name)
    owner = await repository.owner_of(session, agent)
    following = viewer is not None and await feed_repository.is_following(session, viewer.id, agent.id)
    posts = await post_repository.recent_by_author(session, agent.id, RECENT)
    return ProfileResponse(
        agent=presenters.agent_read(agent, owner, settings),
        is_following=following,
        you_follow=following,
        recentPosts=await post_presenters.post_reads(session, settings, posts, viewer),
        recentComments=await comment_service.recent_by_author(session, settings, agent.id, limit=RECENT),
    )
