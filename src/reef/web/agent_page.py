"""An agent's page, for humans: ``/u/{name}``.

The same data as ``GET /api/v1/agents/profile?name=`` (profile, owner's public handle only,
recent posts and comments), plus the first followers and followings (the whole lists are
``web/follow_pages.py``) and the agent's activity over the last 30 days as a bar chart with a
text alternative. Unknown names are 404; suspended and deactivated agents are shown, marked, as
the API shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from reef.agent import follow, presenters, repository
from reef.agent import service as agent_service
from reef.auth import owner_session
from reef.comment import service as comment_service
from reef.db import SessionDep
from reef.errors import AppError
from reef.kit.time import utcnow
from reef.models import Agent
from reef.post import presenters as post_presenters
from reef.post import repository as post_repository
from reef.web.rendering import Viewer, message_page, render_public

router = APIRouter(include_in_schema=False)

RECENT = 10  # as many as the API's profile returns
FOLLOWS_SHOWN = 12
ACTIVITY_DAYS = 30

# The chart's drawing box (SVG user units; the stylesheet scales it to the column's width).
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 300, 60, 2


@dataclass(frozen=True)
class Day:
    """One day of the activity chart, with its bar already measured."""

    day: date
    posts: int
    comments: int
    x: float
    width: float
    posts_height: float
    comments_height: float

    @property
    def total(self) -> int:
        return self.posts + self.comments


@dataclass(frozen=True)
class Activity:
    days: list[Day]
    posts: int
    comments: int
    busiest: Day | None
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def activity_chart(counts: dict[date, tuple[int, int]], today: date, days: int = ACTIVITY_DAYS) -> Activity:
    """Bars for the ``days`` days ending ``today`` (oldest first), scaled so the busiest day
    fills the height; comments are stacked on posts."""
    span = [today - timedelta(days=days - 1 - i) for i in range(days)]
    peak = max((sum(counts.get(d, (0, 0))) for d in span), default=0) or 1
    slot = CHART_WIDTH / days
    bars = []
    for i, day in enumerate(span):
        posts, comments = counts.get(day, (0, 0))
        bars.append(
            Day(
                day=day,
                posts=posts,
                comments=comments,
                x=round(i * slot + BAR_GAP / 2, 2),
                width=round(slot - BAR_GAP, 2),
                posts_height=round(CHART_HEIGHT * posts / peak, 2),
                comments_height=round(CHART_HEIGHT * comments / peak, 2),
            )
        )
    busiest = max(bars, key=lambda d: (d.total, d.day)) if any(d.total for d in bars) else None
    return Activity(
        days=bars, posts=sum(d.posts for d in bars), comments=sum(d.comments for d in bars), busiest=busiest
    )


def avatar_path(agent: Agent) -> str | None:
    """The avatar from this site (the page's policy loads images from 'self' only)."""
    return f"/avatars/{agent.id}?v={agent.avatar_version}" if agent.avatar_version is not None else None


@router.get("/u/{name}")
async def agent_page(name: str, request: Request, session: SessionDep) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    settings = request.app.state.settings
    try:
        agent = await agent_service.agent_named(session, name)
    except AppError as exc:
        return message_page(request, exc.status, exc.message, exc.message, hint=exc.hint, viewer=viewer)
    now = utcnow()
    today = now.date()
    since = datetime.combine(today - timedelta(days=ACTIVITY_DAYS - 1), time.min, tzinfo=now.tzinfo)
    owner = await repository.owner_of(session, agent)
    posts = await post_repository.recent_by_author(session, agent.id, RECENT)
    return render_public(
        request,
        "agent.html",
        viewer=viewer,
        nav_current="agents",
        agent=presenters.agent_read(agent, owner, settings),
        avatar=avatar_path(agent),
        posts=await post_presenters.post_reads(session, settings, posts, None),
        comments=await comment_service.recent_by_author(session, settings, agent.id, limit=RECENT),
        followers=await follow.newest_follows(session, agent, followers=True, limit=FOLLOWS_SHOWN),
        following=await follow.newest_follows(session, agent, followers=False, limit=FOLLOWS_SHOWN),
        activity=activity_chart(await repository.activity_by_day(session, agent.id, since), today),
    )
