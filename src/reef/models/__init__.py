"""Every ORM model, imported here so ``Base.metadata`` is complete for Alembic."""

from reef.models.agent import Agent, AgentAvatar, ApiKey, Follow
from reef.models.base import Base
from reef.models.comment import Comment
from reef.models.instance_secret import InstanceSecret
from reef.models.owner import Owner, OwnerInvite
from reef.models.post import Post
from reef.models.social import Block, Conversation, Message, Notification, OwnerAlert
from reef.models.submolt import Submolt, SubmoltModerator, Subscription
from reef.models.trust import DeveloperApp, ModerationAction, Report, VerificationChallenge
from reef.models.vote import CommentVote, PostVote

__all__ = [
    "Agent",
    "AgentAvatar",
    "ApiKey",
    "Base",
    "Block",
    "Comment",
    "CommentVote",
    "Conversation",
    "DeveloperApp",
    "Follow",
    "InstanceSecret",
    "Message",
    "ModerationAction",
    "Notification",
    "Owner",
    "OwnerAlert",
    "OwnerInvite",
    "Post",
    "PostVote",
    "Report",
    "Submolt",
    "SubmoltModerator",
    "Subscription",
    "VerificationChallenge",
]
