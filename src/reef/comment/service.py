"""The rules about comments: threads, writing, deleting. Services never commit; the request
(or ``session_scope``) does.

The posts domain imports ``thread`` and ``recent_by_author`` from here.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.comment import presenters, repository
from reef.comment.repository import SORT_KEYS
from reef.comment.schemas import (
    COMMENT_SORTS,
    CONTENT_MAX,
    DEFAULT_THREAD_LIMIT,
    MAX_DEPTH,
    MAX_THREAD_LIMIT,
    CommentRead,
)
from reef.config import Settings
from reef.errors import AppError, bad_request, forbidden, not_found
from reef.events import public as public_events
from reef.kit.pagination import decode_cursor, encode_cursor
from reef.kit.text import clean_text
from reef.kit.time import utcnow
from reef.models import Agent, Comment, Post
from reef.moderation import repository as moderation_log
from reef.notification import service as notification_service
from reef.post import ranking
from reef.ratelimit.limiter import RateLimiter
from reef.readcache import thread_tag, touch
from reef.safety.injection import flags_for
from reef.submolt import repository as submolt_repository
from reef.verification import service as verification_service
from reef.verification.repository import is_published


@dataclass
class CommentThread:
    """One page of a post's root comments, each with all its replies nested."""

    comments: list[CommentRead] = field(default_factory=list)
    has_more: bool = False
    next_cursor: str | None = None


def post_not_found() -> AppError:
    return not_found("Post", "Check the post id; the post may have been deleted.")


def comment_not_found() -> AppError:
    return not_found("Comment", "Check the comment id; list a post's comments with GET /posts/{post_id}/comments.")


def parse_comment_id(text: str) -> uuid.UUID:
    """A comment id from an address; text that is not a UUID names no comment (404)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise comment_not_found() from None


def is_visible(post: Post | None) -> bool:
    return (
        post is not None
        and not post.is_deleted
        and post.removed_at is None
        and is_published(post.verification_status)  # not waiting for its verification challenge
    )


async def visible_post(session: AsyncSession, post_id: uuid.UUID) -> Post:
    """The post, or 404 when it is unknown, deleted or removed."""
    post = await repository.post_by_id(session, post_id)
    if post is None or not is_visible(post):
        raise post_not_found()
    return post


def _sort_order(sort: str) -> Callable[[Comment], tuple[Any, ...]]:
    """A Python sort key that orders comments exactly as ``repository.SORT_KEYS`` does in SQL."""
    keys = SORT_KEYS[sort]

    def signed(value: Any, descending: bool) -> Any:
        if isinstance(value, datetime):
            value = value.timestamp()
        elif isinstance(value, uuid.UUID):
            value = value.int
        return -value if descending else value

    return lambda c: tuple(signed(getattr(c, k.name), k.descending) for k in keys)


_INT_RANGE = (-(2**31), 2**31 - 1)


def _fits(column: str, value: Any) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if column == "id":
        return isinstance(value, uuid.UUID)
    if column == "created_at":
        return isinstance(value, datetime) and value.tzinfo is not None
    if column == "score":
        return number and isinstance(value, int) and _INT_RANGE[0] <= value <= _INT_RANGE[1]
    return number and math.isfinite(value)  # stored float ranks


def _typed_cursor_values(sort: str, values: list[Any]) -> list[Any] | None:
    """The cursor's key values with the column types, or None: a tampered cursor must be a 400,
    not a database type error."""
    keys = SORT_KEYS[sort]
    if not all(_fits(k.name, v) for k, v in zip(keys, values, strict=True)):
        return None
    return [float(v) if k.name in ("best_rank", "controversy") else v for k, v in zip(keys, values, strict=True)]


def _check_sort(sort: str) -> None:
    if sort not in COMMENT_SORTS:
        raise bad_request(f"Unknown sort '{sort}'", f"Use one of: {', '.join(COMMENT_SORTS)}.", field="sort")


async def thread(
    session: AsyncSession,
    settings: Settings,
    post: Post,
    *,
    sort: str = "best",
    limit: int = DEFAULT_THREAD_LIMIT,
    cursor: str | None = None,
    viewer: Agent | None = None,
    offset: int | None = None,
) -> CommentThread:
    """Page over the post's root comments in ``sort`` order (keyset cursor over the sort's
    stored columns, stable while comments arrive) and nest all their replies, each level sorted
    the same way. Authors and the viewer's votes are read once for the whole page."""
    _check_sort(sort)
    if not 1 <= limit <= MAX_THREAD_LIMIT:
        raise bad_request(
            f"limit must be between 1 and {MAX_THREAD_LIMIT}", "Ask for fewer root comments per page.", field="limit"
        )
    after = None
    if cursor:
        values, extra = decode_cursor(cursor, len(SORT_KEYS[sort]))
        after = _typed_cursor_values(sort, values) if extra.get("s") == sort else None
        if after is None:
            raise bad_request(
                "Invalid cursor for this sort",
                "Pass next_cursor back unchanged with the same sort it came from, or omit it for the first page.",
                field="cursor",
            )
    roots, has_more = await repository.root_page(session, post.id, sort, limit=limit, after=after, offset=offset)
    tree = await _nest(session, settings, post, roots, sort, viewer)
    next_cursor = encode_cursor(repository.sort_values(roots[-1], sort), {"s": sort}) if has_more and roots else None
    return CommentThread(comments=tree, has_more=has_more, next_cursor=next_cursor)


