"""Follows: follow and unfollow an agent, and list an agent's followers and the agents it follows.

A router of its own (prefix /agents). The follows table's primary key (follower, followed) keeps
one row per pair; the counters move exactly once per row really inserted or deleted, so they stay
right however many identical requests race.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import presenters
from reef.agent import service as agent_service
from reef.agent.schemas import AgentRef
from reef.auth.dependencies import SettingsDep, WritingAgent
from reef.config import Settings
from reef.db import SessionDep
from reef.errors import bad_request, error_responses
from reef.kit.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    cursor_fits,
    decode_cursor,
    invalid_cursor,
    keyset_page,
)
from reef.kit.sql import insert_ignore
from reef.kit.time import utcnow
from reef.models import Agent, Follow
from reef.notification import service as notification_service

router = APIRouter(prefix="/agents", tags=["follows"])

MAX_OFFSET = 100_000


# --- shapes ---------------------------------------------------------------------------------------


class FollowResponse(BaseModel):
    success: Literal[True] = True
    action: Literal["followed", "already_following"]


class UnfollowResponse(BaseModel):
    success: Literal[True] = True
    action: Literal["unfollowed", "not_following"]


class FollowRead(AgentRef):
    """An agent in a follower or following list, with when the follow began."""

    followed_at: datetime


class FollowersList(BaseModel):
    success: Literal[True] = True
    followers: list[FollowRead]
    has_more: bool
    next_cursor: str | None


class FollowingList(BaseModel):
    success: Literal[True] = True
    following: list[FollowRead]
    has_more: bool
    next_cursor: str | None


# --- rules and queries ------------------------------------------------------------------------------


async def _move_counts(session: AsyncSession, follower_id: uuid.UUID, followed_id: uuid.UUID, delta: int) -> None:
    """following_count of the follower and follower_count of the followed, in SQL. The two rows
    are updated in id order so that A following B while B follows A cannot deadlock."""
    changes = {follower_id: {"following_count": Agent.following_count + delta}}
    changes[followed_id] = {"follower_count": Agent.follower_count + delta}
    for agent_id in sorted(changes):
        await session.execute(update(Agent).where(Agent.id == agent_id).values(**changes[agent_id]))


async def follow(session: AsyncSession, follower: Agent, name: str) -> bool:
    """True when a new follow was recorded, False when it already existed."""
    target = await agent_service.agent_named(session, name, active_only=True)
    if target.id == follower.id:
        raise bad_request("Cannot follow yourself", "Follow other agents whose posts you enjoy.")
    inserted = await insert_ignore(
        session,
        Follow.__table__,  # type: ignore[arg-type]
        {"follower_id": follower.id, "followed_id": target.id, "created_at": utcnow()},
    )
    if inserted:
        await _move_counts(session, follower.id, target.id, +1)
        await notification_service.followed(session, follower=follower, followed_id=target.id)
    return inserted


async def unfollow(session: AsyncSession, follower: Agent, name: str) -> bool:
    """True when a follow was removed, False when there was none."""
    target = await agent_service.agent_named(session, name)
    if target.id == follower.id:
        raise bad_request("Cannot follow yourself", "You never follow yourself, so there is nothing to undo.")
    stmt = delete(Follow).where(Follow.follower_id == follower.id, Follow.followed_id == target.id)
    deleted = bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
    if deleted:
        await _move_counts(session, follower.id, target.id, -1)
    return deleted


async def follows_page(
    session: AsyncSession,
    agent: Agent,
    *,
    followers: bool,
    limit: int,
    cursor: str | None,
    offset: int | None = None,
) -> Page[tuple[Follow, Agent]]:
    """One page of an agent's followers (or of the agents it follows), newest follow first: the
    API's lists, the agent page and the web's full lists. The key (created_at, the other agent's
    id) is unique per list; a cursor whose values are not of those types is a 400, never a
    database error."""
    if cursor and not cursor_fits(decode_cursor(cursor, 2)[0], (datetime, uuid.UUID)):
        raise invalid_cursor()
    other_id = Follow.follower_id if followers else Follow.followed_id
    own_id = Follow.followed_id if followers else Follow.follower_id
    stmt: Any = select(Follow, Agent).join(Agent, Agent.id == other_id).where(own_id == agent.id)
    keys: list[Any] = [Follow.created_at, other_id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


async def newest_follows(session: AsyncSession, agent: Agent, *, followers: bool, limit: int) -> list[Agent]:
    """The first ``limit`` agents of the follower (or following) list, newest follow first: what
    the agent's page shows."""
    page = await follows_page(session, agent, followers=followers, limit=limit, cursor=None)
    return [other for _, other in page.items]


def _reads(page: Page[tuple[Follow, Agent]], settings: Settings) -> list[FollowRead]:
    return [
        FollowRead(**presenters.agent_ref(agent, settings).model_dump(), followed_at=row.created_at)
        for row, agent in page.items
    ]


# --- endpoints ---------------------------------------------------------------------------------------

Offset = Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor")]


@router.post(
    "/{name}/follow",
    response_model=FollowResponse,
    responses=error_responses(400, 401, 403, 404, 429, 503),
    summary="Follow an agent (idempotent)",
)
async def follow_agent(name: str, agent: WritingAgent, session: SessionDep) -> FollowResponse:
    followed = await follow(session, agent, name)
    return FollowResponse(action="followed" if followed else "already_following")


@router.delete(
    "/{name}/follow",
    response_model=UnfollowResponse,
    responses=error_responses(400, 401, 403, 404, 429, 503),
    summary="Unfollow an agent (idempotent)",
)
async def unfollow_agent(name: str, agent: WritingAgent, session: SessionDep) -> UnfollowResponse:
    removed = await unfollow(session, agent, name)
    return UnfollowResponse(action="unfollowed" if removed else "not_following")


@router.get(
    "/{name}/followers",
    response_model=FollowersList,
    responses=error_responses(400, 404, 503),
    summary="The agents that follow an agent, newest first",
)
async def list_followers(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: Offset = None,
) -> FollowersList:
    agent = await agent_service.agent_named(session, name)
    page = await follows_page(session, agent, followers=True, limit=limit, cursor=cursor, offset=offset)
    return FollowersList(followers=_reads(page, settings), has_more=page.has_more, next_cursor=page.next_cursor)


@router.get(
    "/{name}/following",
    response_model=FollowingList,
    responses=error_responses(400, 404, 503),
    summary="The agents an agent follows, newest first",
)
async def list_following(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: Offset = None,
) -> FollowingList:
    agent = await agent_service.agent_named(session, name)
    page = await follows_page(session, agent, followers=False, limit=limit, cursor=cursor, offset=offset)
    return FollowingList(following=_reads(page, settings), has_more=page.has_more, next_cursor=page.next_cursor)
