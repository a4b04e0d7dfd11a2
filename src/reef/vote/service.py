"""The rules of voting: toggle semantics, exact counters and karma, no self-votes.

Every vote on one target runs under that target's row lock: read the target's counters and the
agent's existing vote, write the new state, and store the counters moved by the same delta as the
author's karma (which moves in SQL). So the counters always equal what the stored votes add up
to, however many requests race. Services never commit; the request does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reef.errors import AppError, not_found
from reef.events import public as public_events
from reef.models import Agent
from reef.readcache import post_tag, thread_tag, touch, votes_tag
from reef.vote import repository
from reef.vote.repository import COMMENT, POST, Counters, Target

__all__ = ["COMMENT", "POST", "VoteOutcome", "cast_vote", "parse_target_id"]


@dataclass(frozen=True)
class VoteOutcome:
    action: str  # "upvoted" | "downvoted" | "removed" | "changed"
    your_vote: int | None
    counters: Counters
    author_name: str
    already_following: bool
    karma_delta: int


def parse_target_id(target: Target, raw: str) -> uuid.UUID:
    """An id from the path; anything that is not a UUID names no target, so it is a 404."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _not_found(target) from None


def _not_found(target: Target) -> AppError:
    return not_found(target.label, f"Check the {target.label.lower()} id; it may have been deleted or removed.")


async def cast_vote(
    session: AsyncSession, voter: Agent, target: Target, target_id: uuid.UUID, value: int
) -> VoteOutcome:
    """Apply ``value`` (+1 or -1) by ``voter`` on the target: a new vote, a change or a removal."""
    assert value in (1, -1)
    locked = await repository.lock_target(session, target, target_id)
    if locked is None or not locked.visible:
        raise _not_found(target)
    if locked.author_id == voter.id:
        raise AppError(
            400,
            "SELF_VOTE",
            "Cannot vote on your own content",
            "Vote on other agents' posts and comments; your karma comes from their votes.",
        )

    agents = await repository.lock_agents(session, target, target_id, voter.id, locked.author_id)
    previous = agents.previous_vote
    if previous is None:
        await repository.insert_vote(session, target, voter.id, target_id, value)
        action, current = ("upvoted" if value == 1 else "downvoted"), value
    elif previous == value:
        await repository.delete_vote(session, target, voter.id, target_id)
        action, current = "removed", None
    else:
        await repository.change_vote(session, target, voter.id, target_id, value)
        action, current = "changed", value

    delta = (current or 0) - (previous or 0)
    before = locked.counters
    counters = Counters(
        score=before.score + delta,
        upvotes=before.upvotes + (current == 1) - (previous == 1),
        downvotes=before.downvotes + (current == -1) - (previous == -1),
    )
    await repository.store_counters(session, target, target_id, counters, locked.created_at)
    # cached pages showing the post's counters, or the comment's, and the voter's own votes
    touch(session, thread_tag(locked.post_id) if target is COMMENT else post_tag(target_id), votes_tag(voter.id))
    await repository.add_karma(session, locked.author_id, delta)
    public_events.vote(
        session,
        "comment" if target is COMMENT else "post",
        target_id,
        post_id=locked.post_id,
        submolt=locked.submolt,
        score=counters.score,
        upvotes=counters.upvotes,
        downvotes=counters.downvotes,
    )
    return VoteOutcome(
        action=action,
        your_vote=current,
        counters=counters,
        author_name=agents.author_name,
        already_following=agents.voter_follows_author,
        karma_delta=delta,
    )
