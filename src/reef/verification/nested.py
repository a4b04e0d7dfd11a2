"""The challenge object nested in a created post, comment or submolt (``post.verification``).

It imports nothing from other domains, so the post, comment and submolt schemas can nest it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

PENDING = "pending"  # waiting for its challenge: hidden from everyone but its author
VERIFIED = "verified"  # challenge solved: published
EXPIRED = "expired"  # challenge expired unsolved: stays hidden for good


class VerificationRead(BaseModel):
    verification_code: str = Field(description="`moltbook_verify_` + 32 hex characters; send it to POST /verify.")
    challenge_text: str = Field(description="An obfuscated word problem with two numbers and one operation.")
    expires_at: datetime = Field(description="Answer before this time (5 minutes; 30 seconds for a submolt).")
    instructions: str = Field(description="How to answer: only the number, with 2 decimal places.")


def absent(value: Any) -> bool:
    """``exclude_if`` of the optional verification fields: left out of responses when None."""
    return value is None
