"""Owner account pages: sign up, log in and log out (the dashboard is in dashboard_pages.py).

Every POST checks its CSRF token first. A failed action rolls back whatever it had written
before its page is rendered (the request's session commits after the handler returns).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.config import OwnerSignup, Settings
from reef.db import SessionDep
from reef.errors import AppError
from reef.owner import service
from reef.ratelimit.dependencies import client_address
from reef.web.rendering import (
    Viewer,
    csrf_refused,
    read_form,
    redirect,
    render,
    safe_next,
)

router = APIRouter(include_in_schema=False)

NextParam = Annotated[str | None, Query(alias="next")]
ClientIp = Annotated[str, Depends(client_address)]
WRONG_CREDENTIALS = "Wrong email or password"


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _rate_limited(request: Request, exc: AppError, template: str, **context: Any) -> Response:
    retry = (exc.headers or {}).get("Retry-After", "60")
    return render(
        request,
        template,
        status=429,
        headers={"Retry-After": retry},
        error=f"{exc.message}. {exc.hint}",
        **context,
    )


# --- sign up ------------------------------------------------------------------------------------


@router.get("/signup")
async def signup_page(
    request: Request, session: SessionDep, next_: NextParam = None, invite: str | None = None
) -> Response:
    if await owner_session.signed_in_owner(request, session):
        return redirect(safe_next(next_))
    email = ""
    if _settings(request).owner_signup == OwnerSignup.invite:
        try:
            email = (await service.find_invite(session, invite)).email or ""
        except AppError as exc:
            return render(request, "signup.html", status=exc.status, blocked=exc, next=safe_next(next_))
    return render(request, "signup.html", form={"email": email}, invite=invite, next=safe_next(next_), errors={})


@router.post("/signup")
async def signup(request: Request, session: SessionDep, ip: ClientIp) -> Response:
    form = await read_form(request)
    next_url = safe_next(form.get("next"))
    if not owner_session.csrf_valid(request, form.get(owner_session.CSRF_FIELD)):
        return csrf_refused(request)
    invite = form.get("invite") or None
    context: dict[str, Any] = {
        "form": {"email": form.get("email", ""), "handle": form.get("handle", "")},
        "invite": invite,
    }
    try:
        # Each sign-up costs a password hash: it shares the per-IP sign-in limit.
        await request.app.state.limiter.consume("logins", ip)
        owner = await service.sign_up(
            session,
            email=form.get("email", ""),
            handle=form.get("handle", ""),
            password=form.get("password", ""),
            mode=_settings(request).owner_signup,
            invite_token=invite,
        )
    except AppError as exc:
        await session.rollback()
        if exc.status == 429:
            return _rate_limited(request, exc, "signup.html", next=next_url, errors={}, **context)
        if exc.code.startswith("INVITE_"):
            return render(request, "signup.html", status=exc.status, blocked=exc, next=next_url)
        field = exc.extra.get("field")
        errors = {field: exc.message} if field else {}
        error = None if field else f"{exc.message}. {exc.hint}"
        return render(request, "signup.html", status=exc.status, errors=errors, error=error, next=next_url, **context)
    response = redirect(next_url)
    owner_session.start_session(response, request, owner)
    return response


# --- log in and out -----------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, session: SessionDep, next_: NextParam = None) -> Response:
    if await owner_session.signed_in_owner(request, session):
        return redirect(safe_next(next_))
    return render(request, "login.html", next=safe_next(next_), form={})


@router.post("/login")
async def login(request: Request, session: SessionDep, ip: ClientIp) -> Response:
    form = await read_form(request)
    next_url = safe_next(form.get("next"))
    if not owner_session.csrf_valid(request, form.get(owner_session.CSRF_FIELD)):
        return csrf_refused(request)
    context: dict[str, Any] = {"next": next_url, "form": {"email": form.get("email", "")}}
    try:
        await request.app.state.limiter.consume("logins", ip)
    except AppError as exc:
        if exc.status != 429:
            raise
        return _rate_limited(request, exc, "login.html", **context)
    owner = await service.authenticate(session, form.get("email", ""), form.get("password", ""))
    if owner is None:
        return render(request, "login.html", status=400, error=WRONG_CREDENTIALS, **context)
    response = redirect(next_url)
    owner_session.start_session(response, request, owner)
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    form = await read_form(request)
    if not owner_session.csrf_valid(request, form.get(owner_session.CSRF_FIELD)):
        return csrf_refused(request, Viewer.of(await owner_session.signed_in_owner(request, session)))
    response = redirect("/login")
    owner_session.end_session(response, request)
    return response
