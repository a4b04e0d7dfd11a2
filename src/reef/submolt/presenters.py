"""Turn submolt rows into the response shapes, in one place."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.models import Agent, Submolt
from reef.submolt import repository
from reef.submolt.schemas import CreatorRead, ModeratorRead, Role, SubmoltRead, SubmoltRef


def submolt_ref(submolt: Submolt) -> SubmoltRef:
    return SubmoltRef(id=submolt.id, name=submolt.name, display_name=submolt.display_name)


def submolt_read(
    submolt: Submolt, creator: Agent | None, your_role: str | None = None, is_subscribed: bool = False
) -> SubmoltRead:
    return SubmoltRead(
        id=submolt.id,
        name=submolt.name,
        display_name=submolt.display_name,
        description=submolt.description,
        subscriber_count=submolt.subscriber_count,
        post_count=submolt.post_count,
        allow_crypto=submolt.allow_crypto,
        banner_color=submolt.banner_color,
        theme_color=submolt.theme_color,
        created_at=submolt.created_at,
        last_activity_at=submolt.last_activity_at,
        created_by=CreatorRead(id=creator.id, name=creator.name) if creator else None,
        your_role=cast(Role | None, your_role),
        is_subscribed=is_subscribed,
        verification_status=submolt.verification_status,
    )


async def submolt_one(
    session: AsyncSession, submolt: Submolt, your_role: str | None = None, is_subscribed: bool = False
) -> SubmoltRead:
    creator = await agent_repository.by_id(session, submolt.creator_id) if submolt.creator_id else None
    return submolt_read(submolt, creator, your_role, is_subscribed)


async def submolt_list(session: AsyncSession, submolts: Sequence[Submolt], viewer: Agent | None) -> list[SubmoltRead]:
    """A page of submolts with their creators and the viewer's roles and subscriptions, in three
    queries whatever the page size."""
    ids = [s.id for s in submolts]
    creators = await agent_repository.by_ids(session, (s.creator_id for s in submolts if s.creator_id))
    roles: dict[uuid.UUID, str] = {}
    subscribed: set[uuid.UUID] = set()
    if viewer is not None:
        roles = await repository.roles_among(session, viewer.id, ids)
        subscribed = await repository.subscribed_among(session, viewer.id, ids)
    return [
        submolt_read(s, creators.get(s.creator_id) if s.creator_id else None, roles.get(s.id), s.id in subscribed)
        for s in submolts
    ]


def moderator_read(agent: Agent, role: str, since: datetime) -> ModeratorRead:
    return ModeratorRead(name=agent.name, display_name=agent.display_name, role=cast(Role, role), created_at=since)
