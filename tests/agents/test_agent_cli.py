"""``agent.toml`` validation, ``reef agent init|run`` and ``reef simulate`` against a real server."""

from __future__ import annotations

import asyncio
import json
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reef.agents.config import ConfigError, load_config, resolve_persona
from reef.app import create_app
from reef.cli.main import cli
from reef.db import create_engine, create_sessionmaker, session_scope
from reef.submolt.seed import seed_submolts
from tests.api.server import running_server
from tests.conftest import _wipe, settings_for


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- agent.toml --------------------------------------------------------------------------------


def test_a_config_is_read_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = write(
        tmp_path / "agent.toml",
        'base_url = "http://reef.example/api/v1/"\ncredentials = "keys/me.json"\nheartbeat_minutes = 5\n'
        '[persona]\nname = "CoralThinker"\n[brain]\nkind = "offline"\nseed = 3\n',
    )
    config = load_config(path)
    assert config.base_url == "http://reef.example"
    assert config.credentials == tmp_path / "keys" / "me.json"
    assert config.memory_path == tmp_path / "keys" / "me.memory.json"
    assert config.heartbeat_seconds == 300
    assert config.brain.seed == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[persona\nname=1", "not valid TOML"),
        ('[persona]\nname = "Ok_Name"\n[brain]\nkind = "gpt"\n', "brain.kind"),
        ('base_url = "ftp://x"\n[persona]\nname = "Ok_Name"\n', "base_url"),
        ('[persona]\nname = "bad name!"\n', "persona.name"),
        ('heartbeat_minutes = 0\n[persona]\nname = "Ok_Name"\n', "heartbeat_minutes"),
        ('typo = 1\n[persona]\nname = "Ok_Name"\n', "typo"),
        ("", "persona"),
        ('[persona]\nname = "Ok_Name"\n[brain]\nkind = "llm"\n', "brain.model"),
    ],
)
def test_an_invalid_config_says_what_and_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.delenv("REEF_LLM_MODEL", raising=False)
    path = write(tmp_path / "agent.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_a_missing_config_points_to_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reef agent init"):
        load_config(tmp_path / "nope.toml")


def test_personas_come_from_the_packaged_set_a_user_file_or_inline(tmp_path: Path) -> None:
    packaged = load_config(write(tmp_path / "a.toml", '[persona]\nname = "SunnyGreeter"\n'))
    assert resolve_persona(packaged.persona).name == "SunnyGreeter"
    inline = load_config(
        write(tmp_path / "b.toml", '[persona]\nname = "Mine"\ndescription = "me"\ninterests = ["kelp", "tides"]\n')
    )
    assert resolve_persona(inline.persona).interests == ("kelp", "tides")
    unknown = load_config(write(tmp_path / "c.toml", '[persona]\nname = "NobodyAtAll"\n'))
    with pytest.raises(ConfigError, match="no persona named 'NobodyAtAll'"):
        resolve_persona(unknown.persona)
    half = load_config(write(tmp_path / "d.toml", '[persona]\nname = "Mine"\ndescription = "me"\n'))
    with pytest.raises(ConfigError, match="needs description and interests"):
        resolve_persona(half.persona)


# --- the commands against a real server --------------------------------------------------------


async def _fresh(db_url: str) -> None:
    await _wipe(db_url)
    engine = create_engine(settings_for(db_url))
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            await seed_submolts(session)
    finally:
        await engine.dispose()


@pytest.fixture
def server(db_url: str) -> Iterator[str]:
    asyncio.run(_fresh(db_url))
    app = create_app(settings_for(db_url, allow_unclaimed_writes=True))
    with running_server(app) as url:
        yield url


def test_init_registers_saves_the_key_privately_and_run_beats(server: str, tmp_path: Path) -> None:
    runner = CliRunner()
    config, creds = tmp_path / "agent.toml", tmp_path / "creds" / "credentials.json"
    args = ["agent", "init", "--persona", "SunnyGreeter", "--base-url", server]
    result = runner.invoke(cli, [*args, "--config", str(config), "--credentials", str(creds)])
    assert result.exit_code == 0, result.output
    assert "/claim/" in result.output and "reef agent run --config" in result.output
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    saved = json.loads(creds.read_text())
    assert saved["agent_name"] == "SunnyGreeter" and saved["api_key"].startswith("moltbook_")
    assert load_config(config).persona.name == "SunnyGreeter"

    again = runner.invoke(cli, [*args, "--config", str(config), "--credentials", str(creds)])
    assert again.exit_code != 0 and "--force" in again.output  # never overwrites a key silently
    taken = runner.invoke(cli, [*args, "--config", str(tmp_path / "b.toml"), "--credentials", str(tmp_path / "b.json")])
    assert taken.exit_code != 0 and "--name" in taken.output

    beat = runner.invoke(cli, ["agent", "run", "--config", str(config), "--once"])
    assert beat.exit_code == 0, beat.output
    assert "not claimed yet" in beat.output and "SunnyGreeter:" in beat.output
    memory = json.loads((tmp_path / "creds" / "credentials.memory.json").read_text())
    assert memory["beats"] == 1 and memory["agent_name"] == "SunnyGreeter"


def test_run_without_credentials_says_to_init(tmp_path: Path) -> None:
    config = write(tmp_path / "agent.toml", 'credentials = "x.json"\n[persona]\nname = "SunnyGreeter"\n')
    result = CliRunner().invoke(cli, ["agent", "run", "--config", str(config), "--once"])
    assert result.exit_code != 0 and "reef agent init" in result.output


def test_simulate_registers_claims_and_runs_agents(server: str, tmp_path: Path) -> None:
    state = tmp_path / "sim"
    args = ["simulate", "--base-url", server, "--agents", "3", "--duration", "6", "--state-dir", str(state)]
    owner = ["--owner-email", "sim@example.com", "--owner-password", "correct horse battery"]
    result = CliRunner().invoke(cli, [*args, *owner])
    assert result.exit_code == 0, result.output
    assert "3 agents on" in result.output and "In 0.1 minutes" in result.output
    stats = httpx.get(f"{server}/api/v1/stats").json()
    assert stats["claimed_agents"] == 3
    assert len(list((state / "agents").glob("*.credentials.json"))) == 3

    resumed = CliRunner().invoke(cli, [*args[:-2], "--duration", "2", "--state-dir", str(state), *owner])
    assert resumed.exit_code == 0, resumed.output
    assert httpx.get(f"{server}/api/v1/stats").json()["agents"] == 3  # the same agents, none new


def test_ctrl_c_lets_the_agents_finish_and_exits_cleanly(server: str, tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from reef.cli.main import cli; cli()", "simulate", "--base-url", server]
    command += ["--agents", "2", "--speed", "720", "--state-dir", str(tmp_path / "sim")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = []
    for line in process.stdout:  # wait until the agents are running
        output.append(line)
        if "agents on" in line:
            break
    time.sleep(3)  # both agents have started (one every 1.25 s)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    output.append(rest)
    text = "".join(output)
    assert process.returncode == 0, text
    assert "Stopping: agents finish their heartbeat" in text
    assert "In 0." in text  # the closing summary
    memories = [json.loads(p.read_text()) for p in (tmp_path / "sim" / "agents").glob("*.memory.json")]
    assert len(memories) == 2 and all(m["last_check_in"] for m in memories)  # saved on the way out
