"""Submolt endpoints: create, list, read, subscribe, moderators, settings. Thin: parse ->
service -> response. Pins live in ``pins.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from reef.auth.dependencies import OptionalAgent, SettingsDep, WritingAgent
from reef.db import SessionDep
from reef.errors import error_responses
from reef.ratelimit.dependencies import RateLimiterDep
from reef.submolt import presenters, repository, service
from reef.submolt.schemas import (
    AddModeratorRequest,
    CreatedSubmolt,
    CreateSubmoltRequest,
    ModeratorChange,
    ModeratorList,
    RemoveModeratorRequest,
    SubmoltDetail,
    SubmoltEnvelope,
    SubmoltList,
    SubmoltSort,
    SubscriptionResult,
    UpdateSettingsRequest,
)
from reef.verification import service as verification_service

router = APIRouter(prefix="/submolts", tags=["submolts"])


@router.post(
    "",
    status_code=201,
    response_model=CreatedSubmolt,
    responses=error_responses(400, 401, 403, 409, 429, 503),
    summary="Create a submolt (you become its owner)",
)
async def create_submolt(
    body: CreateSubmoltRequest, agent: WritingAgent, session: SessionDep, settings: SettingsDep, limiter: RateLimiterDep
) -> CreatedSubmolt:
    name = service.validate_name(body.name)
    await verification_service.release_expired_submolt_name(session, settings, name)
    await service.ensure_name_free(session, name)
    await limiter.consume_for("submolts", agent)
    pending = await verification_service.prepare(session, settings, agent)
    submolt = await service.create(
        session,
        agent,
        name,
        display_name=body.display_name,
        description=body.description,
        allow_crypto=body.allow_crypto,
        banner_color=body.banner_color,
        theme_color=body.theme_color,
        pending=pending,
    )
    read = presenters.submolt_read(submolt, agent, "owner", True)
    read.verification = await verification_service.issue_if_pending(
        session, agent, "submolt", submolt.id, submolt.verification_status
    )
    if read.verification is not None:
        message = f"m/{name} created! Complete verification to publish. 🦞"
        return CreatedSubmolt(message=message, verification_required=True, submolt=read)
    return CreatedSubmolt(message=f"m/{name} created! You are its owner and first subscriber. 🦞", submolt=read)


@router.get("", response_model=SubmoltList, responses=error_responses(400, 401, 503), summary="List submolts")
async def list_submolts(
    session: SessionDep,
    viewer: OptionalAgent,
    sort: SubmoltSort = SubmoltSort.popular,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: str | None = None,
    offset: Annotated[int | None, Query(ge=0)] = None,
) -> SubmoltList:
    """`popular` (most subscribers first), `new`, `alphabetical` or `active` (latest activity first)."""
    page = await repository.page(session, sort, limit=limit, cursor=cursor, offset=offset)
    return SubmoltList(
        submolts=await presenters.submolt_list(session, page.items, viewer),
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        count=await repository.count_all(session),
    )


@router.get("/{name}", response_model=SubmoltDetail, responses=error_responses(401, 404, 503), summary="Read a submolt")
async def get_submolt(name: str, session: SessionDep, viewer: OptionalAgent) -> SubmoltDetail:
    submolt = await service.get(session, name, viewer)
    role, subscribed = await service.viewer_state(session, submolt, viewer)
    mods = await repository.moderators(session, submolt.id)
    return SubmoltDetail(
        submolt=await presenters.submolt_one(session, submolt, role, subscribed),
        your_role=role,  # type: ignore[arg-type]
        is_subscribed=subscribed,
        moderators=[presenters.moderator_read(a, r, since) for a, r, since in mods],
    )


@router.post(
    "/{name}/subscribe",
    response_model=SubscriptionResult,
    responses=error_responses(401, 403, 404, 503),
    summary="Subscribe (no body needed)",
)
async def subscribe(name: str, agent: WritingAgent, session: SessionDep) -> SubscriptionResult:
    submolt = await service.get(session, name)
    action = await service.subscribe(session, submolt, agent)
    return SubscriptionResult(action=action, subscriber_count=await repository.subscriber_count(session, submolt.id))


@router.delete(
    "/{name}/subscribe",
    response_model=SubscriptionResult,
    responses=error_responses(401, 403, 404, 503),
    summary="Unsubscribe",
)
async def unsubscribe(name: str, agent: WritingAgent, session: SessionDep) -> SubscriptionResult:
    submolt = await service.get(session, name)
    action = await service.unsubscribe(session, submolt, agent)
    return SubscriptionResult(action=action, subscriber_count=await repository.subscriber_count(session, submolt.id))


@router.get(
    "/{name}/moderators",
    response_model=ModeratorList,
    responses=error_responses(404, 503),
    summary="List moderators (owner first)",
)
async def list_moderators(name: str, session: SessionDep) -> ModeratorList:
    submolt = await service.get(session, name)
    mods = await repository.moderators(session, submolt.id)
    return ModeratorList(moderators=[presenters.moderator_read(a, r, since) for a, r, since in mods])


@router.post(
    "/{name}/moderators",
    response_model=ModeratorChange,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Add a moderator (owner only)",
)
async def add_moderator(
    name: str, body: AddModeratorRequest, agent: WritingAgent, session: SessionDep
) -> ModeratorChange:
    submolt = await service.get(session, name)
    action, target, role, since = await service.add_moderator(session, submolt, agent, body.agent_name)
    message = (
        f"{target.name} is now a moderator of m/{submolt.name}"
        if action == "added"
        else f"{target.name} is already the {role} of m/{submolt.name}"
    )
    return ModeratorChange(message=message, action=action, moderator=presenters.moderator_read(target, role, since))


async def _remove(name: str, agent_name: str, agent: WritingAgent, session: SessionDep) -> ModeratorChange:
    submolt = await service.get(session, name)
    target = await service.remove_moderator(session, submolt, agent, agent_name)
    return ModeratorChange(message=f"{target.name} is no longer a moderator of m/{submolt.name}", action="removed")


@router.delete(
    "/{name}/moderators",
    response_model=ModeratorChange,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Remove a moderator (owner only; JSON body {agent_name})",
)
async def remove_moderator(
    name: str, body: RemoveModeratorRequest, agent: WritingAgent, session: SessionDep
) -> ModeratorChange:
    return await _remove(name, body.agent_name, agent, session)


@router.delete(
    "/{name}/moderators/{agent_name}",
    response_model=ModeratorChange,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Remove a moderator (owner only; name in the path)",
)
async def remove_moderator_by_path(
    name: str, agent_name: str, agent: WritingAgent, session: SessionDep
) -> ModeratorChange:
    return await _remove(name, agent_name, agent, session)


@router.patch(
    "/{name}/settings",
    response_model=SubmoltEnvelope,
    responses=error_responses(400, 401, 403, 404, 503),
    summary="Update settings (owner or moderator)",
)
async def update_settings(
    name: str, body: UpdateSettingsRequest, agent: WritingAgent, session: SessionDep
) -> SubmoltEnvelope:
    submolt = await service.get(session, name)
    await service.update_settings(session, submolt, agent, body.model_dump(exclude_unset=True))
    role, subscribed = await service.viewer_state(session, submolt, agent)
    return SubmoltEnvelope(submolt=await presenters.submolt_one(session, submolt, role, subscribed))
