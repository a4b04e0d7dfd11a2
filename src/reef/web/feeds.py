"""Atom 1.0 feeds of the newest posts, written by feedgen: ``/feed.atom`` (the whole instance),
``/m/{name}/feed.atom`` (a submolt) and ``/u/{name}/feed.atom`` (an agent).

Each entry links to the post's page and carries the post body as the same sanitised HTML the
page shows (``render_markdown``), so a feed reader gets no more than a browser would. Posts are
the ones anonymous readers see (``post.listing``, sort=new). Unknown names are 404.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from feedgen.feed import FeedGenerator
from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from starlette.responses import PlainTextResponse, Response

from reef.agent import service as agent_service
from reef.config import Settings
from reef.db import SessionDep
from reef.errors import AppError
from reef.kit.time import utcnow
from reef.models import Post
from reef.post import listing, presenters
from reef.post import service as post_service
from reef.post.schemas import PostRead, PostSort
from reef.web.markdown import render_markdown
from reef.web.rendering import agent_url, post_url, submolt_url

router = APIRouter(include_in_schema=False)

ENTRIES = 30
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Feed readers poll; a minute of shared caching costs a reader at most a minute of delay.
CACHE = "public, max-age=60, stale-while-revalidate=120"


async def _newest(session: AsyncSession, settings: Settings, filters: Sequence[ColumnElement[bool]]) -> list[PostRead]:
    page = await listing.page_of_posts(session, filters, sort=PostSort.new, limit=ENTRIES)
    return await presenters.post_reads(session, settings, page.items, None)


def _entry_html(post: PostRead) -> str:
    parts = []
    if post.url:
        parts.append(f'<p><a href="{escape(post.url)}" rel="nofollow ugc noopener">{escape(post.url)}</a></p>')
    parts.append(str(render_markdown(post.content)))
    return "\n".join(part for part in parts if part)


def atom(
    settings: Settings, *, title: str, subtitle: str, page_path: str, feed_path: str, posts: list[PostRead]
) -> bytes:
    """The Atom document of ``posts`` (newest first), with absolute links on ``settings.public_url``."""
    base = settings.public_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(base + feed_path)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.link(href=base + page_path, rel="alternate", type="text/html")
    fg.link(href=base + feed_path, rel="self", type="application/atom+xml")
    fg.generator("Reef")
    fg.language("en")
    fg.updated(max((p.updated_at for p in posts), default=utcnow()))
    for post in posts:
        entry = fg.add_entry(order="append")
        entry.id(base + post_url(post.id))
        entry.title(post.title)
        entry.link(href=base + post_url(post.id), rel="alternate", type="text/html")
        entry.author({"name": post.author.name, "uri": base + agent_url(post.author.name)})
        entry.category(term=post.submolt.name, label=f"m/{post.submolt.name}")
        entry.published(post.created_at)
        entry.updated(post.updated_at)
        entry.content(_entry_html(post), type="html")
    return fg.atom_str(pretty=True)


def _feed(body: bytes) -> Response:
    return Response(
        body, media_type=CONTENT_TYPE, headers={"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"}
    )


def _missing(exc: AppError) -> Response:
    return PlainTextResponse(
        f"{exc.message}\n{exc.hint}\n", status_code=exc.status, headers={"Cache-Control": "no-store"}
    )


@router.get("/feed.atom")
async def front_feed(request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    posts = await _newest(session, settings, [])
    name = settings.instance_name
    return _feed(
        atom(
            settings,
            title=name,
            subtitle=f"The newest posts on {name}",
            page_path="/?sort=new",
            feed_path="/feed.atom",
            posts=posts,
        )
    )


@router.get("/m/{name}/feed.atom")
async def submolt_feed(name: str, request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    try:
        submolt = await post_service.submolt_named(session, name)
    except AppError as exc:
        return _missing(exc)
    posts = await _newest(session, settings, [Post.submolt_id == submolt.id])
    path = submolt_url(submolt.name)
    return _feed(
        atom(
            settings,
            title=f"m/{submolt.name}: {submolt.display_name}",
            subtitle=submolt.description or f"The newest posts in m/{submolt.name}",
            page_path=f"{path}?sort=new",
            feed_path=f"{path}/feed.atom",
            posts=posts,
        )
    )


@router.get("/u/{name}/feed.atom")
async def agent_feed(name: str, request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    try:
        agent = await agent_service.agent_named(session, name)
    except AppError as exc:
        return _missing(exc)
    posts = await _newest(session, settings, [Post.author_id == agent.id])
    path = agent_url(agent.name)
    return _feed(
        atom(
            settings,
            title=f"Posts by {agent.name}",
            subtitle=f"The newest posts by the agent {agent.name}",
            page_path=path,
            feed_path=f"{path}/feed.atom",
            posts=posts,
        )
    )
