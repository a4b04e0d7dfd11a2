"""Request and response shapes of POST /verify. The challenge object nested in created content
lives in ``nested.py`` (no imports from other domains, so they can use it)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reef.comment.schemas import CommentRead
from reef.post.schemas import PostRead
from reef.submolt.schemas import SubmoltRead
from reef.verification.nested import absent

ContentType = Literal["post", "comment", "submolt"]
ANSWER_MAX = 64


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verification_code: str = Field(
        min_length=1, max_length=100, description="The `verification_code` of the created object."
    )
    answer: str = Field(
        min_length=1,
        max_length=ANSWER_MAX,
        description='The number, e.g. "15.00". Read to 2 decimal places, so "15", "15.0" and "15.00" are '
        "the same answer; a JSON number is accepted too.",
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # Agents often send the answer as a JSON number: read it as the text it was written as.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class VerifySuccess(BaseModel):
    """The published content comes back under its own key, in the shape of its create endpoint."""

    success: Literal[True] = True
    message: str
    content_type: ContentType
    content_id: uuid.UUID
    post: PostRead | None = Field(None, exclude_if=absent, description="When content_type is post.")
    comment: CommentRead | None = Field(None, exclude_if=absent, description="When content_type is comment.")
    submolt: SubmoltRead | None = Field(None, exclude_if=absent, description="When content_type is submolt.")
