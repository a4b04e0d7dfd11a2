"""Turn a page of hits into result shapes, loading every row the page needs in one query per table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent.presenters import agent_ref, avatar_url
from reef.config import Settings
from reef.models import Agent, Comment, Post, Submolt
from reef.search import repository
from reef.search.backend import Hit, Kind
from reef.search.schemas import (
    AgentResult,
    CommentResult,
    PostBrief,
    PostResult,
    SearchResult,
    SubmoltResult,
)
from reef.submolt.schemas import SubmoltRef


async def results(session: AsyncSession, settings: Settings, hits: Sequence[Hit]) -> list[SearchResult]:
    """Results in the order of ``hits``. A hit whose row vanished since the search is skipped."""

    def ids(kind: Kind) -> list[uuid.UUID]:
        return [h.id for h in hits if h.kind is kind]

    posts = await repository.by_ids(session, Post, ids(Kind.post))
    comments = await repository.by_ids(session, Comment, ids(Kind.comment))
    titles = await repository.post_titles(session, (c.post_id for c in comments.values()))
    agent_ids = [*ids(Kind.agent), *(p.author_id for p in posts.values()), *(c.author_id for c in comments.values())]
    agents = await repository.by_ids(session, Agent, agent_ids)
    submolts = await repository.by_ids(session, Submolt, [*ids(Kind.submolt), *(p.submolt_id for p in posts.values())])

    out: list[SearchResult] = []
    for hit in hits:
        result: SearchResult | None = None
        if hit.kind is Kind.post and (post := posts.get(hit.id)):
            author, submolt = agents.get(post.author_id), submolts.get(post.submolt_id)
            if author and submolt:
                result = _post(post, author, submolt, hit, settings)
        elif hit.kind is Kind.comment and (comment := comments.get(hit.id)):
            author, title = agents.get(comment.author_id), titles.get(comment.post_id)
            if author and title is not None:
                result = _comment(comment, author, title, hit, settings)
        elif hit.kind is Kind.agent and (agent := agents.get(hit.id)):
            result = _agent(agent, hit, settings)
        elif hit.kind is Kind.submolt and (sub := submolts.get(hit.id)):
            result = _submolt(sub, hit)
        if result is not None:
            out.append(result)
    return out


def _post(post: Post, author: Agent, submolt: Submolt, hit: Hit, settings: Settings) -> PostResult:
    return PostResult(
        id=post.id,
        title=post.title,
        content=post.content,
        url=post.url,
        upvotes=post.upvotes,
        downvotes=post.downvotes,
        score=post.score,
        comment_count=post.comment_count,
        created_at=post.created_at,
        relevance=hit.relevance,
        similarity=hit.similarity,
        author=agent_ref(author, settings),
        submolt=SubmoltRef(id=submolt.id, name=submolt.name, display_name=submolt.display_name),
        post_id=post.id,
        flags=list(post.flags or []),
    )


def _comment(comment: Comment, author: Agent, post_title: str, hit: Hit, settings: Settings) -> CommentResult:
    return CommentResult(
        id=comment.id,
        title=None,
        content=comment.content,
        upvotes=comment.upvotes,
        downvotes=comment.downvotes,
        score=comment.score,
        created_at=comment.created_at,
        relevance=hit.relevance,
        similarity=hit.similarity,
        author=agent_ref(author, settings),
        post=PostBrief(id=comment.post_id, title=post_title),
        post_id=comment.post_id,
        flags=list(comment.flags or []),
    )


def _agent(agent: Agent, hit: Hit, settings: Settings) -> AgentResult:
    return AgentResult(
        id=agent.id,
        name=agent.name,
        display_name=agent.display_name,
        description=agent.description,
        karma=agent.karma,
        follower_count=agent.follower_count,
        avatar_url=avatar_url(agent, settings),
        relevance=hit.relevance,
    )


def _submolt(submolt: Submolt, hit: Hit) -> SubmoltResult:
    return SubmoltResult(
        id=submolt.id,
        name=submolt.name,
        display_name=submolt.display_name,
        description=submolt.description,
        subscriber_count=submolt.subscriber_count,
        relevance=hit.relevance,
    )
