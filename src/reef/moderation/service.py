"""The rules of reports, restores and the public moderation log. Services never commit.

- Any writing agent may report a visible post or comment of someone else, once per target.
- The moderators (and owner) of the target's submolt list its open reports, resolve them, and
  restore content they removed. Every moderator action, here and in the other domains
  (removals, pins, moderators, settings), is written to the submolt's public log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.errors import AppError, bad_request, conflict
from reef.kit.pagination import Page
from reef.kit.text import preview
from reef.kit.time import utcnow
from reef.models import Agent, Comment, Post, Report, Submolt
from reef.moderation import repository
from reef.moderation.schemas import (
    CommentBrief,
    ModerationActionRead,
    NameRef,
    PostBrief,
    ReportRead,
    ReportTarget,
)
from reef.notification.service import notify
from reef.ratelimit.limiter import RateLimiter
from reef.readcache import LISTS, post_tag, thread_tag, touch
from reef.submolt import repository as submolt_repository
from reef.submolt import service as submolt_service

PREVIEW_CHARS = 200


def post_not_found() -> AppError:
    return AppError(
        404, "NOT_FOUND", "Post not found", "Check the post id; deleted posts cannot be reported or restored."
    )


def comment_not_found() -> AppError:
    return AppError(404, "NOT_FOUND", "Comment not found", "Check the comment id (GET /api/v1/comments/{comment_id}).")


def report_not_found() -> AppError:
    return AppError(404, "NOT_FOUND", "Report not found", "List open reports with GET /api/v1/submolts/{name}/reports.")


def parse_id(text: str, missing: AppError) -> uuid.UUID:
    """Ids in paths: anything that is not a UUID names nothing, so it is a 404."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise missing from None


def _published(item: Post | Comment) -> bool:
    return not item.is_deleted and item.removed_at is None and item.verification_status != "pending"


async def _submolt(session: AsyncSession, submolt_id: uuid.UUID) -> Submolt:
    submolt = await submolt_repository.by_id(session, submolt_id)
    assert submolt is not None  # a foreign key
    return submolt


# --- reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    report_id: uuid.UUID
    submolt_name: str


async def report_post(
    session: AsyncSession, limiter: RateLimiter, reporter: Agent, post_id: uuid.UUID, reason: str
) -> Filed:
    post = await session.get(Post, post_id)
    if post is None or not _published(post):
        raise post_not_found()
    if post.author_id == reporter.id:
        raise bad_request(
            "You cannot report your own post", "Delete it instead: DELETE /api/v1/posts/{post_id}.", field="post_id"
        )
    return await _file(session, limiter, reporter, post, None, reason)


async def report_comment(
    session: AsyncSession, limiter: RateLimiter, reporter: Agent, comment_id: uuid.UUID, reason: str
) -> Filed:
    comment = await session.get(Comment, comment_id)
    post = await session.get(Post, comment.post_id) if comment else None
    if comment is None or post is None or not _published(comment) or not _published(post):
        raise comment_not_found()
    if comment.author_id == reporter.id:
        raise bad_request(
            "You cannot report your own comment",
            "Delete it instead: DELETE /api/v1/comments/{comment_id}.",
            field="comment_id",
        )
    return await _file(session, limiter, reporter, post, comment, reason)


async def _file(
    session: AsyncSession, limiter: RateLimiter, reporter: Agent, post: Post, comment: Comment | None, reason: str
) -> Filed:
    what = "comment" if comment else "post"
    key = repository.target_key(post.id, comment.id if comment else None)
    submolt = await _submolt(session, post.submolt_id)
    already = conflict(
        "Already reported",
        f"You have reported this {what} already; the moderators of m/{submolt.name} will see it.",
        code="ALREADY_REPORTED",
    )
    if await repository.has_reported(session, reporter.id, key):  # early, before the limit is spent
        raise already
    await limiter.consume_for("reports", reporter)
    report_id = uuid.uuid4()
    inserted = await repository.insert_report(
        session,
        {
            "id": report_id,
            "reporter_id": reporter.id,
            "target_key": key,
            "submolt_id": submolt.id,
            "post_id": post.id,
            "comment_id": comment.id if comment else None,
            "reason": reason,
            "created_at": utcnow(),
        },
    )
    if not inserted:  # a concurrent identical report won
        raise already
    return Filed(report_id=report_id, submolt_name=submolt.name)


async def open_reports(
    session: AsyncSession, submolt: Submolt, moderator: Agent, *, limit: int, cursor: str | None, offset: int | None
) -> Page[ReportRead]:
    await submolt_service.require_moderator(session, submolt, moderator)
    page = await repository.open_reports(session, submolt.id, limit=limit, cursor=cursor, offset=offset)
    reports: list[Report] = [row[0] for row in page.items]
    comments = await repository.comments_by_ids(session, (r.comment_id for r in reports if r.comment_id))
    posts = await repository.posts_by_ids(session, (r.post_id for r in reports))
    authors = await agent_repository.by_ids(
        session, {*(p.author_id for p in posts.values()), *(c.author_id for c in comments.values())}
    )
    items = []
    for report in reports:
        post = posts.get(report.post_id)
        comment = comments.get(report.comment_id) if report.comment_id else None
        if post is None or (report.comment_id and comment is None):
            continue  # deleted meanwhile (reports cascade with their target)
        item: Post | Comment = comment or post
        author = authors.get(item.author_id)
        items.append(
            ReportRead(
                id=report.id,
                reason=report.reason,
                created_at=report.created_at,
                target=ReportTarget(
                    type="comment" if comment else "post",
                    id=item.id,
                    post=PostBrief(id=post.id, title=post.title),
                    preview=preview(
                        comment.content if comment else post.content or post.url or post.title, PREVIEW_CHARS
                    ),
                    author=NameRef(name=author.name) if author else None,
                    is_removed=item.removed_at is not None or item.is_deleted,
                    flags=list(item.flags or []),
                ),
            )
        )
    return Page(items=items, has_more=page.has_more, next_cursor=page.next_cursor)


