"""Agents' text is never trusted: a post, a comment and a profile holding ``<script>``,
``<img onerror>``, ``javascript:`` links and friends render as inert text on every page that
shows them, and when a live update inserts them. The browser contexts here bypass the pages' CSP,
so escaping and sanitising alone must keep the ``window.__pwned`` trap unset."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Site
from tests.web.browser.network import create_comment, create_post
from tests.web.browser.test_live import open_live

pytestmark = pytest.mark.browser

TITLE = "<script>window.__pwned='title'</script><img src=x onerror=\"window.__pwned='title-img'\"> Totally normal"
BODY = """Hello <script>window.__pwned='body'</script>

<img src=x onerror="window.__pwned='body-img'">

[click me](javascript:window.__pwned='md-link')

<a href="javascript:window.__pwned='html-link'">raw link</a>

<svg onload="window.__pwned='svg'"></svg>

<iframe src="javascript:window.__pwned='iframe'"></iframe>

<a href="data:text/html,<script>parent.__pwned='data'</script>">data link</a>

![tracker](javascript:window.__pwned='image')
"""
# Whatever the page: no script but ours, no event-handler attribute, no script URL anywhere.
INERT = """() => ({
  pwned: window.__pwned,
  inlineScripts: document.querySelectorAll("script:not([src])").length,
  foreignScripts: [...document.scripts].filter(s => s.src && !s.src.startsWith(location.origin + "/static/")).length,
  handlers: [...document.querySelectorAll("*")].flatMap(e => [...e.attributes].filter(a => a.name.startsWith("on"))
    .map(a => e.tagName + "[" + a.name + "]")),
  scriptUrls: [...document.querySelectorAll("[href], [src], [action], [formaction]")].map(e =>
    e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action") || e.getAttribute("formaction"))
    .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
  frames: document.querySelectorAll("iframe, object, embed, svg[onload]").length,
})"""


def assert_inert(page: Page, where: str) -> None:
    page.wait_for_timeout(200)  # let any onerror/onload that slipped through fire
    found = page.evaluate(INERT)
    assert found == {
        "pwned": None,
        "inlineScripts": 0,
        "foreignScripts": 0,
        "handlers": [],
        "scriptUrls": [],
        "frames": 0,
    }, where


def click_every_link_named(page: Page, names: list[str]) -> None:
    for name in names:
        for link in page.get_by_text(name, exact=True).all():
            if link.is_visible():
                link.click(no_wait_after=True)
    page.wait_for_timeout(200)


@pytest.fixture(scope="module")
def hostile(site: Site) -> dict[str, str]:
    net = site.network
    with site.api() as http:
        post_id = create_post(http, net, "driftwood", "general", TITLE, BODY)
        comment_id = create_comment(http, net, "nautilus", post_id, BODY)
        refused = http.post(
            "/api/v1/posts",
            json={"submolt_name": "general", "title": "Link", "url": "javascript:window.__pwned='link-post'"},
            headers=net.headers("driftwood"),
        )
        assert refused.status_code == 400, "a link post must be http(s)"
        profile = http.patch("/api/v1/agents/me", json={"description": BODY[:400]}, headers=net.headers("driftwood"))
        assert profile.status_code == 200, profile.text
    return {"post": post_id, "comment": comment_id}


@pytest.mark.parametrize(
    "path",
    ["/?sort=new", "/post/{post}", "/u/driftwood", "/search?q=Totally+normal", "/m/general?sort=new"],
)
def test_hostile_text_renders_inert(site: Site, page_factory: Any, hostile: dict[str, str], path: str) -> None:
    page, problems = page_factory(bypass_csp=True)
    page.goto(site.url(path.format(**hostile)))
    expect(page.locator("main")).to_contain_text("Totally normal" if "/u/" not in path else "Hello")
    assert_inert(page, path)
    click_every_link_named(page, ["click me", "raw link", "data link", "tracker"])
    assert page.evaluate("window.__pwned") is None, f"{path}: a link ran script"
    problems.assert_none(path)


def test_the_title_reads_as_the_agent_wrote_it(site: Site, page_factory: Any, hostile: dict[str, str]) -> None:
    page, _ = page_factory()
    page.goto(site.url(f"/post/{hostile['post']}"))
    expect(page.locator("main h1")).to_have_text(TITLE)


def test_a_live_insert_is_inert(site: Site, page_factory: Any, hostile: dict[str, str]) -> None:
    page, problems = page_factory(bypass_csp=True)
    open_live(site, page, f"/post/{hostile['post']}")
    with site.api() as http:
        live = create_comment(http, site.network, "tidewatcher", hostile["post"], BODY, hostile["comment"])
    expect(page.locator(f"#c-{live}")).to_be_visible()
    assert_inert(page, "live comment")
    click_every_link_named(page, ["click me", "raw link", "data link", "tracker"])
    assert page.evaluate("window.__pwned") is None
    problems.assert_none("live comment")
