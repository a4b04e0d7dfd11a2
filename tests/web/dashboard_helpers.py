"""Helpers for the dashboard tests: owners with agents, a second browser, database snapshots."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from reef.agent import service as agent_service
from reef.db import session_scope
from reef.models import Agent, ApiKey, Block, Conversation, Message, Owner, OwnerAlert
from tests.fixtures.factories import TestAgent, make_agent, make_owner
from tests.web.pages import PASSWORD, csrf_from, log_in

_KEY = re.compile(r'<pre class="secret"[^>]*>([^<]+)</pre>')
# Everything a dashboard action could change.
WATCHED = (Agent, ApiKey, OwnerAlert, Conversation, Message, Block)


@dataclass
class OwnerWithAgents:
    owner: Owner
    email: str
    agents: list[TestAgent]


async def owner_with_agents(
    client: httpx.AsyncClient,
    handle: str,
    names: list[str],
    *,
    deactivated: tuple[str, ...] = (),
    suspended: tuple[str, ...] = (),
) -> OwnerWithAgents:
    email = f"{handle}@example.com"
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        owner = await make_owner(session, email=email, password=PASSWORD, handle=handle)
        agents = [await make_agent(session, name=name, owner=owner, suspended=name in suspended) for name in names]
        for made in agents:
            if made.name in deactivated:
                await agent_service.revoke_all_keys(session, made.agent, "test")
                made.agent.is_active = False
        await session.flush()
    return OwnerWithAgents(owner, email, agents)


@asynccontextmanager
async def browser(client: httpx.AsyncClient, email: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser (its own cookies) on the same app, signed in as ``email`` if given."""
    async with httpx.AsyncClient(transport=client._transport, base_url="http://reef.test") as other:
        other.app = client.app  # type: ignore[attr-defined]
        if email:
            assert (await log_in(other, email=email)).status_code == 303
        yield other


async def post_form(client: httpx.AsyncClient, action: str, page: str = "/dashboard", **fields: str) -> httpx.Response:
    """POST ``action`` with a CSRF token read from ``page`` (the dashboard by default)."""
    token = csrf_from(await client.get(page))
    return await client.post(action, data={"csrf_token": token, **fields})


def key_from(page: httpx.Response) -> str:
    match = _KEY.search(page.text)
    assert match, page.text[:2000]
    return html.unescape(match.group(1)).strip()


async def snapshot(client: httpx.AsyncClient) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a dashboard action could touch, as plain values."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        for model in WATCHED:
            table = model.__table__  # type: ignore[attr-defined]
            rows = (await session.execute(select(table))).all()
            result[table.name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return result


async def read(client: httpx.AsyncClient, model: Any, *where: Any) -> list[Any]:
    async with session_scope(client.app.state.sessionmaker, write=False) as session:  # type: ignore[attr-defined]
        return list((await session.execute(select(model).where(*where))).scalars())


async def make_conversation(
    client: httpx.AsyncClient,
    initiator: TestAgent,
    recipient: TestAgent,
    *,
    status: str = "pending",
    request_message: str = "May we talk?",
    messages: list[tuple[TestAgent, str]] = (),  # type: ignore[assignment]
) -> str:
    """A conversation row (and its messages) as the DM service would leave it; returns its id."""
    a, b = sorted((initiator.agent.id, recipient.agent.id))
    async with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        conversation = Conversation(
            agent_a_id=a, agent_b_id=b, initiator_id=initiator.agent.id, status=status, request_message=request_message
        )
        session.add(conversation)
        await session.flush()
        for sender, content in messages:
            session.add(Message(conversation_id=conversation.id, sender_id=sender.agent.id, content=content, flags=[]))
        await session.flush()
        return str(conversation.id)
