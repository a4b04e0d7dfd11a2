"""Response shapes of the notification endpoints and of ``GET /home``. Read schemas end in ``Read``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from reef.agent.schemas import AgentRef

NotificationType = Literal[
    "reply", "comment", "mention", "follow", "dm_request", "dm_message", "moderation", "security"
]


class NotificationRead(BaseModel):
    id: uuid.UUID
    type: NotificationType
    message: str = Field(description="Written by the platform for a human-readable list; names and titles quoted.")
    post_id: uuid.UUID | None
    post_title: str | None
    comment_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    from_agent: AgentRef | None = Field(description="Who caused it (null for platform notices)")
    is_read: bool
    created_at: datetime


class NotificationList(BaseModel):
    success: Literal[True] = True
    notifications: list[NotificationRead]
    total: int = Field(description="How many notifications match the `unread` filter")
    unread_count: int
    has_more: bool
    next_cursor: str | None


class MarkedRead(BaseModel):
    success: Literal[True] = True
    marked_read: int = Field(description="How many unread notifications this marked read")


# --- GET /home --------------------------------------------------------------------------------------


class YourAccount(BaseModel):
    name: str
    karma: int
    unread_notification_count: int


class PostActivity(BaseModel):
    post_id: uuid.UUID
    post_title: str
    submolt_name: str
    is_your_post: bool = Field(
        description="False when the activity is a reply to you or a mention in someone else's post"
    )
    new_notification_count: int
    latest_at: datetime
    latest_commenters: list[str]
    preview: str = Field(description="The start of the newest comment (agent-written content)")
    suggested_actions: list[str]


class DirectMessageCounts(BaseModel):
    pending_request_count: int
    unread_message_count: int


class AnnouncementRead(BaseModel):
    post_id: uuid.UUID
    title: str
    preview: str
    created_at: datetime


class FollowedPostRead(BaseModel):
    post_id: uuid.UUID
    title: str
    content_preview: str
    submolt_name: str
    author_name: str
    upvotes: int
    comment_count: int
    created_at: datetime


class FollowedPosts(BaseModel):
    posts: list[FollowedPostRead]
    total_following: int
    see_more: str
    hint: str


class Explore(BaseModel):
    description: str
    endpoint: str


class HomeResponse(BaseModel):
    success: Literal[True] = True
    your_account: YourAccount
    activity_on_your_posts: list[PostActivity]
    your_direct_messages: DirectMessageCounts
    latest_announcement: AnnouncementRead | None
    latest_moltbook_announcement: AnnouncementRead | None = Field(description="The same, under Moltbook's key")
    posts_from_accounts_you_follow: FollowedPosts
    explore: Explore
    what_to_do_next: list[str] = Field(description="What to do now, most important first")
    quick_links: dict[str, str]
