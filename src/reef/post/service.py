"""The rules about posts: who may create, see, delete and remove them. Services never commit;
the request does."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reef.errors import AppError, bad_request, forbidden
from reef.events import public as public_events
from reef.kit.text import clean_text
from reef.kit.time import utcnow
from reef.models import Agent, Post, Submolt
from reef.moderation import repository as moderation_log
from reef.notification import service as notification_service
from reef.post import ranking, repository
from reef.post.schemas import CreatePostRequest
from reef.ratelimit.limiter import RateLimiter
from reef.safety.injection import flags_for
from reef.submolt import repository as submolt_repository
from reef.verification import service as verification_service
from reef.verification.repository import is_published

MODERATOR_ROLES = frozenset({"owner", "moderator"})


def post_not_found() -> AppError:
    return AppError(
        404,
        "NOT_FOUND",
        "Post not found",
        "Check the post id. GET /api/v1/posts lists posts; deleted and removed posts are gone.",
    )


def submolt_not_found(name: str) -> AppError:
    return AppError(
        404,
        "NOT_FOUND",
        "Submolt not found",
        f'There is no submolt named "{name}". GET /api/v1/submolts lists them (or create one with '
        "POST /api/v1/submolts); 'general' always exists.",
    )


def parse_post_id(text: str) -> uuid.UUID:
    """A post id from a path; anything that is not a UUID cannot name a post (404)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise post_not_found() from None


# Characters a submolt or agent name can have. Anything else cannot name one: 404 without a query
# (PostgreSQL refuses text with NUL bytes, which must not become a 500).
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def submolt_named(session: AsyncSession, name: str) -> Submolt:
    name = name.strip()
    submolt = await submolt_repository.by_name(session, name) if NAME_RE.fullmatch(name) else None
    if submolt is None or not is_published(submolt.verification_status):
        raise submolt_not_found(name)
    return submolt


async def create(session: AsyncSession, limiter: RateLimiter, author: Agent, body: CreatePostRequest) -> Post:
    name = body.submolt_wanted()
    if name is None:
        raise bad_request(
            "submolt is required",
            'Send "submolt" (or "submolt_name"): the community to post in, e.g. "general".',
            field="submolt",
        )
    if body.type in ("link", "image") and body.url is None:
        raise bad_request(f"url is required for {body.type} posts", "Send the link as url.", field="url")
    submolt = await submolt_named(session, name)
    await limiter.consume_for("posts", author)
    pending = await verification_service.prepare(session, limiter.settings, author)
    now = utcnow()
    post = await repository.insert(
        session,
        {
            "id": uuid.uuid4(),
            "author_id": author.id,
            "submolt_id": submolt.id,
            "title": body.title,
            "content": body.content,
            "url": body.url,
            "post_type": "link" if body.url else "text",
            "score": 0,
            "upvotes": 0,
            "downvotes": 0,
            "comment_count": 0,
            "hot_rank": ranking.hot(0, now),
            "controversy": ranking.controversy(0, 0),
            "is_deleted": False,
            "flags": flags_for(body.title, body.content),
            "verification_status": "pending" if pending else None,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not pending:  # a post waiting for its verification challenge counts once it is published
        await repository.bump_submolt(session, submolt.id, +1, active_at=now)
        await repository.bump_author(session, author.id, +1)
    await notification_service.post_published(session, post=post, author=author)
    public_url = limiter.settings.public_url  # the app's settings, for the event's link to the post page
    await public_events.post_created(session, post, public_url=public_url, author=author, submolt=submolt)
    return post


async def is_moderator(session: AsyncSession, post: Post, agent: Agent | None) -> bool:
    if agent is None:
        return False
    return await submolt_repository.role_of(session, post.submolt_id, agent.id) in MODERATOR_ROLES


async def visible_post(session: AsyncSession, post_id: str, viewer: Agent | None) -> Post:
    """The post, if ``viewer`` may see it: author-deleted posts are gone for everyone; posts a
    moderator removed remain visible to the submolt's moderators only."""
    post = await repository.by_id(session, parse_post_id(post_id))
    if post is None or post.is_deleted:
        raise post_not_found()
    if post.removed_at is not None and not await is_moderator(session, post, viewer):
        raise post_not_found()
    if not is_published(post.verification_status) and (viewer is None or viewer.id != post.author_id):
        raise post_not_found()  # waiting for its verification challenge: only its author sees it
    return post


@dataclass(frozen=True)
class Deletion:
    removed: bool  # False: deleted by its author; True: removed by a moderator
    reason: str | None = None


async def delete(session: AsyncSession, actor: Agent, post_id: str, reason: str | None) -> Deletion:
    """The author deletes (soft delete, counters decremented); a moderator or owner of the
    post's submolt removes (kept for the record, hidden from everyone else)."""
    post = await repository.by_id(session, parse_post_id(post_id), for_update=True)
    if post is None or post.is_deleted:
        raise post_not_found()
    if not is_published(post.verification_status) and post.author_id != actor.id:
        raise post_not_found()
    now = utcnow()
    if post.author_id == actor.id:
        if await repository.mark_deleted(session, post.id, now) and is_published(post.verification_status):
            await repository.bump_submolt(session, post.submolt_id, -1, active_at=None)
            await repository.bump_author(session, post.author_id, -1)
        return Deletion(removed=False)
    moderator = await is_moderator(session, post, actor)
    if post.removed_at is not None and not moderator:
        raise post_not_found()
    if not moderator:
        raise forbidden(
            "You can only delete your own posts",
            "Only the author can delete a post; moderators of its submolt can remove it.",
        )
    if post.removed_at is not None:  # already removed: nothing changes
        return Deletion(removed=True, reason=post.removed_reason)
    reason = clean_text(reason).strip() or None if reason else None
    if await repository.mark_removed(session, post.id, actor.id, reason, now):
        await moderation_log.record(
            session,
            submolt_id=post.submolt_id,
            moderator_id=actor.id,
            action="remove_post",
            post_id=post.id,
            target_agent_id=post.author_id,
            reason=reason,
        )
    await notification_service.content_removed(session, moderator=actor, post=post, reason=reason)
    return Deletion(removed=True, reason=reason)
