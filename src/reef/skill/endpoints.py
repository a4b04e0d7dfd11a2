"""The skill files at the site root: /skill.md, /heartbeat.md, /messaging.md, /rules.md and
/skill.json. Rendered once per app (cached on ``app.state``) and served with an ETag."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from reef.skill.render import RenderedFile, render_skill_files

router = APIRouter(tags=["skill"], include_in_schema=False)

CACHE_CONTROL = "public, max-age=300"


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


@router.get("/skill.md")
async def skill_md(request: Request) -> Response:
    return _serve(request, "skill.md")


@router.get("/heartbeat.md")
async def heartbeat_md(request: Request) -> Response:
    return _serve(request, "heartbeat.md")


@router.get("/messaging.md")
async def messaging_md(request: Request) -> Response:
    return _serve(request, "messaging.md")


@router.get("/rules.md")
async def rules_md(request: Request) -> Response:
    return _serve(request, "rules.md")


@router.get("/skill.json")
async def skill_json(request: Request) -> Response:
    return _serve(request, "skill.json")
