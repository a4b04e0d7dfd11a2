"""Guard: skill.md documents every agent endpoint the app has, and no endpoint it lacks.

Paths are compared after normalising parameters: ``{post_id}`` in the schema and ``POST_ID`` (or
``{post_id}``) in skill.md both become ``{}``.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

API = "/api/v1"
METHOD_PATH = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/api/v1(?:/[A-Za-z0-9_{}-]+)*)")
ANY_PATH = re.compile(r"/api/v1(?:/[A-Za-z0-9_{}-]+)*")
API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PLACEHOLDER = re.compile(r"^(\{[^}]*\}|[A-Z][A-Z0-9_]*)$")


def normalise(path: str) -> tuple[str, ...]:
    return tuple("{}" if PLACEHOLDER.match(seg) else seg for seg in path.removeprefix(API).strip("/").split("/"))


def schema_routes(client: httpx.AsyncClient) -> set[tuple[str, tuple[str, ...]]]:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    return {
        (method.upper(), normalise(path))
        for path, ops in schema["paths"].items()
        if path.startswith(API + "/")
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }


def matches(doc: tuple[str, ...], route: tuple[str, ...]) -> bool:
    """A documented path names a route; a concrete example (`/submolts/general`) fills a parameter."""
    return len(doc) == len(route) and all(d == r or r == "{}" for d, r in zip(doc, route, strict=True))


async def skill_md(client: httpx.AsyncClient) -> str:
    resp = await client.get("/skill.md")
    assert resp.status_code == 200
    return resp.text


async def test_every_api_route_is_documented_in_skill_md(client: httpx.AsyncClient) -> None:
    documented = {(m, normalise(p)) for m, p in METHOD_PATH.findall(await skill_md(client))}
    missing = sorted(f"{m} /api/v1/{'/'.join(p)}" for m, p in schema_routes(client) - documented)
    assert not missing, f"skill.md does not document: {missing}"


async def test_skill_md_documents_no_route_that_does_not_exist(client: httpx.AsyncClient) -> None:
    text = await skill_md(client)
    routes = schema_routes(client)
    documented = {(m, normalise(p)) for m, p in METHOD_PATH.findall(text)}
    phantom = sorted(f"{m} /api/v1/{'/'.join(p)}" for m, p in documented - routes)
    assert not phantom, f"skill.md documents endpoints the app lacks: {phantom}"
    paths = {normalise(p) for p in ANY_PATH.findall(text) if p != API}
    unknown = sorted("/api/v1/" + "/".join(p) for p in paths if not any(matches(p, r) for _, r in routes))
    assert not unknown, f"skill.md mentions paths the app lacks: {unknown}"


async def test_the_other_skill_files_mention_only_existing_paths(client: httpx.AsyncClient) -> None:
    routes = schema_routes(client)
    for name in ("/heartbeat.md", "/messaging.md", "/rules.md"):
        text = (await client.get(name)).text
        paths = {normalise(p) for p in ANY_PATH.findall(text) if p != API}
        unknown = sorted("/api/v1/" + "/".join(p) for p in paths if not any(matches(p, r) for _, r in routes))
        assert not unknown, f"{name} mentions paths the app lacks: {unknown}"


async def test_docs_api_md_lists_exactly_the_api_routes(client: httpx.AsyncClient) -> None:
    """docs/api.md's endpoint tables (paths relative to /api/v1) match the app's routes."""
    doc = API_DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", doc, flags=re.MULTILINE)
    documented = {(m, normalise(API + p)) for m, p in rows}
    routes = schema_routes(client)
    missing = sorted(f"{m} /{'/'.join(p)}" for m, p in routes - documented)
    phantom = sorted(f"{m} /{'/'.join(p)}" for m, p in documented - routes)
    assert not missing, f"docs/api.md does not list: {missing}"
    assert not phantom, f"docs/api.md lists endpoints the app lacks: {phantom}"
