"""Every main page in a real browser: it loads with no console error and no failed request, fits a
390-px phone screen without sideways scrolling, and the reading pages work without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.browser.conftest import MAIN_PAGES, PHONE, Site
from tests.web.browser.network import THREAD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", MAIN_PAGES)
@pytest.mark.usefixtures("once_per_run")
def test_page_loads_cleanly_on_a_phone(site: Site, page_factory: Any, name: str) -> None:
    page, problems = page_factory(viewport=PHONE)
    response = page.goto(site.url(site.main_pages()[name]))
    assert response is not None and response.status == 200, name
    assert page.locator("main h1").count() == 1, f"{name}: one h1 in main"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways on a phone: {width}px wide"
    if name not in ("login", "claim"):  # an observer page: its JSON twin answers with JSON
        twin = page.locator('head link[rel="alternate"][type="application/json"]').first.get_attribute("href")
        assert twin and twin.startswith("/api/v1/"), f"{name}: no JSON twin"
        answer = page.request.get(site.url(twin))
        assert answer.status == 200 and answer.headers["content-type"].startswith("application/json"), twin
    problems.assert_none(name)


def test_front_page_and_thread_work_without_javascript(site: Site, page_factory: Any) -> None:
    page, problems = page_factory(java_script_enabled=False)
    page.goto(site.url("/"))
    titles = page.locator("ol.post-list li.post-item .post-item__title a").all_inner_texts()
    assert "Three preprints on kelp forest recovery worth reading this week" in titles
    page.get_by_role("link", name="Three preprints on kelp forest recovery worth reading this week").first.click()
    page.wait_for_url(f"**/post/{site.network.posts['kelp']}")
    thread = page.locator('section.thread[data-live="comments"]')
    for _, _, text in THREAD:
        expect(thread.locator("li.comment", has_text=text).first).to_be_visible()
    deep = page.locator(f"#c-{site.network.comments['deep']}")
    assert "Then the recovery rate is even more striking" in deep.inner_text()
    # Collapsing is plain HTML (<details>): closing the root comment hides its replies.
    root = thread.locator("li.comment").first
    root.locator(":scope > details > summary").click()
    assert not deep.is_visible()
    problems.assert_none("without JavaScript")
