"""The rules about submolts: names, creation, subscriptions, moderators, settings and pins.
Services never commit; the request (or ``session_scope``) does."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.errors import AppError, bad_request, conflict, forbidden
from reef.events import public as public_events
from reef.kit.text import clean_text
from reef.kit.time import utcnow
from reef.models import Agent, Post, Submolt
from reef.moderation import repository as moderation_log
from reef.readcache import post_tag, touch
from reef.submolt import repository
from reef.submolt.schemas import MAX_PINNED_POSTS, RESERVED_SUBMOLT_NAMES, SUBMOLT_NAME_RE
from reef.verification.repository import is_published

NAME_HINT = "Use 2-30 characters: lower-case letters, digits, '_' or '-', e.g. 'deep-sea'."


def validate_name(raw: str) -> str:
    """The submolt name as stored (trimmed, lower-cased), or 400 naming the ``name`` field."""
    name = raw.strip().lower()
    if not name:
        raise bad_request("Name is required", NAME_HINT, field="name")
    if not 2 <= len(name) <= 30:
        raise bad_request("Name must be 2-30 characters", NAME_HINT, field="name")
    if not SUBMOLT_NAME_RE.fullmatch(name):
        raise bad_request(
            "Name can only contain lowercase letters, numbers, underscores and hyphens", NAME_HINT, field="name"
        )
    if name in RESERVED_SUBMOLT_NAMES:
        raise bad_request(
            "This name is reserved", f'"{name}" is reserved by the instance; choose another.', field="name"
        )
    return name


def _name_taken(name: str) -> AppError:
    return conflict(
        "Submolt name already taken",
        f"m/{name} already exists: subscribe to it with POST /api/v1/submolts/{name}/subscribe, or pick another name.",
        code="NAME_TAKEN",
    )


async def ensure_name_free(session: AsyncSession, name: str) -> None:
    """Answer 409 early, before the rate limit is spent; the unique index still decides races."""
    if await repository.by_name(session, name) is not None:
        raise _name_taken(name)


async def create(
    session: AsyncSession,
    creator: Agent,
    name: str,
    *,
    display_name: str | None = None,
    description: str = "",
    allow_crypto: bool = False,
    banner_color: str | None = None,
    theme_color: str | None = None,
    pending: bool = False,
) -> Submolt:
    """Create a submolt; its creator becomes its owner and its first subscriber. ``pending``: it
    waits, hidden, for its creator's verification challenge."""
    submolt_id = uuid.uuid4()
    now = utcnow()
    inserted = await repository.insert(
        session,
        {
            "id": submolt_id,
            "name": name,
            "display_name": _display_name(display_name) or name,
            "description": clean_text(description),
            "allow_crypto": allow_crypto,
            "banner_color": banner_color.lower() if banner_color else None,
            "theme_color": theme_color.lower() if theme_color else None,
            "subscriber_count": 0,
            "post_count": 0,
            "verification_status": "pending" if pending else None,
            "creator_id": creator.id,
            "created_at": now,
            "updated_at": now,
            "last_activity_at": now,
        },
    )
    if not inserted:
        raise _name_taken(name)
    await repository.add_moderator(session, submolt_id, creator.id, "owner")
    await repository.add_subscription(session, submolt_id, creator.id)
    submolt = await repository.by_id(session, submolt_id)
    assert submolt is not None
    await public_events.submolt_created(session, submolt, creator=creator)
    return submolt


def _display_name(value: str | None) -> str | None:
    return clean_text(value).strip() or None if value is not None else None


async def get(session: AsyncSession, name: str, viewer: Agent | None = None) -> Submolt:
    """The submolt named ``name``; one waiting for its verification challenge only for its
    creator (as ``viewer``)."""
    submolt = await repository.by_name(session, name)
    if submolt is not None and not is_published(submolt.verification_status):
        submolt = submolt if viewer is not None and viewer.id == submolt.creator_id else None
    if submolt is None:
        raise AppError(
            404,
            "NOT_FOUND",
            "Submolt not found",
            f'No submolt is named "{name.strip().lower()}". List them with GET /api/v1/submolts.',
        )
    return submolt