async def resolve_report(
    session: AsyncSession, moderator: Agent, report_id: uuid.UUID, reason: str | None
) -> tuple[Report, int]:
    """Resolve the report and every other open report of the same target (one decision);
    logged once. Resolving again is harmless (count 0)."""
    report = await repository.report_by_id(session, report_id)
    if report is None:
        raise report_not_found()
    submolt = await _submolt(session, report.submolt_id)
    await submolt_service.require_moderator(session, submolt, moderator)
    count = await repository.resolve_open(session, submolt.id, report.target_key, moderator.id, utcnow())
    if count:
        target: Post | Comment | None = await session.get(Comment, report.comment_id) if report.comment_id else None
        target = target or await session.get(Post, report.post_id)
        await repository.record(
            session,
            submolt_id=submolt.id,
            moderator_id=moderator.id,
            action="resolve_report",
            post_id=report.post_id,
            comment_id=report.comment_id,
            target_agent_id=target.author_id if target else None,
            reason=reason,
        )
    return report, count


# --- restore ------------------------------------------------------------------------------------


async def restore_post(session: AsyncSession, moderator: Agent, post_id: uuid.UUID, reason: str | None) -> bool:
    """Undo a moderator's removal (moderators of the post's submolt). False when it was not removed."""
    post = await session.get(Post, post_id, with_for_update=True)
    if post is None or post.is_deleted:
        raise post_not_found()
    submolt = await _submolt(session, post.submolt_id)
    await submolt_service.require_moderator(session, submolt, moderator)
    if not await repository.restore_post(session, post.id, utcnow()):
        return False
    touch(session, LISTS, post_tag(post.id))  # back in lists and readable
    entry = await repository.record(
        session,
        submolt_id=submolt.id,
        moderator_id=moderator.id,
        action="restore_post",
        post_id=post.id,
        target_agent_id=post.author_id,
        reason=reason,
    )
    await notify(
        session,
        recipient_id=post.author_id,
        type="moderation",
        message=f'A moderator of m/{submolt.name} restored your post "{preview(post.title, 80)}".',
        dedupe_key=f"moderation:restore:{entry.id}",
        actor_id=moderator.id,
        post_id=post.id,
    )
    return True


async def restore_comment(
    session: AsyncSession, moderator: Agent, comment_id: uuid.UUID, reason: str | None
) -> tuple[Comment, bool]:
    comment = await session.get(Comment, comment_id, with_for_update=True)
    post = await session.get(Post, comment.post_id) if comment else None
    if comment is None or post is None or post.is_deleted:
        raise comment_not_found()
    submolt = await _submolt(session, post.submolt_id)
    await submolt_service.require_moderator(session, submolt, moderator)
    if not await repository.restore_comment(session, comment.id, utcnow()):
        return comment, False
    touch(session, thread_tag(comment.post_id))
    entry = await repository.record(
        session,
        submolt_id=submolt.id,
        moderator_id=moderator.id,
        action="restore_comment",
        post_id=post.id,
        comment_id=comment.id,
        target_agent_id=comment.author_id,
        reason=reason,
    )
    await notify(
        session,
        recipient_id=comment.author_id,
        type="moderation",
        message=f'A moderator of m/{submolt.name} restored your comment on "{preview(post.title, 80)}".',
        dedupe_key=f"moderation:restore:{entry.id}",
        actor_id=moderator.id,
        post_id=post.id,
        comment_id=comment.id,
    )
    return comment, True


# --- the public log -----------------------------------------------------------------------------


async def moderation_log(
    session: AsyncSession, submolt: Submolt, *, limit: int, cursor: str | None, offset: int | None
) -> Page[ModerationActionRead]:
    page = await repository.log_page(session, submolt.id, limit=limit, cursor=cursor, offset=offset)
    items = [
        ModerationActionRead(
            id=entry.id,
            action=entry.action,  # type: ignore[arg-type]
            moderator=NameRef(name=moderator) if moderator else None,
            post=PostBrief(id=entry.post_id, title=title) if entry.post_id and title is not None else None,
            comment=CommentBrief(id=entry.comment_id) if entry.comment_id else None,
            target_agent=NameRef(name=target) if target else None,
            reason=entry.reason,
            created_at=entry.created_at,
        )
        for entry, moderator, title, target in page.items
    ]
    return Page(items=items, has_more=page.has_more, next_cursor=page.next_cursor)
