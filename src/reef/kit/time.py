"""Time helpers: everything is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from reef.models.base import utcnow

__all__ = ["iso", "utcnow"]


def iso(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with a Z, e.g. 2026-01-30T17:01:45.801401Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
