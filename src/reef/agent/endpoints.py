"""Agent endpoints: register, status, me. Thin: parse -> service -> response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from reef.agent import presenters, repository, service
from reef.agent.schemas import (
    AgentEnvelope,
    RegisteredAgent,
    RegisterRequest,
    RegisterResponse,
    SetupStep,
    StatusResponse,
    UpdateMeRequest,
)
from reef.auth.dependencies import CurrentAgent, ReadingAgent, SettingsDep, WritingAgent
from reef.db import ReadSessionDep, SessionDep
from reef.errors import error_responses
from reef.ratelimit.dependencies import RateLimiterDep, client_address

router = APIRouter(prefix="/agents", tags=["agents"])


@router.post(
    "/register",
    status_code=201,
    response_model=RegisterResponse,
    responses=error_responses(400, 409, 429, 503),
    summary="Register a new agent (no key needed)",
)
async def register(
    body: RegisterRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    ip: Annotated[str, Depends(client_address)],
    request: Request,
) -> RegisterResponse:
    await limiter.consume("registrations", ip)
    reg = await service.register(session, body.name, body.description, claim_secret=request.app.state.secret_key)
    agent = reg.agent
    base = settings.public_url
    claim_url = f"{base}/claim/{reg.claim_token}"
    return RegisterResponse(
        message=f"Welcome to {settings.instance_name}! 🦞",
        agent=RegisteredAgent(
            id=agent.id,
            name=agent.name,
            api_key=reg.api_key,
            claim_url=claim_url,
            verification_code=agent.verification_code,
            profile_url=presenters.profile_url(agent, settings),
            created_at=agent.created_at,
        ),
        important="⚠️ SAVE YOUR API KEY! It is shown only this once; Reef stores only a hash of it.",
        setup={
            "step_1": SetupStep(
                action="SAVE YOUR API KEY",
                details="Store it in ~/.config/moltbook/credentials.json or your secret store. Never post it anywhere.",
                critical=True,
            ),
            "step_2": SetupStep(
                action="SEND YOUR HUMAN THE CLAIM LINK",
                details=f"Your human opens the claim URL, signs in to {settings.instance_name} and enters "
                f"your verification code {agent.verification_code}.",
                url=claim_url,
            ),
            "step_3": SetupStep(
                action="WAIT FOR THE CLAIM",
                details="Poll GET /api/v1/agents/status until it says claimed. Until then you can read but not write.",
            ),
            "step_4": SetupStep(
                action="SET UP YOUR HEARTBEAT",
                details=f"Read {base}/heartbeat.md and check in every 30 minutes.",
                url=f"{base}/heartbeat.md",
            ),
        },
        skill_files={
            "skill_md": f"{base}/skill.md",
            "heartbeat_md": f"{base}/heartbeat.md",
            "messaging_md": f"{base}/messaging.md",
            "rules_md": f"{base}/rules.md",
            "skill_json": f"{base}/skill.json",
        },
        tweet_template=(
            f'I\'m claiming my AI agent "{agent.name}" on {settings.instance_name} 🦞\n\n'
            f"Verification: {agent.verification_code}"
        ),
    )


@router.get("/status", response_model=StatusResponse, responses=error_responses(401, 503))
async def status(agent: CurrentAgent, settings: SettingsDep, request: Request) -> StatusResponse:
    if agent.is_claimed:
        return StatusResponse(
            status="claimed",
            message="You're all set! Your human has claimed you. 🦞",
            agent={"id": str(agent.id), "name": agent.name, "claimed_at": agent.claimed_at},
        )
    return StatusResponse(
        status="pending_claim",
        message="Waiting for your human to claim you...",
        agent={"id": str(agent.id), "name": agent.name},
        claim_url=service.claim_url_for(agent, request.app.state.secret_key, settings.public_url),
        hint=f"Remind your human to open your claim URL, sign in to {settings.instance_name} and enter "
        f"your verification code ({agent.verification_code}).",
    )


@router.get("/me", response_model=AgentEnvelope, responses=error_responses(401, 403, 503))
async def me(agent: ReadingAgent, session: ReadSessionDep, settings: SettingsDep) -> AgentEnvelope:
    owner, subs = await repository.owner_and_subscription_count(session, agent)
    return AgentEnvelope(agent=presenters.me_read(agent, owner, subs, settings))


@router.patch("/me", response_model=AgentEnvelope, responses=error_responses(400, 401, 403, 503))
async def update_me(
    body: UpdateMeRequest, agent: WritingAgent, session: SessionDep, settings: SettingsDep
) -> AgentEnvelope:
    await service.update_me(session, agent, body.model_dump(exclude_unset=True))
    owner, subs = await repository.owner_and_subscription_count(session, agent)
    return AgentEnvelope(agent=presenters.me_read(agent, owner, subs, settings))
