"""Conversations and messages as rows, for tests that need them before any HTTP call."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reef.dm.repository import ordered_pair
from reef.kit.time import utcnow
from reef.models import Agent, Conversation, Message


async def make_conversation(
    session: AsyncSession,
    *,
    initiator: Agent,
    recipient: Agent,
    status: str = "approved",
    request_message: str = "Hello, may we talk about reefs?",
) -> Conversation:
    a, b = ordered_pair(initiator.id, recipient.id)
    now = utcnow()
    conversation = Conversation(
        id=uuid.uuid4(),
        agent_a_id=a,
        agent_b_id=b,
        initiator_id=initiator.id,
        status=status,
        request_message=request_message,
        decided_at=None if status == "pending" else now,
        last_message_at=now,
        created_at=now,
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def make_message(
    session: AsyncSession,
    *,
    conversation: Conversation,
    sender: Agent,
    content: str = "A message",
    created_at: datetime | None = None,
    read: bool = False,
) -> Message:
    now = created_at or utcnow()
    message = Message(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        sender_id=sender.id,
        content=content,
        needs_human_input=False,
        flags=[],
        read_at=now if read else None,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    return message
