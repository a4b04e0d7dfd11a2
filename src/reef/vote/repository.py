"""Queries about votes. The only place in the vote domain that builds SQL.

Posts and comments vote alike; a ``Target`` names the tables and columns of one kind so each
query is written once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update
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
    submolt: Submolt  # the post's, for the live event


@dataclass(frozen=True)
class Counters:
    score: int
    upvotes: int
    downvotes: int


class _Statements:
    """One target kind's statements, built once: building a statement costs about as much as
    running it, and votes are among the most frequent writes."""

    def __init__(self, target: Target) -> None:
        m, vm = target.model, target.vote_model
        vote_fk = getattr(vm, target.vote_fk)
        lock: Any = select(m.author_id, m.score, m.upvotes, m.downvotes, m.created_at, Post.id, Submolt)
        lock = lock.add_columns(m.is_deleted, m.removed_at, m.verification_status)
        if target is COMMENT:
            lock = lock.add_columns(Post.is_deleted, Post.removed_at, Post.verification_status).join(
                Post, Post.id == Comment.post_id
            )
        self.lock_target = (
            lock.join(Submolt, Submolt.id == Post.submolt_id)
            .where(m.id == bindparam("target_id"))
            .with_for_update(of=m)
        )
        this_vote = (vm.agent_id == bindparam("voter_id"), vote_fk == bindparam("target_id"))
        # The voter's vote so far is read with the agents' lock, after the target's lock: only
        # votes change it, and they all hold that lock. (Read in the target's locking statement,
        # it could predate a vote that the lock waited for: on PostgreSQL a locking read that
        # waited re-reads only the locked row.)
        self.lock_agents = (
            select(
                Agent.id,
                Agent.name,
                exists().where(Follow.follower_id == bindparam("voter_id"), Follow.followed_id == Agent.id),
                select(vm.value).where(*this_vote).scalar_subquery(),
            )
            .where(Agent.id.in_(bindparam("agent_ids", expanding=True)))
            .order_by(Agent.id)
            .with_for_update(of=Agent)
        )
        # A plain INSERT: the primary key (agent, target) would refuse a second row even if the
        # lock were ever bypassed.
        self.insert_vote = insert(vm).values(
            {vm.agent_id: bindparam("voter_id"), vote_fk: bindparam("target_id"), vm.value: bindparam("value")}
        )
        no_sync = {"synchronize_session": False}
        self.change_vote = update(vm).where(*this_vote).values(value=bindparam("value")).execution_options(**no_sync)
        self.delete_vote = delete(vm).where(*this_vote).execution_options(**no_sync)
        rank = m.best_rank if target is COMMENT else m.hot_rank
        self.store_counters = (
            update(m)
            .where(m.id == bindparam("target_id"))
            .values(
                {
                    m.score: bindparam("score"),
                    m.upvotes: bindparam("upvotes"),
                    m.downvotes: bindparam("downvotes"),
                    m.controversy: bindparam("controversy"),
                    rank: bindparam("rank"),
                }
            )
            .execution_options(**no_sync)
        )


_STATEMENTS = {POST: _Statements(POST), COMMENT: _Statements(COMMENT)}

_ADD_KARMA = (
    update(Agent)
    .where(Agent.id == bindparam("agent_id"))
    .values(karma=Agent.karma + bindparam("delta"))
    .execution_options(synchronize_session=False)
)


async def lock_target(session: AsyncSession, target: Target, target_id: uuid.UUID) -> Locked | None:
    """Read the target and lock its row until the transaction ends, so votes on one target run
    one after another (``FOR UPDATE`` on PostgreSQL; SQLite writers already hold the database
    lock from ``BEGIN IMMEDIATE``)."""
    found = (await session.execute(_STATEMENTS[target].lock_target, {"target_id": target_id})).first()
    if found is None:
        return None
    author_id, score, ups, downs, created_at, post_id, submolt, *states = found
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
        submolt=submolt,
    )


@dataclass(frozen=True)
class LockedAgents:
    author_name: str
    voter_follows_author: bool
    previous_vote: int | None  # the voter's vote on the target so far


async def lock_agents(
    session: AsyncSession, target: Target, target_id: uuid.UUID, voter_id: uuid.UUID, author_id: uuid.UUID
) -> LockedAgents:
    """Lock the voter's and the author's rows in id order; read the author's name, whether the
    voter follows them, and the voter's vote on the target so far. Both rows are written (karma,
    and the voter's activity stamp at commit); taking them in one fixed order means two agents
    voting on each other's content at once cannot deadlock. Call it holding the target's lock."""
    params = {"voter_id": voter_id, "target_id": target_id, "agent_ids": sorted({voter_id, author_id})}
    for agent_id, name, is_followed, previous in await session.execute(_STATEMENTS[target].lock_agents, params):
        if agent_id == author_id:
            return LockedAgents(str(name), bool(is_followed), None if previous is None else int(previous))
    raise LookupError(f"the author {author_id} of a locked target is missing")


async def insert_vote(
    session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID, value: int
) -> None:
    params = {"voter_id": agent_id, "target_id": target_id, "value": value}
    await session.execute(_STATEMENTS[target].insert_vote, params)


async def change_vote(
    session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID, value: int
) -> None:
    params = {"voter_id": agent_id, "target_id": target_id, "value": value}
    await session.execute(_STATEMENTS[target].change_vote, params)


async def delete_vote(session: AsyncSession, target: Target, agent_id: uuid.UUID, target_id: uuid.UUID) -> None:
    await session.execute(_STATEMENTS[target].delete_vote, {"voter_id": agent_id, "target_id": target_id})


async def store_counters(
    session: AsyncSession, target: Target, target_id: uuid.UUID, counters: Counters, created_at: datetime
) -> None:
    """Write the target's new counters and the ranks computed from them, in one statement (the
    caller holds the row lock, so the values it read are still the stored ones)."""
    if target is COMMENT:
        rank = ranking.wilson_lower_bound(counters.upvotes, counters.downvotes)
    else:
        rank = ranking.hot(counters.score, created_at)
    params = {
        "target_id": target_id,
        "score": counters.score,
        "upvotes": counters.upvotes,
        "downvotes": counters.downvotes,
        "controversy": ranking.controversy(counters.upvotes, counters.downvotes),
        "rank": rank,
    }
    await session.execute(_STATEMENTS[target].store_counters, params)


async def add_karma(session: AsyncSession, agent_id: uuid.UUID, delta: int) -> None:
    await session.execute(_ADD_KARMA, {"agent_id": agent_id, "delta": delta})
