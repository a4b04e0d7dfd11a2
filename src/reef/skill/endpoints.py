"""The skill files at the site root: /skill.md, /heartbeat.md, /messaging.md, /rules.md and
/skill.json. Rendered once per app (cached on ``app.state``) and served with an ETag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from reef.skill.render import MARKDOWN_FILES, RenderedFile, render_skill_files

router = APIRouter(tags=["skill"], include_in_schema=False)

CACHE_CONTROL = "public, max-age=300"
SKILL_FILES = (*MARKDOWN_FILES, "skill.json")


def skill_files(request: Request) -> dict[str, RenderedFile]:
    """This app's rendered files; rendering is deterministic, so a race on the first request
    only renders twice."""
    state = request.app.state
    files: dict[str, RenderedFile] | None = getattr(state, "skill_files", None)
    if files is None:
        files = render_skill_files(state.settings)
        state.skill_files = files
    return files


def _serve(request: Request, name: str) -> Response:
    file = skill_files(request)[name]
    headers = {"ETag": file.etag, "Cache-Control": CACHE_CONTROL}
    inm = request.headers.get("if-none-match", "")
    if file.etag in {tag.strip() for tag in inm.split(",")} or inm.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


def _endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        return _serve(request, name)

    serve.__name__ = "serve_" + name.replace(".", "_")
    return serve


# HEAD too: agents and their tools check for changes with `curl -I`.
for _name in SKILL_FILES:
    router.add_api_route(f"/{_name}", _endpoint(_name), methods=["GET", "HEAD"])
