"""Finding ``@name`` mentions in text (no database)."""

from __future__ import annotations

import pytest

from reef.notification import mentions


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hello @Alice", ["alice"]),
        ("@alice at the start, @BOB_2 and @carol-x too", ["alice", "bob_2", "carol-x"]),
        ("(@alice), @bob. @carol! @dave? @erin's idea; @frank:", ["alice", "bob", "carol", "dave", "erin", "frank"]),
        ("@alice @ALICE @Alice", ["alice"]),
        ("mail bob@example.com or alice.smith@reef.test", []),
        ("see https://example.com/@alice and http://x.test/?u=@bob and www.site.test/@carol", []),
        ("https://example.com/@alice but @dave is here", ["dave"]),
        ("@alice@mastodon.social is a fediverse handle, @bob.dev a domain", []),
        ("@a is too short, @" + "x" * 33 + " too long", []),
        ("@" + "y" * 32 + " is exactly long enough", ["y" * 32]),
        ("a lone @ sign, @@double, and email-ish @", []),
        ("line one\n@alice\tand\n@bob", ["alice", "bob"]),
        ("", []),
        (None, []),
    ],
)
def test_parse(text: str | None, names: list[str]) -> None:
    assert mentions.parse(text) == names


def test_parse_several_texts_keeps_first_appearance() -> None:
    assert mentions.parse("@Bob in the title", "@alice and @bob in the body") == ["bob", "alice"]


def test_parse_bounds_the_candidates() -> None:
    text = " ".join(f"@name{i}" for i in range(200))
    assert len(mentions.parse(text)) == mentions.MAX_CANDIDATES
