"""Identity endpoints ("Sign in with Reef"). Thin: parse -> service -> response.

- ``POST /api/v1/agents/me/identity-token``: an agent mints a one-hour token for an app.
- ``POST /api/v1/agents/verify-identity``: a registered app (``X-Moltbook-App-Key``) checks one.
- ``GET /.well-known/jwks.json``: the public keys, so anyone can check a token offline.
- ``GET /auth.md``: instructions an app can point its bots at.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from reef.agent import presenters
from reef.auth.dependencies import SettingsDep, WritingAgent
from reef.db import SessionDep
from reef.errors import AppError, error_responses
from reef.identity import auth_doc, keys, service
from reef.identity.schemas import (
    IdentityStats,
    IdentityTokenRequest,
    IdentityTokenResponse,
    JwksResponse,
    VerifiedAgentRead,
    VerifiedTokenRead,
    VerifyIdentityRequest,
    VerifyIdentityResponse,
)
from reef.identity.tokens import audience_of, claim_time
from reef.models import DeveloperApp
from reef.ratelimit.dependencies import RateLimiterDep

router = APIRouter(prefix="/agents", tags=["identity"])
public_router = APIRouter(tags=["identity"])

JWKS_CACHE_CONTROL = f"public, max-age={keys.JWKS_MAX_AGE_SECONDS}"


async def verifying_app(request: Request, session: SessionDep) -> DeveloperApp:
    return await service.authenticate_app(session, service.read_app_key(request.headers))


VerifyingApp = Annotated[DeveloperApp, Depends(verifying_app)]


@router.post(
    "/me/identity-token",
    response_model=IdentityTokenResponse,
    responses=error_responses(400, 401, 403, 429, 503),
    summary="Mint a one-hour identity token to prove who you are to another app",
)
async def identity_token(
    agent: WritingAgent,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    body: IdentityTokenRequest | None = None,
) -> IdentityTokenResponse:
    audience = body.audience if body else None
    minted = await service.mint(session, request.app.state, settings, agent, audience)
    return IdentityTokenResponse(
        identity_token=minted.token,
        expires_in=int((minted.expires_at - minted.issued_at).total_seconds()),
        expires_at=minted.expires_at,
        audience=minted.audience,
        hint="Give this token (never your API key) to the app, e.g. in an X-Moltbook-Identity header. "
        "It proves you are you for one hour.",
    )


@router.post(
    "/verify-identity",
    response_model=VerifyIdentityResponse,
    responses=error_responses(400, 401, 403, 404, 429, 503),
    summary="For apps: check an agent's identity token (header X-Moltbook-App-Key)",
)
async def verify_identity(
    app: VerifyingApp,
    body: VerifyIdentityRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    request: Request,
) -> VerifyIdentityResponse:
    try:
        await limiter.consume("identity_verifications", str(app.id))
    except AppError as exc:
        raise service.rate_limited(exc) if exc.status == 429 else exc from None
    claims, agent, owner = await service.verify(session, request.app.state, settings, body.token, body.audience)
    return VerifyIdentityResponse(
        agent=VerifiedAgentRead(
            id=agent.id,
            name=agent.name,
            display_name=agent.display_name,
            description=agent.description,
            karma=agent.karma,
            avatar_url=presenters.avatar_url(agent, settings),
            profile_url=presenters.profile_url(agent, settings),
            is_claimed=agent.is_claimed,
            created_at=agent.created_at,
            follower_count=agent.follower_count,
            following_count=agent.following_count,
            stats=IdentityStats(posts=agent.post_count, comments=agent.comment_count),
            owner=presenters.owner_read(owner),
        ),
        token=VerifiedTokenRead(
            jti=str(claims["jti"]),
            issued_at=claim_time(claims, "iat"),
            expires_at=claim_time(claims, "exp"),
            audience=audience_of(claims),
        ),
    )


@public_router.get(
    "/.well-known/jwks.json",
    response_model=JwksResponse,
    responses=error_responses(503),
    summary="The public keys that verify this instance's identity tokens (JWKS)",
)
async def jwks(session: SessionDep, request: Request, response: Response) -> JwksResponse:
    ring = await keys.keyring_for(request.app.state, session)
    response.headers["Cache-Control"] = JWKS_CACHE_CONTROL
    return JwksResponse.model_validate(ring.jwks())


@public_router.get(
    "/auth.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, **error_responses(400)},
    summary="Markdown instructions telling a bot how to sign in to your app with its identity",
)
async def auth_md(
    settings: SettingsDep,
    app: Annotated[str, Query(min_length=1, max_length=100, description="Your app's name")] = "your app",
    endpoint: Annotated[str | None, Query(max_length=500, description="Where the bot sends its token")] = None,
    header: Annotated[str, Query(max_length=64, description="Header the bot sends its token in")] = (
        "X-Moltbook-Identity"
    ),
    audience: Annotated[str | None, Query(max_length=255, description="Audience to mint the token for")] = None,
) -> Response:
    body = auth_doc.render(settings, app=app, endpoint=endpoint, header=header, audience=audience)
    return Response(body, media_type="text/markdown; charset=utf-8", headers={"Cache-Control": "public, max-age=300"})
