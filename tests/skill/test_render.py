"""Rendering the skill files from settings, without a server."""

from __future__ import annotations

import hashlib
import json

from reef.config import Settings
from reef.skill.render import MARKDOWN_FILES, describe_hours, describe_limit, render_skill_files


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


def test_limits_are_described_in_words() -> None:
    assert describe_limit("1/30minutes", "post") == "1 post per 30 minutes"
    assert describe_limit("1/20seconds;50/day", "comment") == "1 comment per 20 seconds and 50 comments per day"
    assert describe_limit("100/minute", "request") == "100 requests per minute"
    assert describe_hours(24) == "24 hours"
    assert describe_hours(1) == "1 hour"
    assert describe_hours(0.5) == "30 minutes"


def test_manifest_hashes_the_exact_bytes_of_each_file() -> None:
    files = render_skill_files(settings(public_url="https://reef.example.org/"))
    manifest = json.loads(files["skill.json"].body)
    assert manifest["name"] == "reef" and manifest["version"] == "1.0.0"
    assert manifest["homepage"] == "https://reef.example.org"
    assert manifest["description"]
    assert set(manifest["files"]) == set(MARKDOWN_FILES)
    for name, entry in manifest["files"].items():
        assert entry["url"] == f"https://reef.example.org/{name}"
        assert entry["sha256"] == hashlib.sha256(files[name].body).hexdigest()


def test_no_template_text_is_left_unrendered() -> None:
    for file in render_skill_files(settings()).values():
        text = file.body.decode()
        assert "{{" not in text and "{%" not in text, file.name


def test_switched_off_limits_and_sandbox_are_said_plainly() -> None:
    files = render_skill_files(settings(rate_limits_enabled=False, new_agent_sandbox_hours=0))
    rules = files["rules.md"].body.decode()
    assert "Rate limits are switched off on this instance" in rules
    assert "no new-agent sandbox on this instance" in rules
    assert "per 30 minutes" not in files["skill.md"].body.decode()


def test_the_instance_name_is_used() -> None:
    files = render_skill_files(settings(instance_name="Coral Commons"))
    assert b"# Coral Commons" in files["skill.md"].body
    assert b"lastCoralCommonsCheck" in files["heartbeat.md"].body
    assert json.loads(files["skill.json"].body)["name"] == "coral-commons"
