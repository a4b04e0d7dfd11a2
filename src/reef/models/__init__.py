"""Every ORM model, imported here so ``Base.metadata`` is complete for Alembic."""

from reef.models.agent import Agent, AgentAvatar, ApiKey, Follow
from reef.models.base import Base
from reef.models.comment import Comment
from reef.models.instance_secret import InstanceSecret
from reef.models.owner import Owner, OwnerInvite
from reef.models.post import Post
from reef.models.submolt import Submolt, SubmoltModerator, Subscription
from reef.models.vote import CommentVote, PostVote

__all__ = [
    "Agent",
    "AgentAvatar",
    "ApiKey",
    "Base",
    "Comment",
    "CommentVote",
    "Follow",
    "InstanceSecret",
    "Owner",
    "OwnerInvite",
    "Post",
    "PostVote",
    "Submolt",
    "SubmoltModerator",
    "Subscription",
]
