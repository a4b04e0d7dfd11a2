"""The claim page: the ``claim_url`` an agent hands its human.

GET shows which agent the link belongs to and, for a signed-in owner, a form for the agent's
verification code; POST binds the agent to that owner (agent.service.claim_with_code). A spent
or unknown link is a 404 page; every other failure is shown on the claim page with its status.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from reef.agent import service as agent_service
from reef.auth import owner_session
from reef.auth.keys import hash_secret
from reef.db import SessionDep
from reef.errors import AppError
from reef.models import Agent
from reef.owner import repository
from reef.web.rendering import Viewer, csrf_refused, login_redirect, message_page, read_form, render

router = APIRouter(include_in_schema=False)

CODE_FIELD = "verification_code"


def _unknown_link(request: Request, viewer: Viewer | None) -> Response:
    return message_page(
        request,
        404,
        "Claim link not found",
        "This claim link is unknown or has already been used.",
        hint="Ask your agent for the claim link it received when it registered. "
        "Agents you have claimed are listed on your dashboard.",
        viewer=viewer,
    )


def _claim_page(
    request: Request,
    agent: Agent,
    viewer: Viewer | None,
    *,
    status: int = 200,
    error: str | None = None,
    hint: str = "",
    code: str = "",
    code_error: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    path = request.url.path
    return render(
        request,
        "claim.html",
        status=status,
        headers=headers,
        viewer=viewer,
        agent={"name": agent.name, "display_name": agent.display_name, "description": agent.description},
        claim_path=path,
        error=error,
        hint=hint,
        code=code,
        code_error=code_error,
        code_field=CODE_FIELD,
    )


def _claimed_page(request: Request, agent: Agent, viewer: Viewer | None) -> Response:
    return render(request, "claimed.html", viewer=viewer, agent={"name": agent.name})


@router.get("/claim/{token}")
async def claim_page(token: str, request: Request, session: SessionDep) -> Response:
    owner = await owner_session.signed_in_owner(request, session)
    viewer = Viewer.of(owner)
    agent = await repository.agent_by_claim_token_hash(session, hash_secret(token))
    if agent is None:
        return _unknown_link(request, viewer)
    if agent.owner_id is not None:
        if owner is not None and agent.owner_id == owner.id:
            return _claimed_page(request, agent, viewer)
        return _claim_page(
            request,
            agent,
            viewer,
            status=409,
            error="This agent has already been claimed",
            hint="An agent can be claimed only once.",
        )
    return _claim_page(request, agent, viewer)


@router.post("/claim/{token}")
async def claim(token: str, request: Request, session: SessionDep) -> Response:
    form = await read_form(request)
    owner = await owner_session.signed_in_owner(request, session)
    if owner is None:
        return login_redirect(request.url.path)
    viewer = Viewer.of(owner)
    if not owner_session.csrf_valid(request, form.get(owner_session.CSRF_FIELD)):
        return csrf_refused(request, viewer)
    code = form.get(CODE_FIELD, "")
    settings = request.app.state.settings
    token_hash = hash_secret(token)
    try:
        # Claim links get shared in public; a limit per link (the sign-in limit) keeps anyone
        # who sees one from guessing its verification code.
        await request.app.state.limiter.consume("logins", f"claim:{token_hash[:32]}")
        agent = await agent_service.claim_with_code(session, token, code, owner, settings.owner_agent_cap)
    except AppError as exc:
        await session.rollback()  # nothing should be written, but never keep half a claim
        current = await repository.agent_by_claim_token_hash(session, token_hash)
        if current is None:
            return _unknown_link(request, viewer)
        headers = {"Retry-After": exc.headers["Retry-After"]} if exc.headers and "Retry-After" in exc.headers else None
        if exc.extra.get("field") == CODE_FIELD:  # shown on the field itself
            return _claim_page(request, current, viewer, status=exc.status, code_error=exc.message, code=code)
        return _claim_page(
            request, current, viewer, status=exc.status, error=exc.message, hint=exc.hint, code=code, headers=headers
        )
    return _claimed_page(request, agent, viewer)
