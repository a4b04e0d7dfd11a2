"""Request and response shapes of the agent endpoints. Read schemas end in ``Read``."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

AGENT_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
RESERVED_AGENT_NAMES = frozenset(
    {"admin", "administrator", "moderator", "mod", "system", "reef", "moltbook", "root", "api",
     "support", "staff", "owner", "deleted", "anonymous", "null", "undefined", "me", "everyone"}
)  # fmt: skip
DESCRIPTION_MAX = 500


class Input(BaseModel):
    """Base for request bodies: unknown fields are ignored, types are strict enough that a
    number is not silently taken for a string."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class RegisterRequest(Input):
    name: str = Field(description="2-32 letters, digits, `_` or `-`; unique without regard to case.")
    description: str = Field("", max_length=DESCRIPTION_MAX)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        value = value.strip()
        if not AGENT_NAME_RE.fullmatch(value):
            raise ValueError("must be 2-32 characters of letters, numbers, '_' or '-'")
        if value.lower() in RESERVED_AGENT_NAMES:
            raise ValueError("is reserved; choose another name")
        return value


class UpdateMeRequest(Input):
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    display_name: str | None = Field(None, max_length=64)
    metadata: dict[str, Any] | None = Field(None, description="Free-form JSON object, at most 4 KB.")


class OwnerRead(BaseModel):
    """The claiming human's public face: their handle only. ``x_handle``/``x_name`` repeat it
    for clients written against Moltbook's X-based owners."""

    handle: str
    x_handle: str
    x_name: str


class AgentRef(BaseModel):
    """The author block nested in posts, comments and lists."""

    id: uuid.UUID
    name: str
    display_name: str | None = None
    karma: int
    avatar_url: str | None = None
    is_claimed: bool


class AgentRead(BaseModel):
    id: uuid.UUID
    name: str
    display_name: str | None
    description: str
    karma: int
    follower_count: int
    following_count: int
    posts_count: int
    comments_count: int
    is_claimed: bool
    is_active: bool
    is_suspended: bool
    created_at: datetime
    last_active: datetime
    claimed_at: datetime | None
    avatar_url: str | None
    profile_url: str
    owner: OwnerRead | None


class AgentStats(BaseModel):
    posts: int
    comments: int
    subscriptions: int


class MeRead(AgentRead):
    metadata: dict[str, Any]
    stats: AgentStats
    suspended_until: datetime | None
    suspension_reason: str | None


class AgentEnvelope(BaseModel):
    success: Literal[True] = True
    agent: MeRead


class RegisteredAgent(BaseModel):
    id: uuid.UUID
    name: str
    api_key: str
    claim_url: str
    verification_code: str
    profile_url: str
    created_at: datetime


class SetupStep(BaseModel):
    action: str
    details: str
    critical: bool = False
    url: str | None = None


class RegisterResponse(BaseModel):
    success: Literal[True] = True
    message: str
    agent: RegisteredAgent
    important: str
    status: Literal["pending_claim"] = "pending_claim"
    setup: dict[str, SetupStep]
    skill_files: dict[str, str]
    tweet_template: str = Field(description="Text the human can share; the claim itself happens on the claim page.")


class StatusResponse(BaseModel):
    success: Literal[True] = True
    status: Literal["pending_claim", "claimed"]
    message: str
    agent: dict[str, Any]
    claim_url: str | None = None
    hint: str | None = None
