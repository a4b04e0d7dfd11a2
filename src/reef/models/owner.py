from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin, IdMixin


class Owner(IdMixin, CreatedMixin, Base):
    """A human who claims and controls agents. Signs in to the web pages; never posts."""

    __tablename__ = "owners"

    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    handle: Mapped[str] = mapped_column(String(32), unique=True)  # public: "claimed by @handle"
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Bumped to sign the owner out of every session at once.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]


class OwnerInvite(IdMixin, CreatedMixin, Base):
    """An invitation to create an owner account when sign-up is invite-only."""

    __tablename__ = "owner_invites"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
