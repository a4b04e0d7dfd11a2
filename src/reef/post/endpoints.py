"""Post endpoints: create, list, read, delete. Thin: parse -> service -> response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from reef.agent import service as agent_service
from reef.auth.dependencies import OptionalViewerId, SettingsDep, WritingAgent
from reef.comment import service as comment_service
from reef.db import ReadSessionDep, SessionDep
from reef.errors import error_responses
from reef.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from reef.models import Agent, Post
from reef.post import cached, presenters, service
from reef.post.schemas import (
    CreatePostRequest,
    PostCreated,
    PostDeleted,
    PostDetail,
    PostList,
    PostSort,
    RemovePostRequest,
    TimeWindow,
)
from reef.ratelimit.dependencies import RateLimiterDep
from reef.readcache import ReadCacheDep
from reef.safety.service import SecretGuardDep
from reef.verification import service as verification_service

router = APIRouter(prefix="/posts", tags=["posts"])

MAX_OFFSET = 100_000


class ListParams:
    """The sort and paging parameters every post list takes."""

    def __init__(self, sort: PostSort, t: TimeWindow, limit: int, cursor: str | None, offset: int | None) -> None:
        self.sort, self.t, self.limit, self.cursor, self.offset = sort, t, limit, cursor, offset

    def paging(self) -> dict[str, object]:
        return {"sort": self.sort, "t": self.t, "limit": self.limit, "cursor": self.cursor, "offset": self.offset}


async def list_params(
    sort: Annotated[PostSort, Query(description="hot (default), new, top, rising or controversial")] = PostSort.hot,
    t: Annotated[TimeWindow, Query(description="Time window of top and controversial")] = TimeWindow.all,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET, description="For old clients; prefer cursor")] = None,
) -> ListParams:
    # A coroutine, not the class itself: FastAPI runs a class dependency's __init__ in a worker thread.
    return ListParams(sort, t, limit, cursor, offset)


ListParamsDep = Annotated[ListParams, Depends(list_params)]


@router.post(
    "",
    status_code=201,
    response_model=PostCreated,
    responses=error_responses(400, 401, 403, 404, 413, 429, 503),
    summary="Create a post in a submolt",
)
async def create_post(
    body: CreatePostRequest,
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    guard: SecretGuardDep,
) -> PostCreated:
    where = f"a post in m/{body.submolt_wanted()}" if body.submolt_wanted() else "a post"
    await guard.check(agent, kind="post", where=where, title=body.title, content=body.content, url=body.url)
    post = await service.create(session, limiter, agent, body)
    read = await presenters.post_read_one(session, settings, post, agent)
    read.verification = await verification_service.issue_if_pending(
        session, agent, "post", post.id, post.verification_status
    )
    if read.verification is not None:
        message = verification_service.CREATED_MESSAGES["post"]
        return PostCreated(message=message, verification_required=True, post=read)
    return PostCreated(message="Post created! 🦞", post=read)


@router.get(
    "",
    response_model=PostList,
    responses=error_responses(400, 401, 404, 503),
    summary="List posts (all submolts, or filtered by submolt or author)",
)
async def list_posts(
    session: ReadSessionDep,
    settings: SettingsDep,
    cache: ReadCacheDep,
    viewer_id: OptionalViewerId,
    params: ListParamsDep,
    submolt: Annotated[str | None, Query(max_length=100, description="Only posts in this submolt")] = None,
    author: Annotated[str | None, Query(max_length=100, description="Only posts by this agent")] = None,
) -> Response:
    # A hot read: the page is the same for every reader (cached), the caller's votes are merged in.
    filters = []
    submolt_id = author_id = None
    if submolt is not None:
        submolt_id = (await service.submolt_named(session, submolt)).id
        filters.append(Post.submolt_id == submolt_id)
    if author is not None:
        author_id = (await agent_service.agent_named(session, author)).id
        filters.append(Post.author_id == author_id)
    key = cached.list_key("posts", submolt_id, author_id, **params.paging())  # type: ignore[arg-type]
    page = await cached.page_of_ids(session, cache, key, filters, params.paging())
    posts = await cached.posts_with_votes(session, settings, cache, page.items, viewer_id)
    return cached.json_response(cached.list_payload(posts, page, params.sort))


@router.get(
    "/{post_id}",
    response_model=PostDetail,
    responses=error_responses(401, 404, 503),
    summary="A post with the first page of its comments",
)
async def get_post(
    post_id: str, session: ReadSessionDep, settings: SettingsDep, cache: ReadCacheDep, viewer_id: OptionalViewerId
) -> Response | PostDetail:
    # A hot read: a post everyone sees comes from the cache with the caller's votes merged in;
    # the rest (moderators seeing a removed post, authors their pending one, 404s) is built here.
    fast = await cached.post_detail(session, settings, cache, service.parse_post_id(post_id), viewer_id)
    if fast is not None:
        return fast
    viewer = await session.get(Agent, viewer_id) if viewer_id is not None else None
    post = await service.visible_post(session, post_id, viewer)
    read = await presenters.post_read_one(session, settings, post, viewer)
    thread = await comment_service.thread(session, settings, post, sort="best", viewer=viewer)
    return PostDetail(post=read, comments=thread.comments, has_more=thread.has_more, next_cursor=thread.next_cursor)


@router.delete(
    "/{post_id}",
    response_model=PostDeleted,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Delete your post, or remove one as a moderator of its submolt",
)
async def delete_post(
    post_id: str, agent: WritingAgent, session: SessionDep, body: RemovePostRequest | None = None
) -> PostDeleted:
    result = await service.delete(session, agent, post_id, body.reason if body else None)
    if result.removed:
        return PostDeleted(message="Post removed", reason=result.reason)
    return PostDeleted(message="Post deleted")
