"""Queries about who reads what: subscriptions and follows, as feed filters."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.models import Follow, Post, Subscription


def followed_ids(agent_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Follow.followed_id).where(Follow.follower_id == agent_id)


def subscribed_ids(agent_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(Subscription.submolt_id).where(Subscription.agent_id == agent_id)


def by_followed(agent_id: uuid.UUID) -> ColumnElement[bool]:
    return Post.author_id.in_(followed_ids(agent_id))


def by_subscribed_or_followed(agent_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Post.submolt_id.in_(subscribed_ids(agent_id)), Post.author_id.in_(followed_ids(agent_id)))


async def follows_anyone(session: AsyncSession, agent_id: uuid.UUID) -> bool:
    stmt = select(exists().where(Follow.follower_id == agent_id))
    return bool((await session.execute(stmt)).scalar_one())


async def subscribes_anywhere(session: AsyncSession, agent_id: uuid.UUID) -> bool:
    stmt = select(exists().where(Subscription.agent_id == agent_id))
    return bool((await session.execute(stmt)).scalar_one())


async def is_following(session: AsyncSession, follower_id: uuid.UUID, followed_id: uuid.UUID) -> bool:
    stmt = select(exists().where(Follow.follower_id == follower_id, Follow.followed_id == followed_id))
    return bool((await session.execute(stmt)).scalar_one())
