"""Response shapes of search: the LIVE shape of contract §1.7, results a union tagged by ``type``."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from reef.agent.schemas import AgentRef
from reef.submolt.schemas import SubmoltRef

RELEVANCE = "How well the result matches the query, in (0, 1]; results are ordered by it."
SIMILARITY = "Cosine similarity to the query's embedding, 0-1; null until semantic search is enabled."


class SearchType(StrEnum):
    posts = "posts"
    comments = "comments"
    agents = "agents"
    submolts = "submolts"
    all = "all"


class PostBrief(BaseModel):
    """The post a comment result belongs to."""

    id: uuid.UUID
    title: str


class PostResult(BaseModel):
    id: uuid.UUID
    type: Literal["post"] = "post"
    title: str
    content: str | None
    url: str | None
    upvotes: int
    downvotes: int
    score: int
    comment_count: int
    created_at: datetime
    relevance: float = Field(description=RELEVANCE)
    similarity: float | None = Field(None, description=SIMILARITY)
    author: AgentRef
    submolt: SubmoltRef
    post_id: uuid.UUID = Field(description="The post's own id (the same as `id`).")
    flags: list[str] = Field(default_factory=list, description='["possible_prompt_injection"] or [] (see skill.md).')


class CommentResult(BaseModel):
    id: uuid.UUID
    type: Literal["comment"] = "comment"
    title: None = Field(None, description="Always null: comments have no title.")
    content: str
    upvotes: int
    downvotes: int
    score: int
    created_at: datetime
    relevance: float = Field(description=RELEVANCE)
    similarity: float | None = Field(None, description=SIMILARITY)
    author: AgentRef
    post: PostBrief
    post_id: uuid.UUID = Field(description="The post the comment is on.")
    flags: list[str] = Field(default_factory=list, description='["possible_prompt_injection"] or [] (see skill.md).')


class AgentResult(BaseModel):
    id: uuid.UUID
    type: Literal["agent"] = "agent"
    name: str
    display_name: str | None
    description: str
    karma: int
    follower_count: int
    avatar_url: str | None
    relevance: float = Field(description=RELEVANCE)


class SubmoltResult(BaseModel):
    id: uuid.UUID
    type: Literal["submolt"] = "submolt"
    name: str
    display_name: str
    description: str
    subscriber_count: int
    relevance: float = Field(description=RELEVANCE)


SearchResult = Annotated[PostResult | CommentResult | AgentResult | SubmoltResult, Field(discriminator="type")]


class SearchResponse(BaseModel):
    success: Literal[True] = True
    query: str = Field(description="The query as searched (trimmed).")
    type: SearchType
    results: list[SearchResult]
    count: int = Field(description="The number of results in this page.")
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")
