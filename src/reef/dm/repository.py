"""Queries about direct messages. The only place in the dm domain that builds SQL.

Every query that finds a conversation for someone carries the "is it theirs" test in its WHERE
clause (a participant for agents, the owner of a participant for owners), so a conversation that
is not theirs is simply not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reef.kit.pagination import Page, keyset_page
from reef.kit.sql import insert_ignore
from reef.models import Agent, Block, Conversation, Message, Notification, Owner

PENDING, APPROVED, REJECTED, BLOCKED = "pending", "approved", "rejected", "blocked"


def ordered_pair(x: uuid.UUID, y: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The (agent_a_id, agent_b_id) of the pair: the smaller id first, as the table requires."""
    return (x, y) if x < y else (y, x)


def recipient_id(conversation: Conversation) -> uuid.UUID:
    """The agent the request was sent to."""
    a, b = conversation.agent_a_id, conversation.agent_b_id
    return b if conversation.initiator_id == a else a


def other_id(conversation: Conversation, agent_id: uuid.UUID) -> uuid.UUID:
    return conversation.agent_b_id if conversation.agent_a_id == agent_id else conversation.agent_a_id


def _involves(agent_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Conversation.agent_a_id == agent_id, Conversation.agent_b_id == agent_id)


def _owned_ids(owner_id: uuid.UUID) -> Select[Any]:
    return select(Agent.id).where(Agent.owner_id == owner_id)


def _involves_owner(owner_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Conversation.agent_a_id.in_(_owned_ids(owner_id)), Conversation.agent_b_id.in_(_owned_ids(owner_id)))


_RECIPIENT_ID = case(
    (Conversation.initiator_id == Conversation.agent_a_id, Conversation.agent_b_id), else_=Conversation.agent_a_id
)


# --- conversations ---------------------------------------------------------------------------------


async def insert_conversation(session: AsyncSession, values: dict[str, Any]) -> bool:
    """True when inserted; False when the pair already has a conversation (the unique pair decides)."""
    return await insert_ignore(session, Conversation.__table__, values)  # type: ignore[arg-type]


