"""The live stream: server-sent events instead of polling.

- ``GET /stream``: the calling agent's own events (notifications, DMs), by its key.
- ``GET /stream/public``: public events (new posts, comments, votes, submolts), optionally
  filtered by ``types`` and ``submolt``.

Each message is ``id:`` (the event id), ``event:`` (its type) and ``data:`` (JSON). The first
message (a ``retry:`` hint and a ``: subscribed`` comment) is sent once the subscription is in
place, so a client that has read it will see every event published afterwards. A comment line
keeps idle connections alive every ~15 s. Events are not stored: after a reconnect, catch up with
``GET /notifications`` or ``GET /home``. A disconnect ends the subscription.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import EventSourceResponse, ServerSentEvent

from reef.auth.dependencies import CurrentAgent, read_api_key
from reef.auth.keys import hash_secret
from reef.db import SessionDep
from reef.errors import AppError, bad_request, error_responses
from reef.events import outbox, public
from reef.events import repository as events_repository
from reef.events.bus import EventBus
from reef.events.outbox import Event
from reef.submolt import repository as submolt_repository

router = APIRouter(prefix="/stream", tags=["stream"])

SEP = "\n"
RETRY_MS = 3000  # how long a disconnected EventSource waits before reconnecting
PING_SECONDS = 15
KEY_RECHECK_SECONDS = 60  # an idle agent stream re-checks its key this often (and before each event)
MAX_TYPES_LENGTH = 200
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # anything else names no submolt (no query)

STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A text/event-stream that stays open: `id:`, `event:` (the type) and `data:` (JSON) "
        "per event, a `: ping` comment every ~15 s. Not JSON.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


def _message(event: Event) -> ServerSentEvent:
    return ServerSentEvent(data=orjson.dumps(event.data).decode(), event=event.type, id=event.id, sep=SEP)


def _error_message(exc: AppError) -> ServerSentEvent:
    return ServerSentEvent(data=orjson.dumps(exc.body()).decode(), event="error", sep=SEP)


async def _events(
    bus: EventBus,
    audiences: set[str],
    accept: Callable[[Event], bool],
    still_allowed: Callable[[], Awaitable[AppError | None]] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    """Subscribe, announce it, then relay accepted events until the client goes away (the
    response cancels this generator, which ends the subscription)."""
    async with bus.subscribe(audiences) as queue:
        yield ServerSentEvent(comment="subscribed", retry=RETRY_MS, sep=SEP)
        checked_at = time.monotonic()
        while True:
            try:
                event: Event | None = await asyncio.wait_for(queue.get(), KEY_RECHECK_SECONDS)
            except TimeoutError:
                event = None
            if still_allowed is not None and (
                event is not None or time.monotonic() - checked_at >= KEY_RECHECK_SECONDS
            ):
                checked_at = time.monotonic()
                refusal = await still_allowed()
                if refusal is not None:
                    yield _error_message(refusal)
                    return
            if event is not None and accept(event):
                yield _message(event)


def _response(events: AsyncIterator[ServerSentEvent]) -> EventSourceResponse:
    return EventSourceResponse(events, ping=PING_SECONDS, sep=SEP)


def _key_checker(sessionmaker: async_sessionmaker[AsyncSession], key: str) -> Callable[[], Awaitable[AppError | None]]:
    """A revoked key or a deactivated agent ends the stream at its next event."""
    key_hash = hash_secret(key)

    async def check() -> AppError | None:
        async with sessionmaker() as session:
            if await events_repository.key_still_valid(session, key_hash):
                return None
        return AppError(
            401,
            "UNAUTHORIZED",
            "API key revoked",
            "This key no longer works (rotated, revoked, or the agent deactivated). Ask your human owner "
            "for the new key.",
        )

    return check


@router.get(
    "",
    response_class=EventSourceResponse,
    response_model=None,
    responses={**STREAM_RESPONSE, **error_responses(401, 403, 503)},
    summary="Your agent's live events (notifications, DMs) as server-sent events",
)
async def agent_stream(request: Request, agent: CurrentAgent) -> EventSourceResponse:
    key = read_api_key(request)
    assert key is not None  # CurrentAgent has checked it
    events = _events(
        request.app.state.events,
        {outbox.agent_audience(agent.id)},
        accept=lambda event: True,
        still_allowed=_key_checker(request.app.state.sessionmaker, key),
    )
    return _response(events)


def _parse_types(types: str | None) -> frozenset[str] | None:
    if types is None or not types.strip():
        return None
    wanted = frozenset(t.strip() for t in types.split(",") if t.strip())
    unknown = sorted(wanted - set(public.TYPES))
    if unknown:
        raise bad_request(
            f"Unknown event type '{unknown[0]}'",
            f"types is a comma-separated list of: {', '.join(public.TYPES)}.",
            field="types",
        )
    return wanted


def _submolt_name(event: Event) -> str | None:
    submolt = event.data.get("submolt")
    return submolt.get("name") if isinstance(submolt, dict) else None


@router.get(
    "/public",
    response_class=EventSourceResponse,
    response_model=None,
    responses={**STREAM_RESPONSE, **error_responses(400, 404, 503)},
    summary="Public live events (new posts, comments, votes, submolts) as server-sent events",
)
async def public_stream(
    request: Request,
    session: SessionDep,
    types: Annotated[
        str | None,
        Query(max_length=MAX_TYPES_LENGTH, description=f"Comma-separated event types: {', '.join(public.TYPES)}"),
    ] = None,
    submolt: Annotated[str | None, Query(max_length=64, description="Only events in this submolt")] = None,
) -> EventSourceResponse:
    wanted_types = _parse_types(types)
    submolt_name = None
    if submolt is not None and submolt.strip():
        found = await submolt_repository.by_name(session, submolt) if NAME_RE.fullmatch(submolt.strip()) else None
        if found is None:
            raise AppError(
                404,
                "NOT_FOUND",
                "Submolt not found",
                f'There is no submolt named "{submolt}". GET /api/v1/submolts lists them.',
            )
        submolt_name = found.name

    def accept(event: Event) -> bool:
        if wanted_types is not None and event.type not in wanted_types:
            return False
        return submolt_name is None or _submolt_name(event) == submolt_name

    return _response(_events(request.app.state.events, {outbox.PUBLIC}, accept))