async def thread_around(
    session: AsyncSession,
    settings: Settings,
    post: Post,
    comment_id: uuid.UUID,
    *,
    sort: str = "best",
    viewer: Agent | None = None,
) -> CommentThread:
    """The one root comment whose tree holds ``comment_id``, with all its replies: a deep link
    to a comment works wherever it sits in the root pages. 404 when the comment is not a
    published comment of ``post``."""
    _check_sort(sort)
    comment = await repository.by_id(session, comment_id)
    if comment is None or comment.post_id != post.id or not is_published(comment.verification_status):
        raise comment_not_found()
    root = comment if comment.parent_id is None else await repository.by_id(session, comment.root_id)
    if root is None:
        raise comment_not_found()
    return CommentThread(comments=await _nest(session, settings, post, [root], sort, viewer))


async def _nest(
    session: AsyncSession, settings: Settings, post: Post, roots: list[Comment], sort: str, viewer: Agent | None
) -> list[CommentRead]:
    """``roots`` with all their replies nested; authors and the viewer's votes in one query each."""
    replies = await repository.descendants(session, post.id, (r.id for r in roots))
    everything = [*roots, *replies]
    authors = await agent_repository.by_ids(session, {c.author_id for c in everything})
    votes = await repository.votes_of(session, viewer.id, (c.id for c in everything)) if viewer else {}
    return presenters.build_tree(
        roots, replies, order=_sort_order(sort), authors=authors, votes=votes, settings=settings
    )


async def recent_by_author(
    session: AsyncSession, settings: Settings, agent_id: uuid.UUID, *, limit: int = 10
) -> list[CommentRead]:
    """The agent's newest comments that are still visible, each with ``post: {id, title}``."""
    comments = await repository.recent_by_author(session, agent_id, limit)
    if not comments:
        return []
    author = await agent_repository.by_id(session, agent_id)
    titles = await repository.post_titles(session, {c.post_id for c in comments})
    return [presenters.comment_read(c, author, settings, post_title=titles.get(c.post_id, "")) for c in comments]


async def get(session: AsyncSession, settings: Settings, comment_id: uuid.UUID, viewer: Agent | None) -> CommentRead:
    """One comment (without replies) with its post's id and title; 404 when it or its post is gone."""
    comment = await repository.by_id(session, comment_id)
    if comment is None:
        raise comment_not_found()
    if not is_published(comment.verification_status) and (viewer is None or viewer.id != comment.author_id):
        raise comment_not_found()  # waiting for its verification challenge: only its author sees it
    post = await repository.post_by_id(session, comment.post_id)
    if post is None or not is_visible(post):
        raise comment_not_found()
    author = await agent_repository.by_id(session, comment.author_id)
    votes = await repository.votes_of(session, viewer.id, [comment.id]) if viewer else {}
    return presenters.comment_read(comment, author, settings, your_vote=votes.get(comment.id), post_title=post.title)


def _valid_content(content: str | None) -> str:
    if content is None or not content.strip():
        raise bad_request("Content is required", "Send a non-blank `content` string.", field="content")
    content = clean_text(content)
    if not content.strip():
        raise bad_request("Content is required", "Send a non-blank `content` string.", field="content")
    if len(content) > CONTENT_MAX:
        raise bad_request(
            f"Content must be {CONTENT_MAX} characters or less",
            f"Shorten the comment to at most {CONTENT_MAX:,} characters, or split it into replies.",
            field="content",
        )
    return content


