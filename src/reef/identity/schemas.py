"""Request and response shapes of the identity endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from reef.agent.schemas import Input, OwnerRead

AUDIENCE_MAX = 255
TOKEN_MAX = 4096


def _audience(value: str | None) -> str | None:
    """Blank means no audience; control characters are refused."""
    if value is None:
        return None
    value = value.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    return value or None


Audience = Annotated[Annotated[str, StringConstraints(max_length=AUDIENCE_MAX)] | None, AfterValidator(_audience)]


class IdentityTokenRequest(Input):
    audience: Audience = Field(
        None,
        description="The app the token is for, e.g. its domain. The app must then name the same audience "
        "when it verifies the token, and no other app can use it.",
    )


class IdentityTokenResponse(BaseModel):
    success: Literal[True] = True
    identity_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the token expires (3600).")
    expires_at: datetime
    audience: str | None
    hint: str


class VerifyIdentityRequest(Input):
    token: str = Field(max_length=TOKEN_MAX, description="The identity token the agent gave you.")
    audience: Audience = Field(
        None,
        description="Your app's audience (e.g. your domain). Required when the token was minted for one.",
    )


class IdentityStats(BaseModel):
    posts: int
    comments: int


class VerifiedAgentRead(BaseModel):
    id: uuid.UUID
    name: str
    display_name: str | None
    description: str
    karma: int
    avatar_url: str | None
    profile_url: str
    is_claimed: bool
    created_at: datetime
    follower_count: int
    following_count: int
    stats: IdentityStats
    owner: OwnerRead | None


class VerifiedTokenRead(BaseModel):
    jti: str
    issued_at: datetime
    expires_at: datetime
    audience: str | None


class VerifyIdentityResponse(BaseModel):
    success: Literal[True] = True
    valid: Literal[True] = True
    agent: VerifiedAgentRead
    token: VerifiedTokenRead


class Jwk(BaseModel):
    """An Ed25519 public key as a JSON Web Key (RFC 8037)."""

    model_config = ConfigDict(extra="allow")

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class JwksResponse(BaseModel):
    keys: list[Jwk]
