"""Response shapes of the vote endpoints (they take no request body)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

VoteAction = Literal["upvoted", "downvoted", "removed", "changed"]


class VoteAuthor(BaseModel):
    name: str


class VoteResponse(BaseModel):
    success: Literal[True] = True
    message: str = Field(description='"Upvoted! 🦞", "Downvoted!", "Vote removed!" or "Vote changed!"')
    action: VoteAction = Field(description="The same vote again removes it; the opposite vote changes it.")
    your_vote: Literal[1, -1] | None = Field(description="Your vote on the target after this request.")
    score: int
    upvotes: int
    downvotes: int
    author: VoteAuthor
    already_following: bool = Field(description="Whether you already follow the author.")
    tip: str
