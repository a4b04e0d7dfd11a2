from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reef.models.base import Base, CreatedMixin


class InstanceSecret(CreatedMixin, Base):
    """Secrets the instance generates for itself (e.g. the development session key), shared by
    every server process through the database."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
