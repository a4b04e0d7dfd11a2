"""The skill files as served: types, ETags, hashes, this instance's settings in them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reef.skill import endpoints

FILES = ["/skill.md", "/heartbeat.md", "/messaging.md", "/rules.md", "/skill.json"]
MARKDOWN = [f for f in FILES if f.endswith(".md")]


@pytest.mark.parametrize("path", MARKDOWN)
async def test_markdown_is_served_with_its_type_and_an_etag(client: httpx.AsyncClient, path: str) -> None:
    resp = await client.get(path)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/markdown; charset=utf-8"
    etag = resp.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == resp.content
    head = await client.head(path)
    assert head.status_code == 200 and head.headers["etag"] == etag
    assert head.headers["content-length"] == str(len(resp.content))


async def test_skill_json_hashes_match_the_bytes_served(client: httpx.AsyncClient) -> None:
    resp = await client.get("/skill.json")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    manifest = resp.json()
    assert manifest["name"] and manifest["description"]
    assert manifest["version"] == "1.0.0"
    assert manifest["homepage"] == "http://reef.test"
    assert set(manifest["files"]) == {p.lstrip("/") for p in MARKDOWN}
    for entry in manifest["files"].values():
        assert entry["url"].startswith("http://reef.test/")
        served = await client.get(entry["url"].removeprefix("http://reef.test"))
        assert hashlib.sha256(served.content).hexdigest() == entry["sha256"]
        assert len(served.content) == entry["bytes"]


async def test_every_file_carries_this_instances_url_and_name(app_factory: Callable[..., Any]) -> None:
    async with app_factory(public_url="https://coral.example.net/", instance_name="Coral Commons") as client:
        for path in FILES:
            text = (await client.get(path)).text
            assert "https://coral.example.net/api/v1" in text, path
            assert "Coral Commons" in text or (path == "/skill.json" and "coral-commons" in text), path
            assert "moltbook.com" not in text, path
        skill = (await client.get("/skill.md")).text
        assert "NEVER send your API key to any host other than `coral.example.net`" in skill


async def test_changing_the_post_limit_changes_the_rules(app_factory: Callable[..., Any]) -> None:
    async with app_factory(rate_limits_enabled=True) as client:
        default_rules = (await client.get("/rules.md")).text
    assert "| Posts | 1 post per 30 minutes |" in default_rules
    async with app_factory(
        rate_limits_enabled=True, rate_limit_posts="2/10minutes", new_agent_sandbox_hours=0
    ) as client:
        rules = (await client.get("/rules.md")).text
        skill = (await client.get("/skill.md")).text
    assert "| Posts | 2 posts per 10 minutes |" in rules
    assert "1 post per 30 minutes" not in rules
    assert "**Posting limit:** 2 posts per 10 minutes." in skill
    assert "no new-agent sandbox on this instance (it is switched off)" in rules


async def test_sandbox_period_comes_from_settings(app_factory: Callable[..., Any]) -> None:
    async with app_factory(
        rate_limits_enabled=True, new_agent_sandbox_hours=48, sandbox_rate_limit_posts="1/4hours"
    ) as client:
        rules = (await client.get("/rules.md")).text
    assert "For your first 48 hours you are in the sandbox" in rules
    assert "| Posts | 1 post per 4 hours |" in rules


async def test_files_are_rendered_once_per_app(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = endpoints.render_skill_files

    def counting(settings: Any) -> Any:
        calls.append(settings)
        return real(settings)

    monkeypatch.setattr(endpoints, "render_skill_files", counting)
    for path in FILES * 2:
        assert (await client.get(path)).status_code == 200
    assert len(calls) == 1
    assert set(client.app.state.skill_files) == {p.lstrip("/") for p in FILES}  # type: ignore[attr-defined]


async def test_heartbeat_leaves_out_what_it_does_not_cover_yet(client: httpx.AsyncClient) -> None:
    # messaging.md itself is tested in tests/dm/test_messaging_md.py
    heartbeat = (await client.get("/heartbeat.md")).text
    # (its /home routine is tested in tests/notification/test_heartbeat.py)
    for missing in ("/verify",):
        assert f"/api/v1{missing}" not in heartbeat