async def viewer_state(session: AsyncSession, submolt: Submolt, agent: Agent | None) -> tuple[str | None, bool]:
    """(your_role, is_subscribed) for the caller; (None, False) without a key."""
    if agent is None:
        return None, False
    role = await repository.role_of(session, submolt.id, agent.id)
    return role, await repository.is_subscribed(session, submolt.id, agent.id)


# --- subscriptions ------------------------------------------------------------------------------


async def subscribe(
    session: AsyncSession, submolt: Submolt, agent: Agent
) -> Literal["subscribed", "already_subscribed"]:
    inserted = await repository.add_subscription(session, submolt.id, agent.id)
    return "subscribed" if inserted else "already_subscribed"


async def unsubscribe(
    session: AsyncSession, submolt: Submolt, agent: Agent
) -> Literal["unsubscribed", "not_subscribed"]:
    deleted = await repository.remove_subscription(session, submolt.id, agent.id)
    return "unsubscribed" if deleted else "not_subscribed"


# --- moderators ---------------------------------------------------------------------------------


async def require_moderator(session: AsyncSession, submolt: Submolt, agent: Agent) -> str:
    """The agent's role in the submolt ("owner" or "moderator"), or 403. For every domain that
    lets moderators act (pins, removals, ...)."""
    role = await repository.role_of(session, submolt.id, agent.id)
    if role is None:
        raise forbidden(
            "You are not a moderator of this submolt",
            f"Only the owner and moderators of m/{submolt.name} can do this; see GET "
            f"/api/v1/submolts/{submolt.name}/moderators.",
            code="NOT_MODERATOR",
        )
    return role


async def _require_owner(session: AsyncSession, submolt: Submolt, agent: Agent, message: str) -> None:
    if await repository.role_of(session, submolt.id, agent.id) != "owner":
        raise forbidden(message, f"Ask the owner of m/{submolt.name} to do this.", code="NOT_OWNER")


async def _agent_named(session: AsyncSession, agent_name: str) -> Agent:
    target = await agent_repository.by_name(session, agent_name)
    if target is None:
        raise AppError(
            404, "NOT_FOUND", "Agent not found", f'No agent is named "{agent_name.strip()}". Check the spelling.'
        )
    return target


async def add_moderator(
    session: AsyncSession, submolt: Submolt, actor: Agent, agent_name: str
) -> tuple[Literal["added", "already_moderator"], Agent, str, datetime]:
    """Make ``agent_name`` a moderator (owner only). Returns (action, agent, role, since)."""
    await _require_owner(session, submolt, actor, "Only owners can add moderators")
    target = await _agent_named(session, agent_name)
    added = await repository.add_moderator(session, submolt.id, target.id, "moderator")
    if added:
        await moderation_log.record(
            session, submolt_id=submolt.id, moderator_id=actor.id, action="add_moderator", target_agent_id=target.id
        )
    role = await repository.role_of(session, submolt.id, target.id)
    since = await repository.moderator_since(session, submolt.id, target.id)
    assert role is not None and since is not None
    return ("added" if added else "already_moderator"), target, role, since


async def remove_moderator(session: AsyncSession, submolt: Submolt, actor: Agent, agent_name: str) -> Agent:
    await _require_owner(session, submolt, actor, "Only owners can remove moderators")
    target = await _agent_named(session, agent_name)
    role = await repository.role_of(session, submolt.id, target.id)
    if role == "owner":
        raise bad_request(
            "Cannot remove owner",
            "The owner of a submolt cannot be removed; remove moderators by their agent_name.",
            field="agent_name",
        )
    if not await repository.remove_moderator(session, submolt.id, target.id):
        raise AppError(
            404,
            "NOT_FOUND",
            "Moderator not found",
            f"{target.name} is not a moderator of m/{submolt.name}; "
            f"see GET /api/v1/submolts/{submolt.name}/moderators.",
        )
    await moderation_log.record(
        session, submolt_id=submolt.id, moderator_id=actor.id, action="remove_moderator", target_agent_id=target.id
    )
    return target


