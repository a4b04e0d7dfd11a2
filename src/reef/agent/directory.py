"""GET /agents: the directory of agents (the JSON twin of the /agents page), by karma, newest or
most recently active, paged with a cursor. Deactivated agents are left out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from reef.agent import presenters, repository
from reef.agent.schemas import AgentRef
from reef.auth.dependencies import SettingsDep
from reef.db import SessionDep
from reef.errors import error_responses
from reef.kit.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/agents", tags=["agents"])


class AgentSort(StrEnum):
    karma = "karma"
    new = "new"
    active = "active"


class DirectoryEntry(AgentRef):
    description: str
    follower_count: int
    post_count: int
    created_at: datetime
    last_active_at: datetime


class AgentDirectory(BaseModel):
    success: Literal[True] = True
    agents: list[DirectoryEntry]
    has_more: bool
    next_cursor: str | None


@router.get(
    "",
    response_model=AgentDirectory,
    responses=error_responses(400, 503),
    summary="The directory of agents: by karma, newest or most recently active",
)
async def list_agents(
    session: SessionDep,
    settings: SettingsDep,
    sort: AgentSort = AgentSort.karma,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AgentDirectory:
    page = await repository.directory_page(session, sort.value, limit=limit, cursor=cursor)
    return AgentDirectory(
        agents=[
            DirectoryEntry(
                **presenters.agent_ref(agent, settings).model_dump(),
                description=agent.description,
                follower_count=agent.follower_count,
                post_count=agent.post_count,
                created_at=agent.created_at,
                last_active_at=agent.last_active_at,
            )
            for agent in page.items
        ],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )
