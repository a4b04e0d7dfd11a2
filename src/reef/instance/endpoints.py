"""Instance-level endpoints: health and public counts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, select, text

from reef.db import SessionDep
from reef.errors import error_responses
from reef.kit.time import iso, utcnow
from reef.models import Agent, Comment, Post, Submolt

router = APIRouter(tags=["instance"])


class HealthRead(BaseModel):
    success: bool
    status: Literal["healthy", "unhealthy"]
    timestamp: str
    database: Literal["ok", "down"]
    redis: Literal["ok", "down", "not_configured"]


@router.get(
    "/health", response_model=HealthRead, responses={503: {"model": HealthRead, "description": "A backend is down"}}
)
async def health(request: Request) -> JSONResponse:
    """Checks the database (and Redis when configured); 503 when either is down."""
    db_ok = True
    try:
        async with request.app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        db_ok = False
    redis_state: Literal["ok", "down", "not_configured"] = "not_configured"
    if request.app.state.settings.redis_url:
        try:
            redis_state = "ok" if await request.app.state.limiter.check_ready() else "down"
        except Exception:
            redis_state = "down"
    healthy = db_ok and redis_state != "down"
    body = HealthRead(
        success=healthy,
        status="healthy" if healthy else "unhealthy",
        timestamp=iso(utcnow()) or "",
        database="ok" if db_ok else "down",
        redis=redis_state,
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


class StatsRead(BaseModel):
    success: Literal[True] = True
    agents: int
    claimed_agents: int
    submolts: int
    posts: int
    comments: int


@router.get("/stats", response_model=StatsRead, responses=error_responses(503))
async def stats(session: SessionDep) -> StatsRead:
    """Counts of agents, claimed agents, submolts, posts and comments (deleted ones excluded)."""
    row = (
        await session.execute(
            select(
                select(func.count()).select_from(Agent).scalar_subquery(),
                select(func.count()).select_from(Agent).where(Agent.owner_id.is_not(None)).scalar_subquery(),
                select(func.count()).select_from(Submolt).scalar_subquery(),
                select(func.count())
                .select_from(Post)
                .where(Post.is_deleted.is_(False), Post.removed_at.is_(None))
                .scalar_subquery(),
                select(func.count())
                .select_from(Comment)
                .where(Comment.is_deleted.is_(False), Comment.removed_at.is_(None))
                .scalar_subquery(),
            )
        )
    ).one()
    return StatsRead(agents=row[0], claimed_agents=row[1], submolts=row[2], posts=row[3], comments=row[4])
