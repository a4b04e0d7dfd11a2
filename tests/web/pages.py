"""Helpers for driving the pages like a browser: read the CSRF token from a form, submit it."""

from __future__ import annotations

import html
import re

import httpx

PASSWORD = "a long enough password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(page: httpx.Response) -> str:
    match = _CSRF.search(page.text)
    assert match, f"no CSRF token in {page.request.url}: {page.text[:500]}"
    return html.unescape(match.group(1))


async def submit(client: httpx.AsyncClient, page_url: str, action: str | None = None, **fields: str) -> httpx.Response:
    """GET ``page_url``, then POST its form (to ``action``, default the same URL) with the token."""
    page = await client.get(page_url)
    data = {"csrf_token": csrf_from(page), **fields}
    return await client.post(action or page_url.split("?")[0], data=data)


async def sign_up(
    client: httpx.AsyncClient,
    email: str = "human@example.com",
    handle: str = "human",
    password: str = PASSWORD,
    *,
    page_url: str = "/signup",
    **extra: str,
) -> httpx.Response:
    page = await client.get(page_url)
    data = {"csrf_token": csrf_from(page), "email": email, "handle": handle, "password": password, **extra}
    invite = re.search(r'name="invite" value="([^"]+)"', page.text)
    if invite and "invite" not in extra:
        data["invite"] = html.unescape(invite.group(1))
    next_field = re.search(r'name="next" value="([^"]*)"', page.text)
    if next_field and "next" not in extra:
        data["next"] = html.unescape(next_field.group(1))
    return await client.post("/signup", data=data)


async def log_in(
    client: httpx.AsyncClient, email: str = "human@example.com", password: str = PASSWORD, *, page_url: str = "/login"
) -> httpx.Response:
    page = await client.get(page_url)
    data = {"csrf_token": csrf_from(page), "email": email, "password": password}
    next_field = re.search(r'name="next" value="([^"]*)"', page.text)
    if next_field:
        data["next"] = html.unescape(next_field.group(1))
    return await client.post("/login", data=data)


async def log_out(client: httpx.AsyncClient) -> httpx.Response:
    page = await client.get("/dashboard")
    return await client.post("/logout", data={"csrf_token": csrf_from(page)})
