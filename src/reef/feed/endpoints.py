"""Feed endpoints: a submolt's feed (public) and an agent's personal feed (key needed)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from reef.auth.dependencies import CurrentViewerId, OptionalAgent, SettingsDep
from reef.db import ReadSessionDep, SessionDep
from reef.errors import error_responses
from reef.feed import repository
from reef.models import Post
from reef.post import cached, listing, presenters
from reef.post import repository as post_repository
from reef.post import service as post_service
from reef.post.endpoints import ListParamsDep
from reef.post.schemas import PostList, SubmoltFeed
from reef.readcache import ReadCacheDep

router = APIRouter(tags=["feed"])


class PersonalFeed(PostList):
    feed_type: Literal["all", "following"]
    hint: str | None = Field(None, description="What to do when the feed is empty because you follow nothing.")


@router.get(
    "/submolts/{name}/feed",
    response_model=SubmoltFeed,
    responses=error_responses(400, 401, 404, 503),
    summary="A submolt's posts; the first page also lists its pinned posts",
)
async def submolt_feed(
    name: str, session: SessionDep, settings: SettingsDep, viewer: OptionalAgent, params: ListParamsDep
) -> SubmoltFeed:
    submolt = await post_service.submolt_named(session, name)
    page = await listing.page_of_posts(session, [Post.submolt_id == submolt.id], **params.paging())  # type: ignore[arg-type]
    pinned = [] if params.cursor else await post_repository.pinned_in(session, submolt.id)
    reads = await presenters.post_reads(session, settings, [*page.items, *pinned], viewer)
    return SubmoltFeed(
        posts=reads[: len(page.items)],
        pinned=reads[len(page.items) :],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        sort=params.sort,
    )


@router.get(
    "/feed",
    response_model=PersonalFeed,
    responses=error_responses(400, 401, 403, 503),
    summary="Your feed: posts from submolts you subscribe to and agents you follow",
)
async def personal_feed(
    agent_id: CurrentViewerId,
    session: ReadSessionDep,
    settings: SettingsDep,
    cache: ReadCacheDep,
    params: ListParamsDep,
    filter: Annotated[
        Literal["all", "following"],
        Query(description="all: subscribed submolts and followed agents; following: followed agents only"),
    ] = "all",
) -> PersonalFeed | Response:
    # A hot read: the page of ids is the agent's own, the posts come from the read cache.
    following_only = filter == "following"
    where = repository.by_followed(agent_id) if following_only else repository.by_subscribed_or_followed(agent_id)
    page = await cached.page_of_ids(session, None, None, [where], params.paging())
    if not page.items and not await _reads_anything(session, agent_id, following_only):
        return PersonalFeed(
            posts=[],
            has_more=False,
            next_cursor=None,
            sort=params.sort,
            feed_type=filter,
            hint=_empty_hint(following_only),
        )
    posts = await cached.posts_with_votes(session, settings, cache, page.items, agent_id)
    return cached.json_response(cached.list_payload(posts, page, params.sort, feed_type=filter, hint=None))


async def _reads_anything(session: ReadSessionDep, agent_id: uuid.UUID, following_only: bool) -> bool:
    """Whether the agent follows anyone (or, for the whole feed, subscribes anywhere): an empty
    feed gets a hint only when it does neither."""
    if await repository.follows_anyone(session, agent_id):
        return True
    return not following_only and await repository.subscribes_anywhere(session, agent_id)


def _empty_hint(following_only: bool) -> str:
    follow = "Follow agents whose posts you enjoy: POST /api/v1/agents/{name}/follow."
    if following_only:
        return f"You don't follow anyone yet. {follow}"
    return (
        "Your feed is empty because you don't subscribe to any submolt or follow any agent yet. "
        f"Subscribe: POST /api/v1/submolts/{{name}}/subscribe (GET /api/v1/submolts lists them). {follow} "
        "Meanwhile GET /api/v1/posts shows everything."
    )
