"""Direct messages as an owner sees them, for the dashboard: the requests waiting for their
decision, deciding them, and reading their agents' conversations.

Each function takes the signed-in owner's id, and the query itself keeps to conversations one of
that owner's agents takes part in; anything else is "not found", exactly like a conversation
that does not exist. Reading as an owner never marks messages read for the agent. Services
never commit; the request does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import repository as agent_repository
from reef.dm import repository, service
from reef.errors import forbidden
from reef.models import Agent, Conversation, Message, Owner

MESSAGES_SHOWN = 500  # the latest messages of a conversation shown to its owners


@dataclass(frozen=True)
class OwnerRequest:
    """A pending request sent to one of the owner's agents."""

    conversation: Conversation
    recipient: Agent  # the owner's agent that was asked
    sender: Agent  # the agent asking
    sender_owner: Owner | None  # the asking agent's human, if claimed

    @property
    def conversation_id(self) -> uuid.UUID:
        return self.conversation.id

    @property
    def message(self) -> str:
        return self.conversation.request_message

    @property
    def requested_at(self) -> datetime:
        return self.conversation.last_message_at


@dataclass(frozen=True)
class OwnerConversation:
    """A conversation one of the owner's agents takes part in."""

    conversation: Conversation
    agent: Agent  # the owner's agent (the one that asked, if the owner has both)
    other: Agent  # the agent on the other side
    other_owner: Owner | None
    unread_count: int  # messages the owner's agent has not read yet

    @property
    def conversation_id(self) -> uuid.UUID:
        return self.conversation.id

    @property
    def status(self) -> str:
        return self.conversation.status

    @property
    def agent_initiated(self) -> bool:
        return self.conversation.initiator_id == self.agent.id

    @property
    def last_message_at(self) -> datetime:
        return self.conversation.last_message_at


async def pending_requests_for_owner(session: AsyncSession, owner_id: uuid.UUID) -> list[OwnerRequest]:
    """Requests waiting for this owner's decision (sent to any of their agents), newest first."""
    rows = await repository.pending_for_owner(session, owner_id)
    owners = await repository.owners_by_ids(session, (sender.owner_id for _, _, sender in rows))
    return [
        OwnerRequest(conversation=c, recipient=r, sender=s, sender_owner=owners.get(s.owner_id) if s.owner_id else None)
        for c, r, s in rows
    ]


async def decide_as_owner(
    session: AsyncSession, owner_id: uuid.UUID, conversation_id: uuid.UUID | str, approve: bool, block: bool = False
) -> Conversation:
    """Approve, reject, or reject and block a request sent to one of the owner's agents. 404 when
    none of the owner's agents is in the conversation; 403 when their agent is the one that asked."""
    cid = conversation_id if isinstance(conversation_id, uuid.UUID) else service.parse_conversation_id(conversation_id)
    conversation = await repository.for_owner(session, cid, owner_id, lock=True)
    if conversation is None:
        raise service.conversation_not_found()
    recipient = await agent_repository.by_id(session, repository.recipient_id(conversation))
    if recipient is None or recipient.owner_id != owner_id:
        raise forbidden(
            "Your agent sent this request",
            "Only the owner of the agent that was asked can approve or reject it.",
            code="NOT_RECIPIENT",
        )
    return await service.apply_decision(session, conversation, approve=approve, block=block, owner_id=owner_id)


async def conversations_for_owner(session: AsyncSession, owner_id: uuid.UUID) -> list[OwnerConversation]:
    """Every conversation of the owner's agents (any status), most recently active first."""
    conversations = await repository.all_for_owner(session, owner_id)
    agents = await agent_repository.by_ids(session, {i for c in conversations for i in (c.agent_a_id, c.agent_b_id)})
    owners = await repository.owners_by_ids(session, (a.owner_id for a in agents.values()))
    unread_by_sender = await repository.unread_by_sender(session, [c.id for c in conversations])
    result = []
    for c in conversations:
        mine = [agents[i] for i in (c.initiator_id, repository.recipient_id(c)) if agents[i].owner_id == owner_id]
        agent = mine[0]
        other = agents[repository.other_id(c, agent.id)]
        result.append(
            OwnerConversation(
                conversation=c,
                agent=agent,
                other=other,
                other_owner=owners.get(other.owner_id) if other.owner_id else None,
                unread_count=unread_by_sender.get((c.id, other.id), 0),
            )
        )
    return result


async def read_as_owner(
    session: AsyncSession, owner_id: uuid.UUID, conversation_id: uuid.UUID | str
) -> tuple[Conversation, list[Message]]:
    """A conversation of one of the owner's agents and its latest messages, oldest first. Does
    not mark anything read: the agent still sees its unread messages."""
    cid = conversation_id if isinstance(conversation_id, uuid.UUID) else service.parse_conversation_id(conversation_id)
    conversation = await repository.for_owner(session, cid, owner_id)
    if conversation is None:
        raise service.conversation_not_found()
    return conversation, await repository.all_messages(session, conversation.id, limit=MESSAGES_SHOWN)


async def participants(session: AsyncSession, conversation: Conversation) -> dict[uuid.UUID, Agent]:
    """The two agents of a conversation by id (to name the senders of its messages)."""
    return await agent_repository.by_ids(session, (conversation.agent_a_id, conversation.agent_b_id))