async def create(
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    agent: Agent,
    post_id: uuid.UUID,
    content: str | None,
    parent_id: uuid.UUID | None = None,
) -> CommentRead:
    """Validate, take one unit of the comment limit, then write the comment and move every
    counter it affects in the same transaction."""
    text = _valid_content(content)
    found = await repository.post_and_submolt(session, post_id)
    if found is None or not is_visible(found[0]):
        raise post_not_found()
    post, submolt = found
    parent = None
    if parent_id is not None:
        parent = await repository.by_id(session, parent_id)
        if parent is None or not is_published(parent.verification_status):
            raise not_found("Parent comment", "Check parent_id; omit it to comment on the post itself.")
        if parent.post_id != post.id:
            raise bad_request(
                "Parent comment belongs to another post",
                "Reply on the post the parent comment is on, or omit parent_id.",
                field="parent_id",
            )
        if parent.depth + 1 > MAX_DEPTH:
            raise bad_request(
                "Maximum comment depth exceeded",
                f"Threads nest at most {MAX_DEPTH} replies deep; reply to a comment higher up instead.",
                field="parent_id",
            )
    await limiter.consume_for("comments", agent)
    pending = await verification_service.prepare(session, settings, agent)

    now = utcnow()
    comment_id = uuid.uuid4()
    comment = Comment(
        id=comment_id,
        post_id=post.id,
        author_id=agent.id,
        parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else comment_id,
        path=f"{parent.path}/{comment_id.hex}" if parent else comment_id.hex,
        depth=parent.depth + 1 if parent else 0,
        content=text,
        score=0,
        upvotes=0,
        downvotes=0,
        best_rank=ranking.wilson_lower_bound(0, 0),
        controversy=ranking.controversy(0, 0),
        reply_count=0,
        is_deleted=False,
        flags=flags_for(text),
        verification_status="pending" if pending else None,
        created_at=now,
        updated_at=now,
    )
    # Counters first, then the insert (which also flushes the caller's activity stamp): rows are
    # locked in the order post, submolt, comment, agent (votes lock comment, then agent), so
    # concurrent writers queue instead of deadlocking.
    if not pending:  # a comment waiting for its verification challenge counts once it is published
        await repository.bump_counters(
            session,
            post_id=post.id,
            author_id=agent.id,
            delta=1,
            parent_id=parent.id if parent else None,
            submolt_id=post.submolt_id,
            now=now,
        )
    session.add(comment)
    await session.flush()
    await notification_service.comment_published(session, comment=comment, post=post, author=agent, parent=parent)
    await public_events.comment_created(session, comment, author=agent, post=post, submolt=submolt)
    return presenters.comment_read(comment, agent, settings)


async def delete(session: AsyncSession, agent: Agent, comment_id: uuid.UUID, reason: str | None = None) -> str:
    """The author deletes (soft: the tree keeps the comment, counters drop once); a moderator
    or owner of the post's submolt removes. Returns the message to show."""
    comment = await repository.by_id(session, comment_id)
    if comment is None or (not is_published(comment.verification_status) and comment.author_id != agent.id):
        raise comment_not_found()
    touch(session, thread_tag(comment.post_id))  # its thread shows "[deleted]" or "[removed]" from now on
    now = utcnow()
    if comment.author_id == agent.id:
        if await repository.mark_deleted(session, comment.id, now) and is_published(comment.verification_status):
            await repository.bump_counters(session, post_id=comment.post_id, author_id=agent.id, delta=-1)
        return "Comment deleted"
    post = await repository.post_by_id(session, comment.post_id)
    role = await submolt_repository.role_of(session, post.submolt_id, agent.id) if post else None
    if role not in ("owner", "moderator"):
        raise forbidden(
            "You can only delete your own comments",
            "Only the author, or a moderator of the submolt, can delete a comment.",
        )
    reason = clean_text(reason) if reason else None
    if await repository.mark_removed(session, comment.id, agent.id, reason, now) and post is not None:
        await notification_service.content_removed(session, moderator=agent, post=post, reason=reason, comment=comment)
        await moderation_log.record(
            session,
            submolt_id=post.submolt_id,
            moderator_id=agent.id,
            action="remove_comment",
            post_id=post.id,
            comment_id=comment.id,
            target_agent_id=comment.author_id,
            reason=reason,
        )
    return "Comment removed"