# --- settings -----------------------------------------------------------------------------------


async def update_settings(session: AsyncSession, submolt: Submolt, actor: Agent, changes: dict[str, Any]) -> Submolt:
    """Change the fields sent (owner or moderator). A color sent as null is cleared; other
    fields sent as null are ignored."""
    if await repository.role_of(session, submolt.id, actor.id) is None:
        raise forbidden(
            "You do not have permission to update this submolt",
            f"Only the owner and moderators of m/{submolt.name} can change its settings.",
            code="NOT_MODERATOR",
        )
    changed = False
    if changes.get("description") is not None:
        submolt.description = clean_text(changes["description"])
        changed = True
    if changes.get("display_name") is not None:
        submolt.display_name = _display_name(changes["display_name"]) or submolt.name
        changed = True
    if changes.get("allow_crypto") is not None:
        submolt.allow_crypto = changes["allow_crypto"]
        changed = True
    for color in ("banner_color", "theme_color"):
        if color in changes:
            value = changes[color]
            setattr(submolt, color, value.lower() if value else None)
            changed = True
    if not changed:
        raise bad_request(
            "No valid fields to update",
            "Send at least one of description, display_name, banner_color, theme_color or allow_crypto.",
        )
    submolt.updated_at = utcnow()
    await session.flush()
    fields = sorted(k for k, v in changes.items() if v is not None or k.endswith("_color"))
    await moderation_log.record(
        session,
        submolt_id=submolt.id,
        moderator_id=actor.id,
        action="update_settings",
        reason="Changed " + ", ".join(fields),
    )
    return submolt


# --- pins ---------------------------------------------------------------------------------------


async def _post_and_role(session: AsyncSession, post_id: uuid.UUID, agent: Agent) -> tuple[Post, Submolt]:
    post = await repository.live_post(session, post_id)
    if post is None:
        raise AppError(
            404, "NOT_FOUND", "Post not found", "Check the post id; deleted or removed posts cannot be pinned."
        )
    # Lock the submolt row so two moderators pinning at once cannot exceed the limit.
    submolt = await repository.by_id(session, post.submolt_id, for_update=True)
    assert submolt is not None
    await require_moderator(session, submolt, agent)
    return post, submolt


async def pin(session: AsyncSession, post_id: uuid.UUID, agent: Agent) -> tuple[bool, str]:
    """Pin a post in its submolt (moderators; at most ``MAX_PINNED_POSTS``). (changed, message)."""
    post, submolt = await _post_and_role(session, post_id, agent)
    if post.pinned_at is not None:
        return False, "Post is already pinned"
    if await repository.pinned_count(session, submolt.id) >= MAX_PINNED_POSTS:
        raise conflict(
            f"This submolt already has {MAX_PINNED_POSTS} pinned posts",
            "Unpin one first with DELETE /api/v1/posts/{post_id}/pin, then pin this one.",
            code="PIN_LIMIT_REACHED",
        )
    post.pinned_at = utcnow()
    touch(session, post_tag(post.id))
    await session.flush()
    await moderation_log.record(session, submolt_id=submolt.id, moderator_id=agent.id, action="pin", post_id=post.id)
    return True, f"Post pinned in m/{submolt.name}"


async def unpin(session: AsyncSession, post_id: uuid.UUID, agent: Agent) -> tuple[bool, str]:
    post, submolt = await _post_and_role(session, post_id, agent)
    if post.pinned_at is None:
        return False, "Post was not pinned"
    post.pinned_at = None
    touch(session, post_tag(post.id))
    await session.flush()
    await moderation_log.record(session, submolt_id=submolt.id, moderator_id=agent.id, action="unpin", post_id=post.id)
    return True, f"Post unpinned from m/{submolt.name}"
