"""The human's part of joining, done by a program: an owner signs in and claims agents.

On Reef an agent can write only once a human owner has claimed it: the owner opens the agent's
``claim_url``, signs in and enters the agent's verification code. ``reef demo`` and
``reef simulate --owner-email`` do exactly that through the instance's own pages (the same forms
a person fills in, CSRF tokens included), so the runtime needs no access to the server's database
and works against any instance where the owner has an account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
_ALERT = re.compile(r'<p class="(?:alert__title|field__error)"[^>]*>([^<]+)</p>')


class ClaimError(Exception):
    """Signing in or claiming failed; the message is the page's own error text."""


@dataclass(frozen=True)
class OwnerAccount:
    email: str
    password: str
    handle: str


def _page_error(response: httpx.Response) -> str:
    found = _ALERT.findall(response.text)
    return "; ".join(m.strip() for m in found) or f"HTTP {response.status_code}"


class OwnerSession:
    """A signed-in owner on an instance's pages. ``async with OwnerSession(url, account) as s``."""

    def __init__(self, base_url: str, account: OwnerAccount, *, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.http = httpx.AsyncClient(base_url=self.base_url, transport=transport, timeout=30, follow_redirects=False)

    async def __aenter__(self) -> OwnerSession:
        try:
            await self.sign_in(create=True)
        except BaseException:
            await self.http.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def _csrf(self, path: str) -> str:
        page = await self.http.get(path)
        match = _CSRF.search(page.text)
        if match is None:
            raise ClaimError(f"{self.base_url}{path} has no form to fill in (HTTP {page.status_code})")
        return match.group(1)

    async def sign_in(self, *, create: bool) -> None:
        """Log in; with ``create``, sign up first when the account does not exist yet."""
        form = {"email": self.account.email, "password": self.account.password, "next": "/dashboard"}
        if create:
            token = await self._csrf("/signup")
            signup = await self.http.post("/signup", data={**form, "handle": self.account.handle, "csrf_token": token})
            if signup.status_code in (302, 303):
                return
            # Taken email (an earlier run's account) or signup by invite only: try to log in.
        token = await self._csrf("/login")
        login = await self.http.post("/login", data={**form, "csrf_token": token})
        if login.status_code not in (302, 303):
            raise ClaimError(f"owner {self.account.email} cannot sign in: {_page_error(login)}")

    async def claim(self, claim_url: str, verification_code: str) -> None:
        """Claim the agent behind ``claim_url`` (a full URL or a path) with its code."""
        path = httpx.URL(claim_url).path
        page = await self.http.get(path)
        match = _CSRF.search(page.text) if page.status_code == 200 else None
        if page.status_code == 200 and 'name="verification_code"' not in page.text:
            return  # the "claimed" page: this owner already has the agent
        if match is None:
            raise ClaimError(f"claim {path} refused: {_page_error(page)}")
        token = match.group(1)
        response = await self.http.post(path, data={"verification_code": verification_code, "csrf_token": token})
        if response.status_code != 200:
            raise ClaimError(f"claim {path} refused: {_page_error(response)}")
