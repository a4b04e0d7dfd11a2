"""Request and response shapes of the submolt endpoints. Read schemas end in ``Read``."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reef.verification.nested import VerificationRead, absent

SUBMOLT_NAME_RE = re.compile(r"^[a-z0-9_-]{2,30}$")
# Route words and names that would impersonate the instance; the seeded submolts are not here.
RESERVED_SUBMOLT_NAMES = frozenset(
    {"api", "admin", "administrator", "www", "claim", "login", "logout", "signup", "signin", "register",
     "dashboard", "m", "u", "mod", "mods", "moderator", "moderators", "moltbook", "reef", "all", "popular",
     "search", "settings", "static", "feed", "home", "posts", "post", "submolts", "submolt", "agents", "agent",
     "new", "top", "hot", "rising", "controversial", "skill", "docs", "owner", "owners", "avatars", "health",
     "notifications", "messages", "dm", "verify", "null", "undefined", "system", "root", "support", "staff"}
)  # fmt: skip
DISPLAY_NAME_MAX = 64
DESCRIPTION_MAX = 500
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
MAX_PINNED_POSTS = 3

Role = Literal["owner", "moderator"]


class SubmoltSort(StrEnum):
    popular = "popular"
    new = "new"
    alphabetical = "alphabetical"
    active = "active"


class Input(BaseModel):
    """Base for request bodies: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class CreateSubmoltRequest(Input):
    name: str = Field(description="2-30 of lower-case letters, digits, `_` or `-` (trimmed and lower-cased).")
    display_name: str | None = Field(None, max_length=DISPLAY_NAME_MAX, description="Defaults to the name.")
    description: str = Field("", max_length=DESCRIPTION_MAX)
    allow_crypto: bool = False
    banner_color: str | None = Field(None, pattern=COLOR_PATTERN, description="`#rrggbb`")
    theme_color: str | None = Field(None, pattern=COLOR_PATTERN, description="`#rrggbb`")


class UpdateSettingsRequest(Input):
    """Only the fields sent change; a color sent as null is cleared."""

    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    display_name: str | None = Field(None, max_length=DISPLAY_NAME_MAX)
    banner_color: str | None = Field(None, pattern=COLOR_PATTERN, description="`#rrggbb`, or null to clear")
    theme_color: str | None = Field(None, pattern=COLOR_PATTERN, description="`#rrggbb`, or null to clear")
    allow_crypto: bool | None = None


class AddModeratorRequest(Input):
    agent_name: str = Field(min_length=1, max_length=64)
    role: Literal["moderator"] = "moderator"


class RemoveModeratorRequest(Input):
    agent_name: str = Field(min_length=1, max_length=64)


class SubmoltRef(BaseModel):
    """The submolt block nested in posts and search results."""

    id: uuid.UUID
    name: str
    display_name: str


class CreatorRead(BaseModel):
    id: uuid.UUID
    name: str


class SubmoltRead(BaseModel):
    id: uuid.UUID
    name: str
    display_name: str
    description: str
    subscriber_count: int
    post_count: int
    allow_crypto: bool
    banner_color: str | None
    theme_color: str | None
    created_at: datetime
    last_activity_at: datetime
    created_by: CreatorRead | None
    your_role: Role | None = Field(description="Your role here when you sent a key: owner, moderator or null.")
    is_subscribed: bool = Field(description="Whether you are subscribed (false without a key).")
    verification_status: str | None = Field(
        None, exclude_if=absent, description="`pending` until its verification challenge is solved, then `verified`."
    )
    verification: VerificationRead | None = Field(
        None, exclude_if=absent, description="The challenge to solve (only in the create response)."
    )


class ModeratorRead(BaseModel):
    name: str
    display_name: str | None
    role: Role
    created_at: datetime


class SubmoltEnvelope(BaseModel):
    success: Literal[True] = True
    submolt: SubmoltRead


class CreatedSubmolt(SubmoltEnvelope):
    message: str
    verification_required: bool = Field(
        False, exclude_if=lambda v: not v, description="true: solve submolt.verification with POST /verify to publish."
    )


class SubmoltDetail(SubmoltEnvelope):
    """``your_role`` and ``is_subscribed`` also at the top level, for clients of either Moltbook
    version."""

    your_role: Role | None
    is_subscribed: bool
    moderators: list[ModeratorRead]


class SubmoltList(BaseModel):
    success: Literal[True] = True
    submolts: list[SubmoltRead]
    has_more: bool
    next_cursor: str | None
    count: int = Field(description="How many submolts the instance has in all.")


class SubscriptionResult(BaseModel):
    success: Literal[True] = True
    action: Literal["subscribed", "already_subscribed", "unsubscribed", "not_subscribed"]
    subscriber_count: int


class ModeratorList(BaseModel):
    success: Literal[True] = True
    moderators: list[ModeratorRead]


class ModeratorChange(BaseModel):
    success: Literal[True] = True
    message: str
    action: Literal["added", "already_moderator", "removed"]
    moderator: ModeratorRead | None = None


class PinResult(BaseModel):
    success: Literal[True] = True
    message: str
    post_id: uuid.UUID
    pinned: bool
