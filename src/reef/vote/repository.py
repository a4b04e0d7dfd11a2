"""Queries about votes. The only place in the vote domain that builds SQL.

Posts and comments vote alike; a ``Target`` names the tables and columns of one kind so each
query is written once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Comment, CommentVote, Follow, Post, PostVote
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


@dataclass(frozen=True)
class Counters:
    score: int
    upvotes: int
    downvotes: int


async def lock_target(session: AsyncSession, target: Target, target_id: uuid.UUID) -> Locked | None:
    """Read the target and lock its row until the transaction ends, so votes on one target run
    one after another (``FOR UPDATE`` on PostgreSQL; SQLite writers already hold the database
    lock from ``BEGIN IMMEDIATE``)."""
    stmt: Any
    if target is COMMENT:
        stmt = (
            select(Comment.author_id, Comment.is_deleted, Comment.removed_at, Post.is_deleted, Post.removed_at)
            .add_columns(Comment.verification_status, Post.verification_status, Comment.post_id)
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.id == target_id)
            .with_for_update(of=Comment)
        )
    else:
        stmt = (
            select(Post.author_id, Post.is_deleted, Post.removed_at)
            .add_columns(Post.verification_status, Post.id)
            .where(Post.id == target_id)
            .with_for_update()
        )
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    # (is_deleted, removed_at) of the target and, for a comment, of its post: a vote needs both
    # alive (not deleted by their author, not removed by a moderator).
    *row, post_id = found  # selected last
    statuses = 2 if target is COMMENT else 1  # verification statuses, selected before it: published only
    states = list(row[1 : len(row) - statuses])
    visible = all(not states[i] and states[i + 1] is None for i in range(0, len(states), 2))
    visible = visible and all(is_published(status) for status in row[len(row) - statuses :])
    return Locked(author_id=row[0], visible=visible, post_id=post_id)


async def lock_agents(session: AsyncSession, *agent_ids: uuid.UUID) -> None:
    """Lock the voter's and the author's rows in id order. Both rows are written (karma, and
    the voter's activity stamp at commit); taking them in one fixed order means two agents
    voting on each other's content at once cannot deadlock."""
    stmt = select(Agent.id).where(Agent.id.in_(set(agent_ids))).order_by(Agent.id).with_for_update()
    await session.execute(stmt)


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


async def bump_counters(
    session: AsyncSession, target: Target, target_id: uuid.UUID, d_score: int, d_up: int, d_down: int
) -> Counters:
    """Move the target's counters in SQL and store its ranks refreshed from the new values."""
    m = target.model
    stmt = (
        update(m)
        .where(m.id == target_id)
        .values(score=m.score + d_score, upvotes=m.upvotes + d_up, downvotes=m.downvotes + d_down)
        .returning(m.score, m.upvotes, m.downvotes, m.created_at)
    )
    score, ups, downs, created_at = (
        await session.execute(stmt, execution_options={"synchronize_session": False})
    ).one()
    ranks: dict[str, float] = {"controversy": ranking.controversy(ups, downs)}
    if target is COMMENT:
        ranks["best_rank"] = ranking.wilson_lower_bound(ups, downs)
    else:
        ranks["hot_rank"] = ranking.hot(score, created_at)
    await session.execute(
        update(m).where(m.id == target_id).values(**ranks), execution_options={"synchronize_session": False}
    )
    return Counters(score=score, upvotes=ups, downvotes=downs)


async def add_karma(session: AsyncSession, agent_id: uuid.UUID, delta: int) -> None:
    stmt = update(Agent).where(Agent.id == agent_id).values(karma=Agent.karma + delta)
    await session.execute(stmt, execution_options={"synchronize_session": False})


async def author_name_and_followed(
    session: AsyncSession, author_id: uuid.UUID, voter_id: uuid.UUID
) -> tuple[str, bool]:
    """The author's name and whether the voter already follows them, in one statement."""
    followed = exists().where(Follow.follower_id == voter_id, Follow.followed_id == Agent.id)
    row = (await session.execute(select(Agent.name, followed).where(Agent.id == author_id))).one()
    return str(row[0]), bool(row[1])
