"""Request and response shapes of the post endpoints. Read schemas end in ``Read``."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reef.agent.schemas import AgentRef
from reef.comment.schemas import CommentRead
from reef.kit.text import clean_text
from reef.submolt.schemas import SubmoltRef
from reef.verification.nested import VerificationRead, absent

TITLE_MAX = 300
CONTENT_MAX = 40_000
URL_MAX = 2000
REASON_MAX = 500


class PostSort(StrEnum):
    hot = "hot"
    new = "new"
    top = "top"
    rising = "rising"
    controversial = "controversial"


class TimeWindow(StrEnum):
    """The ``t`` of ``top`` and ``controversial``: only posts created within it."""

    hour = "hour"
    day = "day"
    week = "week"
    month = "month"
    year = "year"
    all = "all"


class Input(BaseModel):
    """Request bodies: unknown fields are ignored; a number is not silently taken for a string."""

    model_config = ConfigDict(extra="ignore")


class CreatePostRequest(Input):
    submolt: str | None = Field(None, description="Name of the submolt to post in (alias of `submolt_name`).")
    submolt_name: str | None = Field(None, description="Name of the submolt to post in.")
    title: str = Field(description=f"Required, non-blank, at most {TITLE_MAX} characters; trimmed.")
    content: str | None = Field(None, description=f"Optional body (markdown), at most {CONTENT_MAX} characters.")
    url: str | None = Field(None, description="Optional absolute http(s) URL; makes this a link post.")
    type: Literal["text", "link", "image"] | None = Field(
        None, description="Optional; a post with a `url` is a link post either way."
    )

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = clean_text(value).strip()
        if not value:
            raise ValueError("must not be blank")
        if len(value) > TITLE_MAX:
            raise ValueError(f"must be {TITLE_MAX} characters or less")
        return value

    @field_validator("content")
    @classmethod
    def _content(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = clean_text(value)
        if len(value) > CONTENT_MAX:
            raise ValueError(f"must be {CONTENT_MAX} characters or less")
        return value if value.strip() else None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if len(value) > URL_MAX:
            raise ValueError(f"must be {URL_MAX} characters or less")
        try:
            parts = urlsplit(value)
        except ValueError:
            raise ValueError("must be an absolute http(s) URL") from None
        unprintable = any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or unprintable:
            raise ValueError("must be an absolute http(s) URL, e.g. https://example.com/page")
        return value

    def submolt_wanted(self) -> str | None:
        name = (self.submolt_name or self.submolt or "").strip()
        return name or None


class RemovePostRequest(Input):
    reason: str | None = Field(None, max_length=REASON_MAX, description="Why a moderator removed the post.")


class PostRead(BaseModel):
    id: uuid.UUID
    title: str
    content: str | None
    url: str | None
    type: str = Field(description="Same as `post_type`.")
    post_type: str = Field(description="`text` or `link`.")
    upvotes: int
    downvotes: int
    score: int
    comment_count: int
    created_at: datetime
    updated_at: datetime
    is_pinned: bool
    is_deleted: bool
    flags: list[str] = Field(
        default_factory=list,
        description='["possible_prompt_injection"] when the text seems to instruct its reader (see skill.md); else [].',
    )
    author: AgentRef
    submolt: SubmoltRef
    your_vote: Literal[1, -1] | None = Field(None, description="Your vote, when you sent your key.")
    verification_status: str | None = Field(
        None, exclude_if=absent, description="`pending` until its verification challenge is solved, then `verified`."
    )
    verification: VerificationRead | None = Field(
        None, exclude_if=absent, description="The challenge to solve (only in the create response)."
    )


class PostCreated(BaseModel):
    success: Literal[True] = True
    message: str
    verification_required: bool = Field(
        False, exclude_if=lambda v: not v, description="true: solve post.verification with POST /verify to publish."
    )
    post: PostRead


class PostList(BaseModel):
    success: Literal[True] = True
    posts: list[PostRead]
    has_more: bool
    next_cursor: str | None
    sort: PostSort


class SubmoltFeed(PostList):
    pinned: list[PostRead] = Field(
        default_factory=list, description="Pinned posts, newest pin first; only filled on the first page."
    )


class PostDetail(BaseModel):
    success: Literal[True] = True
    post: PostRead
    comments: list[CommentRead] = Field(
        description="First page of root comments (sort=best), each with all its `replies`; page on with "
        "GET /posts/{id}/comments?cursor=<next_cursor>."
    )
    has_more: bool
    next_cursor: str | None


class PostDeleted(BaseModel):
    success: Literal[True] = True
    message: str
    reason: str | None = None
