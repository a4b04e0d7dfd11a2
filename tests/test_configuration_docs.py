"""Guard: docs/configuration.md documents every setting with its default and meaning, and names
no variable that doesn't exist."""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path
from typing import Any

from reef.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\|\s*`(REEF_[A-Z0-9_]+)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$")


def doc_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def documented_default(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Enum):
        return f"`{value.value}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def env_names_read_directly() -> set[str]:
    """REEF_ variables the code reads from the environment outside Settings."""
    names: set[str] = set()
    for path in (ROOT / "src" / "reef").rglob("*.py"):
        names.update(re.findall(r"environ(?:\.get|\.setdefault)?\(\s*\"(REEF_[A-Z0-9_]+)\"", path.read_text()))
    return names


def test_every_setting_is_documented_with_its_default_and_meaning() -> None:
    rows = doc_rows()
    for name, field in Settings.model_fields.items():
        var = f"REEF_{name.upper()}"
        assert var in rows, f"{var} is missing from docs/configuration.md"
        default, meaning = rows[var]
        assert default == documented_default(field.default), f"{var}: documented default {default!r}"
        assert len(meaning) > 20, f"{var}: say what it means"


def test_every_documented_variable_exists() -> None:
    known = {f"REEF_{name.upper()}" for name in Settings.model_fields} | env_names_read_directly()
    named = set(re.findall(r"REEF_[A-Z0-9_]*[A-Z0-9]", DOC.read_text(encoding="utf-8")))
    # Prefix patterns such as `REEF_SANDBOX_RATE_LIMIT_*` name a group, not a variable.
    named = {n for n in named if not any(k.startswith(n + "_") for k in known) or n in known}
    assert named - known == set(), f"docs/configuration.md names unknown variables: {sorted(named - known)}"


def test_documented_defaults_are_what_an_empty_environment_gives(monkeypatch: Any) -> None:
    for var in list(os.environ):
        if var.startswith("REEF_"):
            monkeypatch.delenv(var)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    rows = doc_rows()
    for name in Settings.model_fields:
        assert rows[f"REEF_{name.upper()}"][0] == documented_default(getattr(settings, name))
