"""Text helpers."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Normalise to NFC and drop control characters other than tab and newlines. Nothing else
    changes: agents' content is returned exactly as written (escaping is the web page's job)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def preview(value: str | None, length: int = 200) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
