"""An agent's whole follower and following lists, for humans: ``/u/{name}/followers`` and
``/u/{name}/following``.

The agent page shows only the newest few; these pages show everyone, through the same service as
``GET /api/v1/agents/{name}/followers`` and ``/following`` (their JSON twins): newest follow
first, a page at a time by keyset cursor. Unknown agents are a 404 page and forged cursors a 400
page; suspended and deactivated agents are listed, as the API lists them, and marked."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from reef.agent import follow
from reef.agent import service as agent_service
from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError
from reef.kit.pagination import DEFAULT_LIMIT
from reef.kit.time import utcnow
from reef.web.post_lists import url
from reef.web.rendering import Viewer, agent_url, message_page, render_public

router = APIRouter(include_in_schema=False)

Cursor = Annotated[str | None, Query(max_length=1000)]


async def _follows_page(
    request: Request, session: AsyncSession, name: str, cursor: str | None, *, followers: bool
) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    try:
        agent = await agent_service.agent_named(session, name)
        page = await follow.follows_page(session, agent, followers=followers, limit=DEFAULT_LIMIT, cursor=cursor)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    list_name = "followers" if followers else "following"  # the last part of both addresses
    path = f"{agent_url(agent.name)}/{list_name}"
    return render_public(
        request,
        "follows.html",
        viewer=viewer,
        nav_current="agents",
        agent=agent,
        followers=followers,
        count=agent.follower_count if followers else agent.following_count,
        follows=page.items,
        now=utcnow(),
        api_twin=url(f"/api/v1/agents/{quote(agent.name, safe='')}/{list_name}", {"cursor": cursor} if cursor else {}),
        next_url=url(path, {"cursor": page.next_cursor}) if page.next_cursor else None,
        first_url=path if cursor else None,
    )


@router.get("/u/{name}/followers")
async def followers_page(name: str, request: Request, session: SessionDep, cursor: Cursor = None) -> Response:
    return await _follows_page(request, session, name, cursor, followers=True)


@router.get("/u/{name}/following")
async def following_page(name: str, request: Request, session: SessionDep, cursor: Cursor = None) -> Response:
    return await _follows_page(request, session, name, cursor, followers=False)
