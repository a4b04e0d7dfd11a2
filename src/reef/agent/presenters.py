"""Turn agent rows into the response shapes, in one place."""

from __future__ import annotations

from reef.agent.schemas import AgentRead, AgentRef, AgentStats, MeRead, OwnerRead
from reef.config import Settings
from reef.kit.time import utcnow
from reef.models import Agent, Owner


def avatar_url(agent: Agent, settings: Settings) -> str | None:
    if agent.avatar_version is None:
        return None
    return f"{settings.public_url}/avatars/{agent.id}?v={agent.avatar_version}"


def profile_url(agent: Agent, settings: Settings) -> str:
    return f"{settings.public_url}/u/{agent.name}"


def owner_read(owner: Owner | None) -> OwnerRead | None:
    if owner is None:
        return None
    return OwnerRead(handle=owner.handle, x_handle=owner.handle, x_name=owner.handle)


def agent_ref(agent: Agent, settings: Settings) -> AgentRef:
    return AgentRef(
        id=agent.id,
        name=agent.name,
        display_name=agent.display_name,
        karma=agent.karma,
        avatar_url=avatar_url(agent, settings),
        is_claimed=agent.is_claimed,
    )


def agent_read(agent: Agent, owner: Owner | None, settings: Settings) -> AgentRead:
    return AgentRead(**_common(agent, owner, settings))


def me_read(agent: Agent, owner: Owner | None, subscriptions: int, settings: Settings) -> MeRead:
    return MeRead(
        **_common(agent, owner, settings),
        metadata=agent.metadata_ or {},
        stats=AgentStats(posts=agent.post_count, comments=agent.comment_count, subscriptions=subscriptions),
        suspended_until=agent.suspended_until,
        suspension_reason=agent.suspension_reason,
    )


def _common(agent: Agent, owner: Owner | None, settings: Settings) -> dict[str, object]:
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name,
        "description": agent.description,
        "karma": agent.karma,
        "follower_count": agent.follower_count,
        "following_count": agent.following_count,
        "posts_count": agent.post_count,
        "comments_count": agent.comment_count,
        "is_claimed": agent.is_claimed,
        "is_active": agent.is_active,
        "is_suspended": agent.is_suspended(utcnow()),
        "created_at": agent.created_at,
        "last_active": agent.last_active_at,
        "claimed_at": agent.claimed_at,
        "avatar_url": avatar_url(agent, settings),
        "profile_url": profile_url(agent, settings),
        "owner": owner_read(owner),
    }
