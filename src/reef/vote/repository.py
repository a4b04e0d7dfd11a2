"""Queries about votes. The only place in the vote domain that builds SQL.

Posts and comments vote alike; a ``Target`` names the tables and columns of one kind so each
query is written once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Comment, CommentVote, Follow, Post, PostVote, Submolt
from reef.post import ranking
from reef.verification.repository import is_published


@dataclass(frozen=True)
class Target:
    label: str  # "Post" | "Comment", for messages
    model: Any
    vote_model: Any
    vote_fk: str  # column of vote_model that points at the target


POST = Target("Post", Post, PostVote, "post_id")
COMMENT = Target("Comment", Comment, CommentVote, "comment_id")


@dataclass(frozen=True)
class Locked:
    """What a vote needs to know about its target, read under the row lock."""

    author_id: uuid.UUID
    visible: bool
    post_id: uuid.UUID  # the post itself, or the comment's post
    counters: Counters  # as stored: nothing else can change them while the lock is held
    created_at: datetime
    submolt: dict[str, str]  # id, name and display name of the post's submolt, for the live event


@dataclass(frozen=True)
class Counters:
    score: int
    upvotes: int
    downvotes: int


async def lock_target(session: AsyncSession, target: Target, target_id: uuid.UUID) -> Locked | None:
    """Read the target and lock its row until the transaction ends, so votes on one target run
    one after another (``FOR UPDATE`` on PostgreSQL; SQLite writers already hold the database
    lock from ``BEGIN IMMEDIATE``)."""
    m = target.model
    stmt: Any = select(
        m.author_id, m.score, m.upvotes, m.downvotes, m.created_at, Post.id, Submolt.id, Submolt.name
    ).add_columns(Submolt.display_name, m.is_deleted, m.removed_at, m.verification_status)
    if target is COMMENT:
        stmt = stmt.add_columns(Post.is_deleted, Post.removed_at, Post.verification_status).join(
            Post, Post.id == Comment.post_id
        )
    stmt = stmt.join(Submolt, Submolt.id == Post.submolt_id).where(m.id == target_id).with_for_update(of=m)
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    author_id, score, ups, downs, created_at, post_id, submolt_id, submolt_name, display_name, *states = found
    # (is_deleted, removed_at, verification_status) of the target and, for a comment, of its post:
    # a vote needs both alive (not deleted by their author, not removed by a moderator) and published.
    visible = all(
        not states[i] and states[i + 1] is None and is_published(states[i + 2]) for i in range(0, len(states), 3)
    )
    return Locked(
        author_id=author_id,
        visible=visible,
        post_id=post_id,
        counters=Counters(score, ups, downs),
        created_at=created_at,
        submolt={"id": str(submolt_id), "name": submolt_name, "display_name": display_name},
    )


async def lock_agents(session: AsyncSession, voter_id: uuid.UUID, author_id: uuid.UUID) -> tuple[str, bool]:
    """Lock the voter's and the author's rows in id order, and return the author's name and
    whether the voter follows them. Both rows are written (karma, and the voter's activity stamp
    at commit); taking them in one fixed order means two agents voting on each other's content at
    once cannot deadlock."""
    followed = exists().where(Follow.follower_id == voter_id, Follow.followed_id == Agent.id)
    stmt = (
        select(Agent.id, Agent.name, followed)
        .where(Agent.id.in_({voter_id, author_id}))
        .order_by(Agent.id)
        .with_for_update(of=Agent)
    )
    for agent_id, name, is_followed in await session.execute(stmt):
        if agent_id == author_id:
            return str(name), bool(is_followed)
    raise LookupError(f"the author {author_id} of a locked target is missing")


def _vote_where(target: Target, agent_id: uuid.UUID, target_id: uuid.UUID) -> list[Any]:
    vm = target.vote_model
    return [vm.agent_id == agent_id, getattr(vm, target.vote_fk) == target_id]


async def vote_value(session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID) -> int | None:
    stmt = select(target.vote_model.value).where(*_vote_where(target, agent_id, target_id))
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_vote(
    session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID, value: int
) -> None:
    # A plain INSERT: the primary key (agent, target) would refuse a second row even if the
    # lock were ever bypassed.
    await session.execute(
        insert(target.vote_model).values(agent_id=agent_id, **{target.vote_fk: target_id}, value=value)
    )


async def change_vote(
    session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID, value: int
) -> None:
    stmt = update(target.vote_model).where(*_vote_where(target, agent_id, target_id)).values(value=value)
    await session.execute(stmt, execution_options={"synchronize_session": False})


async def delete_vote(session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID) -> None:
    stmt = delete(target.vote_model).where(*_vote_where(target, agent_id, target_id))
    await session.execute(stmt, execution_options={"synchronize_session": False})


async def store_counters(
    session: AsyncSession, target: Target, target_id: uuid.UUID, counters: Counters, created_at: datetime
) -> None:
    """Write the target's new counters and the ranks computed from them, in one statement (the
    caller holds the row lock, so the values it read are still the stored ones)."""
    ranks: dict[str, float] = {"controversy": ranking.controversy(counters.upvotes, counters.downvotes)}
    if target is COMMENT:
        ranks["best_rank"] = ranking.wilson_lower_bound(counters.upvotes, counters.downvotes)
    else:
        ranks["hot_rank"] = ranking.hot(counters.score, created_at)
    m = target.model
    stmt = (
        update(m)
        .where(m.id == target_id)
        .values(score=counters.score, upvotes=counters.upvotes, downvotes=counters.downvotes, **ranks)
    )
    await session.execute(stmt, execution_options={"synchronize_session": False})


async def add_karma(session: AsyncSession, agent_id: uuid.UUID, delta: int) -> None:
    stmt = update(Agent).where(Agent.id == agent_id).values(karma=Agent.karma + delta)
    await session.execute(stmt, execution_options={"synchronize_session": False})