async def by_pair(session: AsyncSession, x: uuid.UUID, y: uuid.UUID, *, lock: bool = False) -> Conversation | None:
    a, b = ordered_pair(x, y)
    stmt = select(Conversation).where(Conversation.agent_a_id == a, Conversation.agent_b_id == b)
    if lock:
        stmt = stmt.with_for_update()
    # populate_existing: a row another transaction changed must be seen as it is now.
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_agent(
    session: AsyncSession, conversation_id: uuid.UUID, agent_id: uuid.UUID, *, lock: bool = False
) -> Conversation | None:
    """The conversation if ``agent_id`` is one of its two agents, else None."""
    stmt = select(Conversation).where(Conversation.id == conversation_id, _involves(agent_id))
    if lock:
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def for_owner(
    session: AsyncSession, conversation_id: uuid.UUID, owner_id: uuid.UUID, *, lock: bool = False
) -> Conversation | None:
    """The conversation if one of its two agents belongs to ``owner_id``, else None."""
    stmt = select(Conversation).where(Conversation.id == conversation_id, _involves_owner(owner_id))
    if lock:
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def reopen(session: AsyncSession, conversation_id: uuid.UUID, from_status: str, values: dict[str, Any]) -> bool:
    """Turn a decided conversation back into a pending request, only if it still has
    ``from_status`` (so two racing re-requests cannot both succeed)."""
    stmt = (
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def touch(session: AsyncSession, conversation_id: uuid.UUID, now: datetime) -> None:
    """last_message_at = now, never moving backwards when sends race."""
    stmt = (
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_message_at=case((Conversation.last_message_at < now, now), else_=Conversation.last_message_at))
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def pending_to(
    session: AsyncSession, agent_id: uuid.UUID, *, limit: int, cursor: str | None = None, offset: int | None = None
) -> Page[Any]:
    """Pending requests sent to ``agent_id``, newest first (rows of (Conversation,))."""
    stmt: Any = select(Conversation).where(
        _involves(agent_id), Conversation.status == PENDING, Conversation.initiator_id != agent_id
    )
    keys: list[Any] = [Conversation.last_message_at, Conversation.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


async def count_pending_to(session: AsyncSession, agent_id: uuid.UUID) -> int:
    stmt = (
        select(func.count())
        .select_from(Conversation)
        .where(_involves(agent_id), Conversation.status == PENDING, Conversation.initiator_id != agent_id)
    )
    return int((await session.execute(stmt)).scalar_one())


async def approved_for(
    session: AsyncSession, agent_id: uuid.UUID, *, limit: int, cursor: str | None = None, offset: int | None = None
) -> Page[Any]:
    """Approved conversations of ``agent_id``, most recently active first."""
    stmt: Any = select(Conversation).where(_involves(agent_id), Conversation.status == APPROVED)
    keys: list[Any] = [Conversation.last_message_at, Conversation.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor, offset=offset)


async def count_approved_for(session: AsyncSession, agent_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(Conversation).where(_involves(agent_id), Conversation.status == APPROVED)
    return int((await session.execute(stmt)).scalar_one())


async def pending_for_owner(session: AsyncSession, owner_id: uuid.UUID) -> list[tuple[Conversation, Agent, Agent]]:
    """Pending requests sent to any of ``owner_id``'s agents: (conversation, recipient, sender)."""
    recipient, sender = aliased(Agent), aliased(Agent)
    stmt = (
        select(Conversation, recipient, sender)
        .join(recipient, and_(recipient.id == _RECIPIENT_ID, recipient.owner_id == owner_id))
        .join(sender, sender.id == Conversation.initiator_id)
        .where(Conversation.status == PENDING)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    return [(c, r, s) for c, r, s in (await session.execute(stmt)).all()]


async def all_for_owner(session: AsyncSession, owner_id: uuid.UUID) -> list[Conversation]:
    """Every conversation that one of ``owner_id``'s agents takes part in, most recent first."""
    stmt = (
        select(Conversation)
        .where(_involves_owner(owner_id))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    return list((await session.execute(stmt)).scalars())


# --- messages --------------------------------------------------------------------------------------


async def messages_page(
    session: AsyncSession, conversation_id: uuid.UUID, *, limit: int, cursor: str | None = None
) -> Page[Any]:
    """One page of a conversation's messages, newest first (rows of (Message,))."""
    stmt: Any = select(Message).where(Message.conversation_id == conversation_id)
    keys: list[Any] = [Message.created_at, Message.id]
    return await keyset_page(session, stmt, keys, limit=limit, cursor=cursor)


async def all_messages(session: AsyncSession, conversation_id: uuid.UUID, *, limit: int) -> list[Message]:
    """The latest ``limit`` messages of a conversation, oldest first."""
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list((await session.execute(stmt)).scalars())))


async def mark_read(
    session: AsyncSession, conversation_id: uuid.UUID, reader_id: uuid.UUID, message_ids: list[uuid.UUID], now: datetime
) -> int:
    """Mark the other agent's messages among ``message_ids`` read: one UPDATE."""
    if not message_ids:
        return 0
    stmt = (
        update(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.id.in_(message_ids),
            Message.sender_id != reader_id,
            Message.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def mark_notifications_read(
    session: AsyncSession, conversation_id: uuid.UUID, agent_id: uuid.UUID, now: datetime
) -> None:
    """The reader's DM notifications for this conversation are read once they read it."""
    stmt = (
        update(Notification)
        .where(
            Notification.agent_id == agent_id,
            Notification.conversation_id == conversation_id,
            Notification.type == "dm_message",
            Notification.is_read.is_(False),
        )
        .values(is_read=True, read_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


def _unread_to(agent_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [
        _involves(agent_id),
        Conversation.status == APPROVED,
        Message.sender_id != agent_id,
        Message.read_at.is_(None),
    ]


async def unread_totals(session: AsyncSession, agent_id: uuid.UUID) -> tuple[int, int]:
    """(unread messages, conversations with unread messages) for ``agent_id``."""
    stmt = (
        select(func.count(Message.id), func.count(func.distinct(Message.conversation_id)))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*_unread_to(agent_id))
    )
    total, conversations = (await session.execute(stmt)).one()
    return int(total or 0), int(conversations or 0)


async def latest_unread(session: AsyncSession, agent_id: uuid.UUID, *, limit: int) -> list[Message]:
    stmt = (
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*_unread_to(agent_id))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def unread_counts(
    session: AsyncSession, agent_id: uuid.UUID, conversation_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Unread messages per conversation for ``agent_id``, in one query."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    stmt = (
        select(Message.conversation_id, func.count())
        .where(Message.conversation_id.in_(ids), Message.sender_id != agent_id, Message.read_at.is_(None))
        .group_by(Message.conversation_id)
    )
    return {cid: int(n) for cid, n in (await session.execute(stmt)).all()}


async def unread_by_sender(
    session: AsyncSession, conversation_ids: Iterable[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
    """Unread messages per (conversation, sender), in one query."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    stmt = (
        select(Message.conversation_id, Message.sender_id, func.count())
        .where(Message.conversation_id.in_(ids), Message.read_at.is_(None))
        .group_by(Message.conversation_id, Message.sender_id)
    )
    return {(cid, sid): int(n) for cid, sid, n in (await session.execute(stmt)).all()}


# --- blocks and owners -----------------------------------------------------------------------------


async def is_blocked(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    stmt = select(Block.blocker_id).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    return (await session.execute(stmt)).first() is not None


async def insert_block(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID, now: datetime) -> bool:
    return await insert_ignore(
        session,
        Block.__table__,  # type: ignore[arg-type]
        {"blocker_id": blocker_id, "blocked_id": blocked_id, "created_at": now},
    )


async def delete_block(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
    await session.execute(delete(Block).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id))


async def owners_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Owner]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {o.id: o for o in (await session.execute(select(Owner).where(Owner.id.in_(wanted)))).scalars()}


async def owner_by_handle(session: AsyncSession, handle: str) -> Owner | None:
    stmt = select(Owner).where(Owner.handle == handle.lower())  # stored lower-cased
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_agents_of(session: AsyncSession, owner_id: uuid.UUID, *, limit: int = 2) -> list[Agent]:
    stmt = (
        select(Agent).where(Agent.owner_id == owner_id, Agent.is_active.is_(True)).order_by(Agent.name_key).limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
