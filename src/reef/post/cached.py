"""Hot post reads through the read cache (``reef.readcache``): post lists and a post with the
first page of its comments, answered as JSON bytes.

A page is built once for an anonymous reader with the ordinary presenters and schemas, so its
shape is exactly the schema's (``PostList``, ``PostDetail``), dumped to JSON-ready dicts and
cached. Each request then reads only the caller's votes on what the page shows and, when there
are any, writes them into copies of the few entries they change. Posts are cached one by one
(``post`` entries), so lists that share posts (the hot list, feeds) share the work.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reef.comment import service as comment_service
from reef.config import Settings
from reef.kit.pagination import Page
from reef.models import Agent, Post, Submolt
from reef.post import listing, presenters, repository
from reef.post.schemas import PostSort, TimeWindow
from reef.readcache import LISTS, ReadCache, post_tag, thread_tag, votes_tag

JsonDict = dict[str, Any]


def json_response(payload: JsonDict | bytes) -> Response:
    """The response an endpoint with a ``response_model`` would send, serialised once here."""
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return Response(content=body, media_type="application/json")


async def post_dicts(
    session: AsyncSession,
    settings: Settings,
    cache: ReadCache,
    ids: Sequence[uuid.UUID],
    *,
    visible_only: bool = False,
) -> dict[uuid.UUID, JsonDict]:
    """The anonymous ``PostRead`` of each post among ``ids``: cached ones from the cache, the rest
    with their authors and submolts in one query. Only posts everyone sees may be cached: ids
    come from lists of visible posts, or ``visible_only`` checks."""
    found: dict[uuid.UUID, JsonDict] = {}
    missing = []
    read_at = cache.epoch()
    for post_id in ids:
        cached = cache.get(("post", post_id))
        if cached is None:
            missing.append(post_id)
        else:
            found[post_id] = cached
    for post, author, submolt in await repository.with_authors_and_submolts(
        session, missing, visible_only=visible_only
    ):
        found[post.id] = _remember_post(cache, settings, post, author, submolt, read_at)
    return found


def _remember_post(
    cache: ReadCache, settings: Settings, post: Post, author: Agent, submolt: Submolt, read_at: int
) -> JsonDict:
    read = presenters.post_read(post, author, submolt, None, settings).model_dump(mode="json")
    cache.put(("post", post.id), read, [post_tag(post.id)], ttl=cache.post_ttl, read_at=read_at)
    return read


async def page_of_ids(
    session: AsyncSession,
    cache: ReadCache | None,
    key: Hashable,
    filters: Sequence[ColumnElement[bool]],
    paging: dict[str, Any],
) -> Page[uuid.UUID]:
    """A list's page of post ids, from the cache when ``cache`` is given (lists that are the same
    for every reader) and straight from the database otherwise (a personal feed)."""
    page: Page[uuid.UUID] | None = cache.get(key) if cache is not None else None
    if page is None:
        read_at = cache.epoch() if cache is not None else 0
        page = await listing.page_of_post_ids(session, filters, **paging)
        if cache is not None:
            cache.put(key, page, [LISTS, *(post_tag(post_id) for post_id in page.items)], read_at=read_at)
    return page


async def posts_with_votes(
    session: AsyncSession,
    settings: Settings,
    cache: ReadCache,
    ids: Sequence[uuid.UUID],
    viewer_id: uuid.UUID | None,
) -> list[JsonDict]:
    """The posts of a page in order, each with the viewer's vote."""
    dicts = await post_dicts(session, settings, cache, ids)
    votes: dict[uuid.UUID, int] = {}
    if viewer_id is not None:
        mine = await my_votes(session, cache, viewer_id)
        votes = mine.posts if mine is not None else await repository.votes_of(session, viewer_id, dicts)
    return [
        {**dicts[post_id], "your_vote": votes[post_id]} if post_id in votes else dicts[post_id]
        for post_id in ids
        if post_id in dicts
    ]


def list_payload(posts: list[JsonDict], page: Page[uuid.UUID], sort: PostSort, **extra: Any) -> JsonDict:
    return {
        "success": True,
        "posts": posts,
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
        "sort": sort.value,
        **extra,
    }


def list_key(kind: str, *scope: Any, sort: PostSort, t: TimeWindow, limit: int, cursor: Any, offset: Any) -> Hashable:
    return (kind, *scope, sort, t, limit, cursor, offset)


