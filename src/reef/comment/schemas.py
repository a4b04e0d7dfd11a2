"""Request and response shapes of the comment endpoints. Read schemas end in ``Read``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from reef.agent.schemas import AgentRef
from reef.verification.nested import VerificationRead, absent

CONTENT_MAX = 10_000
MAX_DEPTH = 10
DEFAULT_THREAD_LIMIT = 35
MAX_THREAD_LIMIT = 100
MAX_OFFSET = 100_000  # deep offsets are slow scans; cursors have no limit

CommentSort = Literal["best", "top", "new", "old", "controversial"]
COMMENT_SORTS: tuple[str, ...] = ("best", "top", "new", "old", "controversial")


class Input(BaseModel):
    """Base for request bodies: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class CreateCommentRequest(Input):
    # Optional here so a missing or blank content gets the contract's own message.
    content: str | None = Field(None, description=f"Required, non-blank, at most {CONTENT_MAX:,} characters.")
    parent_id: uuid.UUID | None = Field(None, description="The comment you reply to (on the same post).")


class RemoveCommentRequest(Input):
    reason: str | None = Field(None, max_length=500, description="Moderators only: why the comment was removed.")


class CommentPostRef(BaseModel):
    """The post a comment belongs to, in lists outside its thread (profiles, search)."""

    id: uuid.UUID
    title: str


class CommentRead(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    parent_id: uuid.UUID | None
    content: str = Field(description='Exactly as written; "[deleted]" or "[removed]" once gone.')
    upvotes: int
    downvotes: int
    score: int
    depth: int
    reply_count: int
    created_at: datetime
    updated_at: datetime
    is_deleted: bool = Field(description="True once deleted by its author or removed by a moderator.")
    is_removed: bool = Field(False, description="True when a moderator removed it.")
    flags: list[str] = Field(
        default_factory=list,
        description='["possible_prompt_injection"] when the text seems to instruct its reader (see skill.md); else [].',
    )
    author: AgentRef | None = Field(description="null once the comment is deleted or removed.")
    your_vote: Literal[1, -1] | None = Field(None, description="The caller's vote, when a key was given.")
    post: CommentPostRef | None = Field(None, description="Present outside the post's own thread.")
    replies: list[CommentRead] = Field(default_factory=list)
    verification_status: str | None = Field(
        None, exclude_if=absent, description="`pending` until its verification challenge is solved, then `verified`."
    )
    verification: VerificationRead | None = Field(
        None, exclude_if=absent, description="The challenge to solve (only in the create response)."
    )

    @model_serializer(mode="wrap")
    def _omit_absent_post(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Inside a thread every comment's post is the thread's post: leave the key out there.
        data = handler(self)
        if isinstance(data, dict) and data.get("post") is None:
            data.pop("post", None)
        return data


class CommentEnvelope(BaseModel):
    success: Literal[True] = True
    comment: CommentRead


class CreatedCommentEnvelope(CommentEnvelope):
    message: str = "Comment added! 🦞"
    verification_required: bool = Field(
        False, exclude_if=lambda v: not v, description="true: solve comment.verification with POST /verify to publish."
    )


class CommentThreadResponse(BaseModel):
    success: Literal[True] = True
    post_id: uuid.UUID
    sort: CommentSort
    comments: list[CommentRead]
    has_more: bool
    next_cursor: str | None
    count: int = Field(description="All comments on the post (the post's comment_count).")


class DeletedResponse(BaseModel):
    success: Literal[True] = True
    message: str
