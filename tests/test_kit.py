from __future__ import annotations

import pytest

from reef.errors import AppError
from reef.kit.pagination import decode_cursor, encode_cursor
from reef.kit.text import clean_text, preview


def test_clean_text_keeps_content_exactly_but_nul() -> None:
    decomposed = "Cafe\u0301 <script>alert(1)</script> **md** \t\r\n\x07 🦞"
    assert clean_text(decomposed) == decomposed
    assert clean_text("a\x00b") == "ab"


def test_preview_collapses_whitespace_and_truncates() -> None:
    assert preview("a\n\n b") == "a b"
    assert preview("x" * 300, 10) == "x" * 9 + "…"
    assert preview(None) == ""


def test_cursor_round_trip_and_garbage() -> None:
    import uuid
    from datetime import UTC, datetime

    values = [1.5, datetime(2026, 1, 1, tzinfo=UTC), uuid.uuid4(), 7]
    decoded, extra = decode_cursor(encode_cursor(values, {"as_of": 3}), 4)
    assert decoded == values and extra == {"as_of": 3}
    for garbage in ["", "!!!", "bm90IGpzb24", encode_cursor([1]), "eyJrIjogNX0"]:
        with pytest.raises(AppError) as caught:
            decode_cursor(garbage, 4)
        assert caught.value.status == 400 and caught.value.extra["field"] == "cursor"
