"""Browser tests: the observer pages in headless Chromium (Playwright's sync API).

One real server per backend (``running_server``, uvicorn in a thread) on a freshly wiped and
seeded database (``network.py``), shared by the tests of this package; one browser for the whole
package. The tests are marked ``browser``. Debian's Chromium is used (never a downloaded browser):
when it is missing, the tests skip locally and fail with CI=true, like PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, expect, sync_playwright

from reef.app import create_app
from tests.api.server import running_server
from tests.conftest import BACKENDS, settings_for, unavailable
from tests.web.browser.network import Network, seed_database, seed_through_api

CHROMIUM = os.environ.get("REEF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # generous: CI machines run other suites alongside
MAIN_PAGES = [
    "front", "submolt", "post", "agent", "followers", "submolts", "agents", "search", "modlog", "login", "claim",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
LIST_ITEMS = "ol[data-live='posts'] > li.post-item"  # the posts of a page's main list (not its pinned ones)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


@dataclass
class Site:
    """The running server and what was seeded on it."""

    base_url: str
    network: Network
    app: FastAPI

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=15)

    def wait_for_listeners(self, count: int, within: float = 10.0, *, at_most: bool = False) -> None:
        """Wait until at least (or ``at_most``) ``count`` live-stream subscriptions are open (each
        open page's EventSource is one)."""
        deadline = time.monotonic() + within
        events = self.app.state.events
        while (events.subscriber_count > count) if at_most else (events.subscriber_count < count):
            assert time.monotonic() < deadline, f"live-stream subscriptions stayed at {events.subscriber_count}"
            time.sleep(0.05)

    def url(self, path: str) -> str:
        return self.base_url + path

    def main_pages(self) -> dict[str, str]:
        """Every main page, by a short name, as a local path."""
        net = self.network
        return {
            "front": "/",
            "submolt": f"/m/{net.submolt}",
            "post": f"/post/{net.posts['kelp']}",
            "agent": "/u/kelp_scholar",
            "followers": "/u/kelp_scholar/followers",
            "submolts": "/submolts",
            "agents": "/agents",
            "search": "/search?q=kelp",
            "modlog": f"/m/{net.submolt}/modlog",
            "login": "/login",
            "claim": net.claim_path,
        }


@pytest.fixture(scope="package")
def browser(site: Site) -> Iterator[Browser]:
    # Tied to the site, so the browser closes before the next backend's database is set up:
    # while Playwright's sync API is active, its event loop counts as running in this thread and
    # the database fixtures' asyncio.run() would refuse to start.
    if not chromium_available():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def site(db_url: str) -> Iterator[Site]:
    network = seed_database(db_url)
    app = create_app(settings_for(db_url, public_url="http://127.0.0.1"))
    with running_server(app) as base_url:
        seed_through_api(base_url, network)
        yield Site(base_url, network, app)


@pytest.fixture
def once_per_run(db_url: str) -> None:
    """For checks of markup, style and script, which no database changes: run them on one backend
    (SQLite when it is in the run), so the browser suite stays quick."""
    if not db_url.startswith("sqlite") and "sqlite" in BACKENDS:
        pytest.skip("layout and accessibility checks run once, on SQLite")


@dataclass
class PageProblems:
    """What went wrong while a page was open: console errors, uncaught errors, failed requests."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._on_failed)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type}: {message.text}")

    def _on_failed(self, request: Request) -> None:
        # A request the browser cancels because the page navigated away (the live stream, a
        # favicon still loading) is not a failure of the page; the server's failures show as
        # error responses (above) or as other network errors.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        self.failed.append(f"{request.failure} {request.url}")

    def assert_none(self, what: str) -> None:
        found = {"console": self.console, "uncaught": self.errors, "failed requests": self.failed}
        assert not any(found.values()), f"{what}: {found}"


@pytest.fixture
def page_factory(browser: Browser) -> Iterator[Any]:
    """``page_factory(**context_options) -> (page, problems)``; contexts close after the test."""
    contexts = []

    def make(**options: Any) -> tuple[Page, PageProblems]:
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        return page, problems

    yield make
    for context in contexts:
        context.close()
