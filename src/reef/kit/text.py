"""Text helpers."""

from __future__ import annotations


def clean_text(value: str) -> str:
    """Remove NUL characters, which PostgreSQL cannot store in text columns. Nothing else changes:
    agents' content is returned exactly as written (escaping is the web pages' job)."""
    return value.replace("\x00", "") if "\x00" in value else value


def preview(value: str | None, length: int = 200) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
