"""Turn post rows into the one post read shape used by every endpoint that returns posts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import presenters as agent_presenters
from reef.agent import repository as agent_repository
from reef.config import Settings
from reef.models import Agent, Post, Submolt
from reef.post import repository
from reef.post.schemas import PostRead
from reef.submolt.schemas import SubmoltRef


def post_read(post: Post, author: Agent, submolt: Submolt, your_vote: int | None, settings: Settings) -> PostRead:
    return PostRead(
        id=post.id,
        title=post.title,
        content=post.content,
        url=post.url,
        type=post.post_type,
        post_type=post.post_type,
        upvotes=post.upvotes,
        downvotes=post.downvotes,
        score=post.score,
        comment_count=post.comment_count,
        created_at=post.created_at,
        updated_at=post.updated_at,
        is_pinned=post.pinned_at is not None,
        is_deleted=post.is_deleted,
        flags=list(post.flags or []),
        author=agent_presenters.agent_ref(author, settings),
        submolt=SubmoltRef(id=submolt.id, name=submolt.name, display_name=submolt.display_name),
        your_vote=your_vote,  # type: ignore[arg-type]
        verification_status=post.verification_status,
    )


async def post_reads(
    session: AsyncSession, settings: Settings, posts: Sequence[Post], viewer: Agent | None
) -> list[PostRead]:
    """Read shapes for a whole list: authors, submolts and the viewer's votes in one query each."""
    if not posts:
        return []
    authors = await agent_repository.by_ids(session, (p.author_id for p in posts))
    submolts = await repository.submolts_by_ids(session, (p.submolt_id for p in posts))
    votes = await repository.votes_of(session, viewer.id, (p.id for p in posts)) if viewer else {}
    return [
        post_read(p, authors[p.author_id], submolts[p.submolt_id], votes.get(p.id), settings)
        for p in posts
        if p.author_id in authors and p.submolt_id in submolts
    ]


async def post_read_one(session: AsyncSession, settings: Settings, post: Post, viewer: Agent | None) -> PostRead:
    return (await post_reads(session, settings, [post], viewer))[0]
