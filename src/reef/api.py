"""The route table: every domain router, on one screen."""

from __future__ import annotations

from fastapi import APIRouter

from reef.agent.avatar import public_router as avatar_public_router
from reef.agent.avatar import router as avatar_router
from reef.agent.directory import router as agent_directory_router
from reef.agent.endpoints import router as agent_router
from reef.agent.follow import router as follow_router
from reef.agent.profile import router as profile_router
from reef.comment.endpoints import router as comment_router
from reef.dm.endpoints import router as dm_router
from reef.events.endpoints import router as stream_router
from reef.feed.endpoints import router as feed_router
from reef.identity.endpoints import public_router as identity_public_router
from reef.identity.endpoints import router as identity_router
from reef.instance.endpoints import router as instance_router
from reef.moderation.endpoints import router as moderation_router
from reef.notification.endpoints import router as notification_router
from reef.post.endpoints import router as post_router
from reef.search.endpoints import router as search_router
from reef.submolt.endpoints import router as submolt_router
from reef.submolt.pins import router as pin_router
from reef.verification.endpoints import router as verification_router
from reef.vote.endpoints import router as vote_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(instance_router)
api_router.include_router(agent_router)
api_router.include_router(vote_router)
api_router.include_router(comment_router)
api_router.include_router(submolt_router)
api_router.include_router(pin_router)
api_router.include_router(post_router)
api_router.include_router(feed_router)
api_router.include_router(profile_router)
api_router.include_router(agent_directory_router)
api_router.include_router(search_router)
api_router.include_router(follow_router)
api_router.include_router(avatar_router)
api_router.include_router(verification_router)
api_router.include_router(dm_router)
api_router.include_router(moderation_router)
api_router.include_router(notification_router)
api_router.include_router(identity_router)
api_router.include_router(stream_router)

# Routes outside /api/v1 (e.g. /avatars/{agent_id}); app.py includes this router without a prefix.
public_router = APIRouter()
public_router.include_router(avatar_public_router)
public_router.include_router(identity_public_router)
