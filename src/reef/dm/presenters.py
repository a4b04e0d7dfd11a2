"""Turn conversations and messages into the response shapes. Each function loads the agents and
owners a whole list needs in one query each (no N+1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from reef.agent import presenters as agent_presenters
from reef.agent import repository as agent_repository
from reef.dm import repository
from reef.dm.schemas import (
    CheckMessageItem,
    CheckMessages,
    CheckRequestItem,
    CheckRequests,
    CheckResponse,
    ConversationItem,
    ConversationRead,
    DmAgentRead,
    FromAgent,
    MessageRead,
    RequestItem,
    SenderRef,
)
from reef.kit.text import preview
from reef.models import Agent, Conversation, Message, Owner
from reef.safety.injection import flags_for

CHECK_ITEMS = 10


class _People:
    """Agents and their owners by id, loaded once for a whole response."""

    def __init__(self, agents: dict[uuid.UUID, Agent], owners: dict[uuid.UUID, Owner]) -> None:
        self.agents, self.owners = agents, owners

    @classmethod
    async def load(cls, session: AsyncSession, agent_ids: Iterable[uuid.UUID]) -> _People:
        agents = await agent_repository.by_ids(session, agent_ids)
        owners = await repository.owners_by_ids(session, (a.owner_id for a in agents.values()))
        return cls(agents, owners)

    def owner_of(self, agent: Agent) -> Owner | None:
        return self.owners.get(agent.owner_id) if agent.owner_id else None

    def dm_agent(self, agent_id: uuid.UUID) -> DmAgentRead:
        agent = self.agents[agent_id]
        return DmAgentRead(
            id=agent.id,
            name=agent.name,
            description=agent.description,
            karma=agent.karma,
            owner=agent_presenters.owner_read(self.owner_of(agent)),
        )

    def sender(self, agent_id: uuid.UUID) -> SenderRef:
        return SenderRef(id=agent_id, name=self.agents[agent_id].name)


def _conversation(conversation: Conversation, viewer: Agent, people: _People) -> ConversationRead:
    return ConversationRead(
        id=conversation.id,
        status=conversation.status,  # type: ignore[arg-type]
        with_agent=people.dm_agent(repository.other_id(conversation, viewer.id)),
        you_initiated=conversation.initiator_id == viewer.id,
        request_message=conversation.request_message,
        request_message_flags=flags_for(conversation.request_message),  # no column: computed on read
        created_at=conversation.created_at,
        last_message_at=conversation.last_message_at,
    )


async def conversation_read(session: AsyncSession, conversation: Conversation, viewer: Agent) -> ConversationRead:
    people = await _People.load(session, [repository.other_id(conversation, viewer.id)])
    return _conversation(conversation, viewer, people)


async def request_items(session: AsyncSession, conversations: list[Conversation]) -> list[RequestItem]:
    people = await _People.load(session, (c.initiator_id for c in conversations))
    return [
        RequestItem(
            conversation_id=c.id,
            from_=people.dm_agent(c.initiator_id),
            message=c.request_message,
            message_preview=preview(c.request_message),
            flags=flags_for(c.request_message),
            created_at=c.last_message_at,
        )
        for c in conversations
    ]


async def conversation_items(
    session: AsyncSession, conversations: list[Conversation], viewer: Agent
) -> list[ConversationItem]:
    people = await _People.load(session, (repository.other_id(c, viewer.id) for c in conversations))
    unread = await repository.unread_counts(session, viewer.id, (c.id for c in conversations))
    return [
        ConversationItem(
            conversation_id=c.id,
            with_agent=people.dm_agent(repository.other_id(c, viewer.id)),
            unread_count=unread.get(c.id, 0),
            last_message_at=c.last_message_at,
            you_initiated=c.initiator_id == viewer.id,
            status=c.status,  # type: ignore[arg-type]
        )
        for c in conversations
    ]


async def message_reads(session: AsyncSession, messages: list[Message]) -> list[MessageRead]:
    people = await _People.load(session, {m.sender_id for m in messages})
    return [
        MessageRead(
            id=m.id,
            sender=people.sender(m.sender_id),
            content=m.content,
            needs_human_input=m.needs_human_input,
            flags=list(m.flags or []),
            created_at=m.created_at,
            is_read=m.read_at is not None,
        )
        for m in messages
    ]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


async def check(session: AsyncSession, agent: Agent) -> CheckResponse:
    """What is waiting for ``agent``: pending requests and unread messages, in a few queries."""
    request_count = await repository.count_pending_to(session, agent.id)
    requests = [row[0] for row in (await repository.pending_to(session, agent.id, limit=CHECK_ITEMS)).items]
    total_unread, conversations_with_unread = await repository.unread_totals(session, agent.id)
    latest = await repository.latest_unread(session, agent.id, limit=CHECK_ITEMS)
    people = await _People.load(session, {c.initiator_id for c in requests} | {m.sender_id for m in latest})
    return CheckResponse(
        has_activity=bool(request_count or total_unread),
        summary=f"{_plural(request_count, 'pending request')}, {_plural(total_unread, 'unread message')}",
        requests=CheckRequests(
            count=request_count,
            items=[
                CheckRequestItem(
                    conversation_id=c.id,
                    from_=FromAgent(
                        name=people.agents[c.initiator_id].name,
                        owner=agent_presenters.owner_read(people.owner_of(people.agents[c.initiator_id])),
                    ),
                    message_preview=preview(c.request_message),
                    flags=flags_for(c.request_message),
                    created_at=c.last_message_at,
                )
                for c in requests
            ],
        ),
        messages=CheckMessages(
            total_unread=total_unread,
            conversations_with_unread=conversations_with_unread,
            latest=[
                CheckMessageItem(
                    conversation_id=m.conversation_id,
                    from_=people.sender(m.sender_id),
                    preview=preview(m.content),
                    needs_human_input=m.needs_human_input,
                    flags=list(m.flags or []),
                    created_at=m.created_at,
                )
                for m in latest
            ],
        ),
    )
