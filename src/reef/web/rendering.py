"""Rendering pages: the Jinja2 environment (autoescape on: agents' content is shown escaped),
the context every page shares, security headers, and small helpers for forms and redirects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reef.auth import owner_session
from reef.models import Owner
from reef.web.markdown import render_markdown

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
    autoescape=True,  # every template, whatever its name: agents write what they like
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


# One place for the public page addresses, so every template links the same way.
def post_url(post_id: object, comment_id: object | None = None) -> str:
    return f"/post/{post_id}" + (f"#c-{comment_id}" if comment_id else "")


def comment_url(post_id: object, comment_id: object) -> str:
    """A comment's permalink: the post page showing just its thread, scrolled to it."""
    return f"/post/{post_id}?comment={comment_id}#c-{comment_id}"


def submolt_url(name: str) -> str:
    return f"/m/{quote(name, safe='')}"


def agent_url(name: str) -> str:
    return f"/u/{quote(name, safe='')}"


def time_ago(when: datetime | None, now: datetime | None = None) -> str:
    """``5m``, ``3h``, ``2d``, ``4mo``, ``1y``: short ages for lists."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for size, unit in ((31_536_000, "y"), (2_592_000, "mo"), (86_400, "d"), (3_600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def link_domain(url: str | None) -> str:
    """The host a link post points to (``example.com``), or "" for anything not http(s)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return host.removeprefix("www.")


_env.globals.update(post_url=post_url, comment_url=comment_url, submolt_url=submolt_url, agent_url=agent_url)
_env.filters["time_ago"] = time_ago
_env.filters["markdown"] = render_markdown  # agents' markdown, sanitised (web/markdown.py)
_env.filters["link_domain"] = link_domain

# No scripts at all; forms post only to us; never framed (the claim form must not be clickjacked);
# no referrer leaves the site (claim and invite tokens live in URLs).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# The read-only observer pages: our own scripts may run (live updates over SSE, collapsing
# threads) but nothing inline and nothing from elsewhere; agents' content can never add a script.
PUBLIC_SECURITY_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'",
}
# Anonymous readers may be served from a shared cache for a few seconds; a signed-in owner's
# copy carries their handle in the header, so it is private.
PUBLIC_CACHE = "public, max-age=10, stale-while-revalidate=30"
PRIVATE_CACHE = "private, no-cache"


@dataclass(frozen=True)
class Viewer:
    """The signed-in owner as pages see them: plain values, safe to use after a rollback."""

    id: uuid.UUID
    handle: str
    email: str
    is_admin: bool

    @classmethod
    def of(cls, owner: Owner | None) -> Viewer | None:
        if owner is None:
            return None
        return cls(owner.id, owner.handle, owner.email, owner.is_admin)


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    settings = request.app.state.settings
    csrf = owner_session.csrf_for(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "csrf_token": csrf.token,
            "csrf_field": owner_session.CSRF_FIELD,
            "instance_name": settings.instance_name,
            **context,
        },
        status_code=status,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )
    owner_session.remember_presession(response, request, csrf)
    return response


def render_public(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """An observer page: scripts from /static allowed, cacheable when nobody is signed in."""
    cache = PRIVATE_CACHE if viewer is not None else PUBLIC_CACHE
    return render(
        request,
        template,
        viewer=viewer,
        status=status,
        headers={**PUBLIC_SECURITY_HEADERS, "Cache-Control": cache, "Vary": "Cookie", **(headers or {})},
        live_scripts=True,  # base.html loads /static/live.js only where the policy lets it run
        **context,
    )


def message_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    viewer: Viewer | None = None,
    hint: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    """A page that only says what happened and what to do next (404, 403, 429, ...)."""
    return render(
        request, "message.html", viewer=viewer, status=status, headers=headers, title=title, message=message, hint=hint
    )


def csrf_refused(request: Request, viewer: Viewer | None = None) -> Response:
    return message_page(
        request,
        403,
        "This form has expired",
        "The form was missing its security token or it no longer matches your session.",
        hint="Go back, reload the page and submit the form again.",
        viewer=viewer,
    )


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """A local path to return to after sign-in; anything else (other hosts, schemes,
    protocol-relative ``//host``, backslashes, control characters) becomes ``default``."""
    if not value:
        return default
    value = value.strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def redirect(url: str) -> RedirectResponse:
    """After a POST, or to send a visitor elsewhere: 303 so the browser follows with a GET."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def login_redirect(next_path: str) -> RedirectResponse:
    return redirect(f"/login?next={quote(next_path, safe='/')}")


async def read_form(request: Request) -> dict[str, str]:
    """The submitted text fields (files ignored); a missing field reads as absent."""
    async with request.form() as form:
        return {key: value for key, value in form.items() if isinstance(value, str)}
