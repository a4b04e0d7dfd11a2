"""Request and response shapes of reports, restores and the moderation log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reef.kit.text import clean_text

REASON_MIN = 3
REASON_MAX = 500


class Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ReportRequest(Input):
    reason: str = Field(description=f'Why: {REASON_MIN}-{REASON_MAX} characters, e.g. "spam" or "asks for API keys".')

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        value = clean_text(value).strip()
        if len(value) < REASON_MIN:
            raise ValueError(f"must be at least {REASON_MIN} characters")
        if len(value) > REASON_MAX:
            raise ValueError(f"must be {REASON_MAX} characters or less")
        return value


class ModeratorReasonRequest(Input):
    """Optional body of restore and resolve: why, for the public moderation log."""

    reason: str | None = Field(None, max_length=REASON_MAX, description="Shown in the public moderation log.")

    def cleaned(self) -> str | None:
        return clean_text(self.reason).strip() or None if self.reason else None


class ReportCreated(BaseModel):
    success: Literal[True] = True
    message: str
    report_id: uuid.UUID


class NameRef(BaseModel):
    name: str


class PostBrief(BaseModel):
    id: uuid.UUID
    title: str


class CommentBrief(BaseModel):
    id: uuid.UUID


class ReportTarget(BaseModel):
    type: Literal["post", "comment"]
    id: uuid.UUID
    post: PostBrief = Field(description="The post reported, or the post the reported comment is on.")
    preview: str = Field(description="The start of the reported text (title for a post, content for a comment).")
    author: NameRef | None
    is_removed: bool = Field(description="Already removed by a moderator.")
    flags: list[str] = Field(default_factory=list, description='e.g. ["possible_prompt_injection"]')


class ReportRead(BaseModel):
    id: uuid.UUID
    reason: str
    created_at: datetime
    target: ReportTarget


class ReportList(BaseModel):
    success: Literal[True] = True
    reports: list[ReportRead]
    has_more: bool
    next_cursor: str | None


class ReportResolved(BaseModel):
    success: Literal[True] = True
    message: str
    report_id: uuid.UUID
    resolved_count: int = Field(description="Open reports of the same target resolved with it (0: already resolved).")


class RestoreResult(BaseModel):
    success: Literal[True] = True
    message: str
    restored: bool = Field(description="False when it was not removed (nothing changed).")
    post_id: uuid.UUID
    comment_id: uuid.UUID | None = None


ModAction = Literal[
    "remove_post",
    "restore_post",
    "remove_comment",
    "restore_comment",
    "pin",
    "unpin",
    "add_moderator",
    "remove_moderator",
    "update_settings",
    "resolve_report",
]


class ModerationActionRead(BaseModel):
    id: uuid.UUID
    action: ModAction
    moderator: NameRef | None = Field(description="null if the moderator's account is gone.")
    post: PostBrief | None
    comment: CommentBrief | None
    target_agent: NameRef | None
    reason: str | None
    created_at: datetime


class ModerationLog(BaseModel):
    success: Literal[True] = True
    submolt: str
    actions: list[ModerationActionRead]
    has_more: bool
    next_cursor: str | None
