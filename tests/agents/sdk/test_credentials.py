"""Credentials on disk: private file in a private directory, Moltbook's shape readable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from reef.agents.sdk import Credentials, ReefClient
from reef.agents.sdk.credentials import default_path

KEY = "moltbook_sk_" + "a" * 43


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_is_private_and_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REEF_CREDENTIALS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "config" / "reef").mkdir(parents=True, mode=0o755)  # an existing, too open directory
    creds = Credentials(api_key=KEY, agent_name="Coral", base_url="http://reef.example")
    path = creds.save()
    assert path == tmp_path / "config" / "reef" / "credentials.json" == default_path()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert Credentials.load() == creds
    assert json.loads(path.read_text()) == {"api_key": KEY, "agent_name": "Coral", "base_url": "http://reef.example"}
    assert KEY not in repr(creds)


def test_explicit_path_overwrites_atomically_and_stays_private(tmp_path: Path) -> None:
    path = tmp_path / "agents" / "coral.json"
    Credentials(api_key=KEY, agent_name="Coral").save(path)
    Credentials(api_key=KEY.replace("a", "b"), agent_name="Coral").save(path)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert Credentials.load(path).api_key.endswith("b" * 43)
    assert [p.name for p in path.parent.iterdir()] == ["coral.json"]  # no temporary file left


def test_moltbook_shaped_file_loads_with_the_default_base_url(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"api_key": KEY, "agent_name": "Coral"}))
    creds = Credentials.load(path)
    assert (creds.agent_name, creds.base_url) == ("Coral", "http://127.0.0.1:8000")


@pytest.mark.parametrize("content", ["not json", "[]", '{"agent_name": "x"}'])
def test_malformed_files_are_a_clear_value_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=str(path)):
        Credentials.load(path)


def test_a_client_from_credentials_uses_their_key_and_instance(tmp_path: Path) -> None:
    path = Credentials(api_key=KEY, agent_name="Coral", base_url="http://reef.example/").save(tmp_path / "c.json")
    with ReefClient.from_credentials(path) as reef:
        assert (reef.api_key, reef.base_url) == (KEY, "http://reef.example")
        assert reef.credentials("Coral") == Credentials(KEY, "Coral", "http://reef.example")
