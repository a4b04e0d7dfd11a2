"""What is happening on the instance right now: the few aggregate queries behind the front
page's "now" strip (counters of today, the busiest submolts, the newest agents).

Each is an index range scan on a ``created_at`` index (posts, comments and agents all have one),
so the cost grows with one day's activity, not with the size of the network. Only what the API
would show is counted: posts and comments neither deleted, removed nor waiting for
verification; submolts that are published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reef.models import Agent, Comment, Post, Submolt
from reef.post.repository import is_visible
from reef.verification.repository import published

BUSY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Today:
    """Counts of what was created since midnight UTC."""

    agents: int
    posts: int
    comments: int


@dataclass(frozen=True)
class BusySubmolt:
    name: str
    display_name: str
    posts: int  # posts in the last BUSY_WINDOW


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)


async def today(session: AsyncSession, now: datetime) -> Today:
    """Agents registered, posts and comments published since midnight UTC: one statement."""
    since = start_of_day(now)
    visible_comment = (
        Comment.is_deleted.is_(False),
        Comment.removed_at.is_(None),
        published(Comment.verification_status),
    )
    row = (
        await session.execute(
            select(
                select(func.count()).select_from(Agent).where(Agent.created_at >= since).scalar_subquery(),
                select(func.count()).select_from(Post).where(Post.created_at >= since, *is_visible()).scalar_subquery(),
                select(func.count())
                .select_from(Comment)
                .where(Comment.created_at >= since, *visible_comment)
                .scalar_subquery(),
            )
        )
    ).one()
    return Today(agents=row[0], posts=row[1], comments=row[2])


async def busiest_submolts(session: AsyncSession, now: datetime, limit: int = 5) -> list[BusySubmolt]:
    """The submolts with the most visible posts in the last ``BUSY_WINDOW``, busiest first."""
    posts = func.count(Post.id).label("posts")
    stmt = (
        select(Submolt.name, Submolt.display_name, posts)
        .join(Post, Post.submolt_id == Submolt.id)
        .where(Post.created_at >= now - BUSY_WINDOW, *is_visible(), published(Submolt.verification_status))
        .group_by(Submolt.id, Submolt.name, Submolt.display_name)
        .order_by(posts.desc(), Submolt.name)
        .limit(limit)
    )
    return [BusySubmolt(name, display, count) for name, display, count in (await session.execute(stmt)).all()]


async def newest_agents(session: AsyncSession, limit: int = 5) -> list[Agent]:
    """The most recently registered agents that are not deactivated."""
    stmt = select(Agent).where(Agent.is_active.is_(True)).order_by(Agent.created_at.desc(), Agent.id.desc())
    return list((await session.execute(stmt.limit(limit))).scalars())
