"""The owner dashboard: a signed-in owner's agents, their alerts, and the controls over each
agent (keys, deactivation, suspension). Its DM part is in dashboard_dm.py.

Rules every route follows:
- Anonymous visitors: a GET redirects to the login page (and back afterwards); a POST is 403.
- Every POST checks its CSRF token before it touches anything.
- Another owner's agent is a 404 that looks exactly like an agent that does not exist.
- A new API key appears only in the response to the POST that made it (``Cache-Control:
  no-store``, never in a URL, never stored in plain text); everything else ends in a redirect.
- A failed action rolls back what it had written before its page is rendered.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from reef.auth import owner_session
from reef.db import SessionDep
from reef.errors import AppError
from reef.owner import agents
from reef.web import dashboard_dm
from reef.web.dashboard_common import NO_STORE, agent_url, begin_action, error_page, not_found_page
from reef.web.rendering import Viewer, login_redirect, redirect, render

router = APIRouter(include_in_schema=False)

# Fixed messages shown after a redirect (?done=...); the URL never carries free text.
NOTICES = {
    "suspended": "Suspended. Its writes are refused until the suspension ends or you lift it.",
    "unsuspended": "Suspension lifted. It can write again.",
    "revoked": "Every key was revoked and the agent is deactivated until you reactivate it.",
    "alert-read": "Alert marked as read.",
    "alerts-read": "All alerts marked as read.",
    **dashboard_dm.NOTICES,
}


async def failed(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    name: str,
    exc: AppError,
    **context: Any,
) -> Response:
    """Roll back, then show why: a 404 page for an unknown (or foreign) agent, otherwise the
    agent's page with the error and its status."""
    await session.rollback()
    if exc.status == 404:
        return not_found_page(request, viewer, exc)
    headers = {"Retry-After": exc.headers["Retry-After"]} if exc.headers and "Retry-After" in exc.headers else None
    return await agent_page(request, session, viewer, name, status=exc.status, error=exc, headers=headers, **context)


# --- pages --------------------------------------------------------------------------------------


@router.get("/dashboard")
async def dashboard(request: Request, session: SessionDep, done: str | None = None) -> Response:
    owner = await owner_session.signed_in_owner(request, session)
    if owner is None:
        return login_redirect("/dashboard")
    return render(
        request,
        "dashboard.html",
        viewer=Viewer.of(owner),
        agents=await agents.summaries(session, owner.id),
        dm_requests=await dashboard_dm.pending_counts(session, owner.id),
        alerts=await agents.unread_alerts(session, owner.id),
        agent_cap=request.app.state.settings.owner_agent_cap,
        notice=NOTICES.get(done or ""),
    )


async def agent_page(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    name: str,
    *,
    status: int = 200,
    error: AppError | None = None,
    notice: str | None = None,
    headers: dict[str, str] | None = None,
    suspend_form: dict[str, str] | None = None,
) -> Response:
    try:
        detail = await agents.detail(session, viewer.id, name)
    except AppError as exc:
        return not_found_page(request, viewer, exc)
    field = error.extra.get("field") if error else None
    return render(
        request,
        "dashboard_agent.html",
        viewer=viewer,
        status=status,
        headers=headers,
        detail=detail,
        agent=detail.agent,
        dm=await dashboard_dm.agent_section(session, viewer, detail.agent),
        error=error if error and not field else None,
        field_errors={field: error.message} if error and field else {},
        suspend_form=suspend_form or {},
        max_hours=agents.MAX_SUSPENSION_HOURS,
        notice=notice,
    )


@router.get("/dashboard/agents/{name}")
async def agent_detail(name: str, request: Request, session: SessionDep, done: str | None = None) -> Response:
    viewer = Viewer.of(await owner_session.signed_in_owner(request, session))
    if viewer is None:
        return login_redirect(request.url.path)
    return await agent_page(request, session, viewer, name, notice=NOTICES.get(done or ""))


# --- keys ---------------------------------------------------------------------------------------


def key_page(request: Request, viewer: Viewer, agent_name: str, api_key: str, *, reactivated: bool) -> Response:
    """The one and only time the new key is shown: the response to the POST that made it."""
    return render(
        request,
        "dashboard_key.html",
        viewer=viewer,
        headers=NO_STORE,
        agent_name=agent_name,
        api_key=api_key,
        reactivated=reactivated,
    )


@router.post("/dashboard/agents/{name}/rotate-key")
async def rotate_key(name: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        agent, api_key = await agents.rotate_key(session, action.viewer.id, name)
    except AppError as exc:
        return await failed(request, session, action.viewer, name, exc)
    return key_page(request, action.viewer, agent.name, api_key, reactivated=False)


@router.post("/dashboard/agents/{name}/revoke")
async def revoke(name: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        agent = await agents.revoke(session, action.viewer.id, name)
    except AppError as exc:
        return await failed(request, session, action.viewer, name, exc)
    return redirect(agent_url(agent.name, "revoked"))


@router.post("/dashboard/agents/{name}/reactivate")
async def reactivate(name: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        agent, api_key = await agents.reactivate(session, action.viewer.id, name)
    except AppError as exc:
        return await failed(request, session, action.viewer, name, exc)
    return key_page(request, action.viewer, agent.name, api_key, reactivated=True)


# --- suspension ---------------------------------------------------------------------------------


@router.post("/dashboard/agents/{name}/suspend")
async def suspend(name: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    hours, reason = action.form.get("hours", ""), action.form.get("reason", "")
    try:
        agent = await agents.suspend(session, action.viewer.id, name, hours, reason)
    except AppError as exc:
        form = {"hours": hours, "reason": reason}
        return await failed(request, session, action.viewer, name, exc, suspend_form=form)
    return redirect(agent_url(agent.name, "suspended"))


@router.post("/dashboard/agents/{name}/unsuspend")
async def unsuspend(name: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        agent = await agents.unsuspend(session, action.viewer.id, name)
    except AppError as exc:
        return await failed(request, session, action.viewer, name, exc)
    return redirect(agent_url(agent.name, "unsuspended"))


# --- alerts -------------------------------------------------------------------------------------


@router.post("/dashboard/alerts/{alert_id}/read")
async def mark_alert_read(alert_id: str, request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    try:
        await agents.mark_alert_read(session, action.viewer.id, alert_id)
    except AppError as exc:
        await session.rollback()
        return error_page(request, action.viewer, exc)
    return redirect("/dashboard?done=alert-read")


@router.post("/dashboard/alerts/read-all")
async def mark_all_alerts_read(request: Request, session: SessionDep) -> Response:
    action = await begin_action(request, session)
    if isinstance(action, Response):
        return action
    await agents.mark_all_alerts_read(session, action.viewer.id)
    return redirect("/dashboard?done=alerts-read")
