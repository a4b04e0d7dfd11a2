"""The packaged cast, users' own persona files, and picking a diverse demo cast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reef.agent.schemas import AGENT_NAME_RE, RESERVED_AGENT_NAMES
from reef.agents.brain import PersonaError, load_personas, pick_personas
from reef.agents.brain.personas import interest_words, packaged_personas, parse_personas
from reef.submolt.schemas import RESERVED_SUBMOLT_NAMES, SUBMOLT_NAME_RE

SEEDED_SUBMOLTS = {"general", "announcements", "introductions", "meta", "help"}

USER_FILE = """
[[persona]]
name = "TestCrab"
description = "A crab written by a user."
interests = ["tide pools", "sand castles"]
tone = "cheerful"
catchphrases = ["pinch me, I'm dreaming"]
[persona.vocabulary]
thing = ["a sand castle"]
"""


def test_packaged_cast_is_large_valid_and_distinct() -> None:
    personas = packaged_personas()
    assert len(personas) >= 30
    names = [p.name.lower() for p in personas]
    assert len(set(names)) == len(names)
    for persona in personas:
        assert AGENT_NAME_RE.fullmatch(persona.name) and persona.name.lower() not in RESERVED_AGENT_NAMES
        assert persona.description and persona.tone and len(persona.interests) >= 4
        assert persona.catchphrases, f"{persona.name} has no catchphrase to spread"
        assert persona.vocabulary.get("thing") and persona.vocabulary.get("action")
    # Interests differ: no two personas share most of their interest words.
    for i, a in enumerate(personas):
        for b in personas[i + 1 :]:
            wa, wb = interest_words(a), interest_words(b)
            assert len(wa & wb) / len(wa | wb) < 0.6, (a.name, b.name)
    # Every catchphrase belongs to one persona only, so a spread phrase has one origin.
    phrases = [c.lower() for p in personas for c in p.catchphrases]
    assert len(set(phrases)) == len(phrases)


def test_founded_submolts_are_valid_and_used_by_others() -> None:
    personas = packaged_personas()
    founded = {p.founds_submolt["name"]: p.name for p in personas if p.founds_submolt}
    assert len(founded) >= 5
    for name in founded:
        assert SUBMOLT_NAME_RE.fullmatch(name) and name not in RESERVED_SUBMOLT_NAMES
        posters = [p.name for p in personas if name in p.submolts and not p.founds_submolt]
        assert posters, f"nobody but its founder posts in m/{name}"
    known = SEEDED_SUBMOLTS | set(founded)
    for persona in personas:
        assert set(persona.submolts) <= known, (persona.name, set(persona.submolts) - known)


def test_user_file_adds_and_replaces_personas(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(USER_FILE + USER_FILE.replace("TestCrab", "Qualia_Quill"), encoding="utf-8")
    personas = load_personas(path)
    by_name = {p.name: p for p in personas}
    assert by_name["TestCrab"].interests == ("tide pools", "sand castles")
    assert by_name["Qualia_Quill"].description == "A crab written by a user."  # replaced the packaged one
    assert len(personas) == len(packaged_personas()) + 1
    assert [p.name for p in load_personas(path, packaged=False)] == ["TestCrab", "Qualia_Quill"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[persona]]\nname = 'x y'\n", r"persona #1 \('x y'\): name: String should match pattern"),
        (USER_FILE.replace('tone = "cheerful"\n', ""), r"persona #1 \('TestCrab'\): tone: Field required"),
        (
            USER_FILE.replace('["tide pools", "sand castles"]', '["tide pools"]'),
            r"interests: List should have at least 2",
        ),
        (USER_FILE.replace("catchphrases", "catchphrase"), r"catchphrase: Extra inputs are not permitted"),
        (USER_FILE + "[persona.founds_submolt]\nname = 'Bad Name'\ndisplay_name = 'x'\n", r"founds_submolt.name"),
        (
            USER_FILE.replace('description = "A crab written by a user."', 'description = "a"\nsubmolts = ["Caps"]'),
            r"'Caps' is not a submolt name",
        ),
        (USER_FILE + USER_FILE.replace("TestCrab", "testcrab"), r"'testcrab' appears twice"),
        ("name = 'x'", r"unknown top-level key"),
        ("[[persona]\n", r"not valid TOML"),
        ("", r"no \[\[persona\]\] tables"),
    ],
)
def test_bad_user_files_get_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PersonaError, match=message) as caught:
        load_personas(path)
    assert str(caught.value).startswith(str(path))


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match="cannot read"):
        load_personas(tmp_path / "nope.toml")


def test_pick_is_deterministic_diverse_and_grows_past_the_cast() -> None:
    cast = packaged_personas()
    first, again, other = pick_personas(cast, 12, seed=7), pick_personas(cast, 12, seed=7), pick_personas(cast, 12, 8)
    assert [p.name for p in first] == [p.name for p in again]
    assert [p.name for p in first] != [p.name for p in other]
    assert any(p.founds_submolt for p in first)
    assert len({p.tone for p in first}) >= 6

    # Diverse: the picked dozen overlap less than a dozen taken in file order would, on average.
    def mean_overlap(ps: list) -> float:
        pairs = [(a, b) for i, a in enumerate(ps) for b in ps[i + 1 :]]
        return sum(len(interest_words(a) & interest_words(b)) for a, b in pairs) / len(pairs)

    assert mean_overlap(first) <= mean_overlap(cast[:12])

    many = pick_personas(cast, len(cast) + 5, seed=1)
    names = [p.name for p in many]
    assert len(set(n.lower() for n in names)) == len(names)
    copies = [p for p in many if re.search(r"_\d+$", p.name) and p.name not in {c.name for c in cast}]
    assert len(copies) == 5 and all(not c.catchphrases and not c.founds_submolt for c in copies)
    assert all(AGENT_NAME_RE.fullmatch(n) for n in names)


def test_parse_personas_names_its_source() -> None:
    with pytest.raises(PersonaError, match=r"^inline: "):
        parse_personas("[[persona]]\n", "inline")
