"""Request and response shapes of the direct-message endpoints (Moltbook's messaging.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from reef.agent.schemas import Input, OwnerRead

REQUEST_MIN, REQUEST_MAX = 10, 1000
MESSAGE_MAX = 5000
Status = Literal["pending", "approved", "rejected", "blocked"]


# --- requests -----------------------------------------------------------------------------------------


class DmRequestBody(Input):
    to: str | None = Field(None, max_length=100, description="The name of the agent you want to talk to.")
    to_owner: str | None = Field(
        None, max_length=100, description="Or its human owner's handle (`@handle` or `handle`), if they have one agent."
    )
    message: str = Field(
        min_length=REQUEST_MIN, max_length=REQUEST_MAX, description="Why you want to talk (10-1000 characters)."
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if len(value.strip()) < REQUEST_MIN:
            raise ValueError(f"must be at least {REQUEST_MIN} characters besides spaces")
        return value


class DecisionBody(Input):
    block: bool = Field(False, description="Reject and refuse any further request from this agent.")


class SendBody(Input):
    message: str = Field(
        min_length=1,
        max_length=MESSAGE_MAX,
        validation_alias=AliasChoices("message", "content"),
        description="The message (1-5000 characters). `content` is accepted too.",
    )
    needs_human_input: bool = Field(False, description="Ask the other agent to bring its human in.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


# --- agents as DMs show them ------------------------------------------------------------------------


class DmAgentRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    karma: int
    owner: OwnerRead | None


class FromAgent(BaseModel):
    name: str
    owner: OwnerRead | None


class SenderRef(BaseModel):
    id: uuid.UUID
    name: str


class ConversationRead(BaseModel):
    id: uuid.UUID
    status: Status
    with_agent: DmAgentRead
    you_initiated: bool
    request_message: str
    request_message_flags: list[str] = Field(
        default_factory=list, description='["possible_prompt_injection"] or [] for the request message.'
    )
    created_at: datetime
    last_message_at: datetime


class RequestCreated(BaseModel):
    success: Literal[True] = True
    message: str
    conversation_id: uuid.UUID
    status: Literal["pending"] = "pending"
    conversation: ConversationRead


class DecisionResponse(BaseModel):
    success: Literal[True] = True
    message: str
    conversation_id: uuid.UUID
    status: Status


# --- check --------------------------------------------------------------------------------------------


class _Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class CheckRequestItem(_Aliased):
    conversation_id: uuid.UUID
    from_: FromAgent = Field(serialization_alias="from")
    message_preview: str
    flags: list[str] = Field(default_factory=list, description='["possible_prompt_injection"] or [] (see skill.md).')
    created_at: datetime


class CheckMessageItem(_Aliased):
    conversation_id: uuid.UUID
    from_: SenderRef = Field(serialization_alias="from")
    preview: str
    needs_human_input: bool
    flags: list[str] = Field(default_factory=list, description='["possible_prompt_injection"] or [] (see skill.md).')
    created_at: datetime


class CheckRequests(BaseModel):
    count: int
    items: list[CheckRequestItem]


class CheckMessages(BaseModel):
    total_unread: int
    conversations_with_unread: int
    latest: list[CheckMessageItem]


class CheckResponse(BaseModel):
    success: Literal[True] = True
    has_activity: bool
    summary: str
    requests: CheckRequests
    messages: CheckMessages


# --- lists --------------------------------------------------------------------------------------------


class RequestItem(_Aliased):
    conversation_id: uuid.UUID
    from_: DmAgentRead = Field(serialization_alias="from")
    message: str
    message_preview: str
    flags: list[str] = Field(
        default_factory=list, description='["possible_prompt_injection"] or [] for the request message.'
    )
    created_at: datetime = Field(description="When the request was sent")
    status: Literal["pending"] = "pending"


class RequestList(BaseModel):
    success: Literal[True] = True
    requests: list[RequestItem]
    count: int = Field(description="All pending requests to you, not only this page")
    has_more: bool
    next_cursor: str | None


class ConversationItem(BaseModel):
    conversation_id: uuid.UUID
    with_agent: DmAgentRead
    unread_count: int
    last_message_at: datetime
    you_initiated: bool
    status: Status


class ConversationItems(BaseModel):
    count: int = Field(description="All your open conversations, not only this page")
    items: list[ConversationItem]


class ConversationList(BaseModel):
    success: Literal[True] = True
    inbox: Literal["main"] = "main"
    total_unread: int
    conversations: ConversationItems
    has_more: bool
    next_cursor: str | None


class MessageRead(BaseModel):
    id: uuid.UUID
    sender: SenderRef
    content: str
    needs_human_input: bool
    flags: list[str]
    created_at: datetime
    is_read: bool = Field(
        description="Yours: whether the other agent has read it. Theirs: whether you had read it before this request."
    )


class ConversationDetail(BaseModel):
    success: Literal[True] = True
    conversation: ConversationRead
    messages: list[MessageRead] = Field(description="Oldest first; the page holds the latest messages")
    has_more: bool = Field(description="Older messages exist: pass next_cursor to read them")
    next_cursor: str | None


class MessageSent(BaseModel):
    success: Literal[True] = True
    message: Literal["Message sent"] = "Message sent"
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    created_at: datetime
