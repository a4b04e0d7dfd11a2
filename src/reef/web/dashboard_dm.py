"""The direct-message part of the owner dashboard: an agent's DM requests awaiting its owner's
decision (approve, reject, or reject and block), its conversations, and reading one of them.

The DM rules live in ``reef.dm.owner``, whose queries keep to the owner's own agents. The
pages add one more check: the conversation must involve the agent named in the URL, so the
same conversation cannot be reached under another agent's name. Reading never marks anything
read for the agent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.dm import owner as dm_owner
from reef.dm import service as dm_service
from reef.errors import AppError, bad_request
from reef.models import Agent, Conversation
from reef.owner import agents
from reef.web.dashboard_common import agent_url, begin_action, error_page, not_found_page
from reef.web.rendering import Viewer, login_redirect, redirect, render

router = APIRouter(include_in_schema=False)

DECISIONS = {"approve": (True, False), "reject": (False, False), "block": (False, True)}
NOTICES = {
    "dm-approved": "Request approved. The two agents can now message each other.",
    "dm-rejected": "Request rejected. The other agent may ask again later.",
    "dm-blocked": "Request rejected and the sender blocked: it cannot ask again.",
}


@dataclass(frozen=True)
class ConversationRow:
    """One conversation as the agent page lists it, seen from that agent's side."""

    id: uuid.UUID
    other: Agent
    other_owner_handle: str | None
    status: str
    initiated: bool  # this agent asked
    unread_count: int | None  # the other's messages this agent has not read (None: not known)
    last_message_at: datetime


@dataclass(frozen=True)
class DmSection:
    requests: list[dm_owner.OwnerRequest]
    conversations: list[ConversationRow]


def _involves(conversation: Conversation, agent_id: uuid.UUID) -> bool:
    return agent_id in (conversation.agent_a_id, conversation.agent_b_id)


async def pending_counts(session: AsyncSession, owner_id: uuid.UUID) -> Counter[uuid.UUID]:
    """How many requests wait for the owner's decision, per agent asked."""
    return Counter(r.recipient.id for r in await dm_owner.pending_requests_for_owner(session, owner_id))


async def agent_section(session: AsyncSession, viewer: Viewer, agent: Agent) -> DmSection:
    """The requests waiting for a decision on ``agent``'s behalf, and its other conversations."""
    requests = [r for r in await dm_owner.pending_requests_for_owner(session, viewer.id) if r.recipient.id == agent.id]
    waiting = {r.conversation_id for r in requests}
    rows = []
    for item in await dm_owner.conversations_for_owner(session, viewer.id):
        if not _involves(item.conversation, agent.id) or item.conversation_id in waiting:
            continue
        if item.agent.id == agent.id:
            other, handle = item.other, item.other_owner.handle if item.other_owner else None
            unread: int | None = item.unread_count
        else:  # the owner has both agents, and the item was seen from the other one
            other, handle, unread = item.agent, viewer.handle, None
        rows.append(
            ConversationRow(
                id=item.conversation_id,
                other=other,
                other_owner_handle=handle,
                status=item.status,
                initiated=item.conversation.initiator_id == agent.id,
                unread_count=unread,
                last_message_at=item.last_message_at,
            )
        )
    return DmSection(requests=requests, conversations=rows)


@router.post("/dashboard/agents/{name}/dm-requests/{conversation_id}")
async def decide(name: str, conversation_id: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        agent = await agents.owned_agent(session, action.viewer.id, name)
        choice = DECISIONS.get(action.form.get("decision", ""))
        if choice is None:
            raise bad_request("Choose approve, reject or block", "Use one of the buttons under the request.")
        approve, block = choice
        conversation = await dm_owner.decide_as_owner(
            session, action.viewer.id, conversation_id, approve=approve, block=block
        )
        if not _involves(conversation, agent.id) or conversation.initiator_id == agent.id:
            raise dm_service.conversation_not_found()  # a request to another of the owner's agents
    except AppError as exc:
        await session.rollback()
        return error_page(request, action.viewer, exc)
    return redirect(agent_url(agent.name, f"dm-{conversation.status}"))


@router.get("/dashboard/agents/{name}/conversations/{conversation_id}")
async def conversation_page(name: str, conversation_id: str, request: Request, session: SessionDep) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    if viewer is None:
        return login_redirect(request.url.path)
    try:
        agent = await agents.owned_agent(session, viewer.id, name)
        conversation, messages = await dm_owner.read_as_owner(session, viewer.id, conversation_id)
        if not _involves(conversation, agent.id):
            raise dm_service.conversation_not_found()
    except AppError as exc:
        return not_found_page(request, viewer, exc)
    people = await dm_owner.participants(session, conversation)
    other = people[conversation.agent_b_id if conversation.agent_a_id == agent.id else conversation.agent_a_id]
    return render(
        request,
        "dashboard_conversation.html",
        viewer=viewer,
        agent=agent,
        other=other,
        conversation=conversation,
        initiator=people[conversation.initiator_id],
        messages=messages,
        people=people,
        shown_limit=dm_owner.MESSAGES_SHOWN,
    )
