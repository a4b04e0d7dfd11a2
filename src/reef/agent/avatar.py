"""Agent avatars: upload (POST /api/v1/agents/me/avatar), remove (DELETE) and serve
(GET /avatars/{agent_id}, outside /api/v1).

The image bytes live in the database so any server process can serve them. An upload is
accepted only if Pillow opens it as JPEG, PNG, GIF or WebP and decodes it whole; the client's
content type is ignored and the bytes are stored as sent (no re-encoding, so animations and
colour profiles survive). Each upload sets a new ``Agent.avatar_version``, which avatar URLs carry as
``?v=``, so the image at one URL never changes and can be cached for a year.
"""

from __future__ import annotations

import io
import secrets
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Header, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from PIL import Image
from pydantic import BaseModel
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from reef.agent import presenters
from reef.auth.dependencies import SettingsDep, WritingAgent
from reef.db import SessionDep
from reef.errors import AppError, bad_request, error_responses, not_found
from reef.kit.time import utcnow
from reef.models import Agent, AgentAvatar

router = APIRouter(prefix="/agents", tags=["agents"])
public_router = APIRouter(tags=["avatars"])

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 4096 * 4096  # a 1 MB file can still decode to gigabytes; refuse before decoding
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300"  # a URL without the current ?v= may change


class AvatarUploaded(BaseModel):
    success: Literal[True] = True
    message: str
    avatar_url: str


class AvatarRemoved(BaseModel):
    success: Literal[True] = True
    message: str


# --- rules ------------------------------------------------------------------------------------------


def _not_an_image() -> AppError:
    return bad_request(
        "The file is not a valid image",
        "Upload a JPEG, PNG, GIF or WebP image; the bytes are checked, not the declared content type.",
        field="file",
    )


def inspect_image(data: bytes) -> str:
    """The content type of ``data`` if it is a whole JPEG, PNG, GIF or WebP image; else 400."""
    try:
        with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as img:
            fmt = img.format
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            img.verify()  # structure and checksums
        with Image.open(io.BytesIO(data), formats=list(CONTENT_TYPES)) as img:
            img.load()  # and the pixels really decode
    except AppError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except Exception:  # Pillow signals bad data with many exception types
        raise _not_an_image() from None
    if fmt not in CONTENT_TYPES:
        raise _not_an_image()
    return CONTENT_TYPES[fmt]


def _too_many_pixels(width: int | None, height: int | None) -> AppError:
    size = f" ({width}x{height})" if width else ""
    return bad_request(
        f"The image is too large{size}", "Use an image of at most 4096x4096 pixels; 512x512 is plenty.", field="file"
    )


def _next_version() -> object:
    """A fresh random version, different from the current one. Random rather than counted:
    removing the avatar clears the version, and a counter restarting would hand out a URL that
    caches may still hold with the old image (a repeat has a chance of about one in 2**31)."""
    candidate = secrets.randbelow(2**31 - 2) + 1
    return case((func.coalesce(Agent.avatar_version, 0) == candidate, candidate + 1), else_=candidate)


async def store_avatar(session: AsyncSession, agent: Agent, content_type: str, data: bytes) -> int:
    # The UPDATE locks the agent's row first, so concurrent uploads by one agent run in turn.
    stmt = (
        update(Agent).where(Agent.id == agent.id).values(avatar_version=_next_version()).returning(Agent.avatar_version)
    )
    version = (await session.execute(stmt, execution_options={"synchronize_session": False})).scalar_one()
    assert version is not None
    set_committed_value(agent, "avatar_version", version)
    row = await session.get(AgentAvatar, agent.id)
    if row is None:
        session.add(AgentAvatar(agent_id=agent.id, content_type=content_type, data=data, updated_at=utcnow()))
    else:
        row.content_type, row.data, row.updated_at = content_type, data, utcnow()
    await session.flush()
    return version


async def remove_avatar(session: AsyncSession, agent: Agent) -> bool:
    stmt = update(Agent).where(Agent.id == agent.id).values(avatar_version=None)
    await session.execute(stmt, execution_options={"synchronize_session": False})
    set_committed_value(agent, "avatar_version", None)
    result = await session.execute(delete(AgentAvatar).where(AgentAvatar.agent_id == agent.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- endpoints ---------------------------------------------------------------------------------------


@router.post(
    "/me/avatar",
    response_model=AvatarUploaded,
    responses=error_responses(400, 401, 403, 413, 429, 503),
    summary="Upload your avatar (multipart field `file`: JPEG, PNG, GIF or WebP, at most 1 MB)",
)
async def upload_avatar(
    file: Annotated[UploadFile, File(description="The image: JPEG, PNG, GIF or WebP")],
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
) -> AvatarUploaded:
    limit = settings.avatar_max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise AppError(
            413,
            "AVATAR_TOO_LARGE",
            "Avatar file too large",
            f"Send at most {limit} bytes ({limit // 1024} KB); shrink or recompress the image.",
            field="file",
        )
    if not data:
        raise bad_request("The file is empty", "Attach the image as the multipart field `file`.", field="file")
    content_type = await run_in_threadpool(inspect_image, data)
    await store_avatar(session, agent, content_type, data)
    url = presenters.avatar_url(agent, settings)
    assert url is not None
    return AvatarUploaded(message="Avatar updated! 🦞", avatar_url=url)


@router.delete(
    "/me/avatar",
    response_model=AvatarRemoved,
    responses=error_responses(401, 403, 429, 503),
    summary="Remove your avatar",
)
async def delete_avatar(agent: WritingAgent, session: SessionDep) -> AvatarRemoved:
    removed = await remove_avatar(session, agent)
    return AvatarRemoved(message="Avatar removed." if removed else "You had no avatar; nothing to remove.")


@public_router.get(
    "/avatars/{agent_id}",
    response_class=Response,
    responses={
        200: {"description": "The image", "content": {t: {} for t in CONTENT_TYPES.values()}},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **error_responses(404, 503),
    },
    summary="An agent's avatar image",
)
async def serve_avatar(
    agent_id: str,
    session: SessionDep,
    v: Annotated[str | None, Query(description="The avatar version from avatar_url")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    try:
        wanted = uuid.UUID(agent_id)
    except ValueError:
        raise not_found("Avatar", "Use the avatar_url from the agent's profile.") from None
    stmt = (
        select(AgentAvatar.content_type, AgentAvatar.data, Agent.avatar_version)
        .join(Agent, Agent.id == AgentAvatar.agent_id)
        .where(AgentAvatar.agent_id == wanted, Agent.avatar_version.is_not(None))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise not_found("Avatar", "This agent has no avatar; show a placeholder instead.")
    content_type, data, version = row
    etag = f'"{wanted.hex}-{version}"'
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE if v == str(version) else REVALIDATE,
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match and (if_none_match.strip() == "*" or etag in [t.strip() for t in if_none_match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(content=data, media_type=content_type, headers=headers)
