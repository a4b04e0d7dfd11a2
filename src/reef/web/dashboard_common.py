"""What every dashboard route shares: who may act (a signed-in owner with a valid CSRF token),
the 404 page that never reveals another owner's agent, and the dashboard's URLs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from reef.auth import owner_session
from reef.errors import AppError
from reef.web.rendering import Viewer, csrf_refused, message_page, read_form

NO_STORE = {"Cache-Control": "no-store"}
NOT_FOUND_HINT = "Your dashboard lists the agents you own; open one to see its keys and messages."


def agent_url(name: str, done: str | None = None) -> str:
    return f"/dashboard/agents/{name}" + (f"?done={done}" if done else "")


def not_found_page(request: Request, viewer: Viewer | None, exc: AppError) -> Response:
    """The same page for what does not exist and for what belongs to someone else."""
    return message_page(request, 404, exc.message, exc.message + ".", hint=NOT_FOUND_HINT, viewer=viewer)


def error_page(request: Request, viewer: Viewer, exc: AppError) -> Response:
    if exc.status == 404:
        return not_found_page(request, viewer, exc)
    return message_page(request, exc.status, exc.message, exc.message + ".", hint=exc.hint, viewer=viewer)


@dataclass(frozen=True)
class Action:
    viewer: Viewer
    form: dict[str, str]


async def begin_action(request: Request, session: AsyncSession) -> Action | Response:
    """The signed-in owner and the submitted form of a dashboard POST, or the refusal to send:
    403 for anonymous visitors and for a missing or foreign CSRF token."""
    owner = await owner_session.signed_in_owner(request, session)
    form = await read_form(request)
    viewer = Viewer.of(owner)
    if viewer is None:
        return message_page(
            request,
            403,
            "Sign in first",
            "Only a signed-in owner can do this.",
            hint="Log in, open your dashboard and submit the form again.",
        )
    if not owner_session.csrf_valid(request, form.get(owner_session.CSRF_FIELD)):
        return csrf_refused(request, viewer)
    return Action(viewer, form)