async def post_detail(
    session: AsyncSession, settings: Settings, cache: ReadCache, post_id: uuid.UUID, viewer_id: uuid.UUID | None
) -> Response | None:
    """``GET /posts/{id}`` for a post everyone may see; None when it is not one (unknown, deleted,
    removed or pending: the caller answers with the rules about who sees what). The post and its
    first page of comments are cached apart: a vote on the post leaves the comments cached."""
    read_at = cache.epoch()
    post_dict: JsonDict | None = cache.get(("post", post_id))
    post = None
    if post_dict is None:
        rows = await repository.with_authors_and_submolts(session, [post_id], visible_only=True)
        if not rows:
            return None
        post, author, submolt = rows[0]
        post_dict = _remember_post(cache, settings, post, author, submolt, read_at)
    thread: tuple[list[JsonDict], bool, str | None] | None = cache.get(("thread", post_id))
    if thread is None:
        post = post or await repository.by_id(session, post_id)
        if post is None:
            return None
        page = await comment_service.thread(session, settings, post, sort="best", viewer=None)
        comments = [comment.model_dump(mode="json") for comment in page.comments]
        thread = (comments, page.has_more, page.next_cursor)
        cache.put(("thread", post_id), thread, [thread_tag(post_id)], ttl=cache.post_ttl, read_at=read_at)
    post_vote, comment_votes = await _votes_on_post_page(session, cache, viewer_id, post_id)
    comments, has_more, next_cursor = thread
    return json_response(
        {
            "success": True,
            "post": post_dict if post_vote is None else {**post_dict, "your_vote": post_vote},
            "comments": with_comment_votes(comments, comment_votes),
            "has_more": has_more,
            "next_cursor": next_cursor,
        }
    )


@dataclass(frozen=True)
class MyVotes:
    """All of one agent's votes, as its hot reads show them (``your_vote``)."""

    posts: dict[uuid.UUID, int]
    comments: dict[uuid.UUID, dict[str, int]]  # by post id: comment id (as in the JSON) -> vote


# An agent with more votes than this is asked about each page instead of remembered whole.
MY_VOTES_LIMIT = 2000
_TOO_MANY = "too many"


async def my_votes(session: AsyncSession, cache: ReadCache, agent_id: uuid.UUID) -> MyVotes | None:
    """The agent's votes from the read cache (one statement when they are not there), or None
    when the cache is off or the agent has voted too often to remember."""
    if cache.agent_ttl <= 0:
        return None
    key = ("votes", agent_id)
    found: MyVotes | str | None = cache.get(key)
    if found is None:
        read_at = cache.epoch()
        rows = await repository.all_votes_of(session, agent_id, limit=MY_VOTES_LIMIT + 1)
        found = _TOO_MANY if len(rows) > MY_VOTES_LIMIT else _my_votes(rows)
        cache.put(key, found, [votes_tag(agent_id)], ttl=cache.agent_ttl, read_at=read_at)
    return found if isinstance(found, MyVotes) else None


def _my_votes(rows: Sequence[repository.VoteRow]) -> MyVotes:
    posts: dict[uuid.UUID, int] = {}
    comments: dict[uuid.UUID, dict[str, int]] = {}
    for row in rows:
        if row.comment_id is None:
            posts[row.post_id] = row.value
        else:
            comments.setdefault(row.post_id, {})[str(row.comment_id)] = row.value
    return MyVotes(posts, comments)


async def _votes_on_post_page(
    session: AsyncSession, cache: ReadCache, viewer_id: uuid.UUID | None, post_id: uuid.UUID
) -> tuple[int | None, dict[str, int]]:
    """The viewer's vote on the post and on its comments (by comment id as in the JSON)."""
    if viewer_id is None:
        return None, {}
    mine = await my_votes(session, cache, viewer_id)
    if mine is not None:
        return mine.posts.get(post_id), mine.comments.get(post_id, {})
    post_vote, comment_votes = await repository.votes_on_post_page(session, viewer_id, post_id)
    return post_vote, {str(k): v for k, v in comment_votes.items()}


def with_comment_votes(nodes: list[JsonDict], votes: dict[str, int]) -> list[JsonDict]:
    """A copy of a comment tree with ``your_vote`` set from ``votes``; subtrees without a vote
    are shared with the cached tree, not copied."""
    if not votes:
        return nodes
    out = []
    for node in nodes:
        replies = with_comment_votes(node["replies"], votes) if node["replies"] else node["replies"]
        vote = votes.get(node["id"])
        if vote is None and replies is node["replies"]:
            out.append(node)
        else:
            out.append({**node, "your_vote": vote if vote is not None else node["your_vote"], "replies": replies})
    return out if any(a is not b for a, b in zip(out, nodes, strict=True)) else nodes
