"""Sort tabs, time windows and paging, clicked as a reader would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import LIST_ITEMS, Site

pytestmark = pytest.mark.browser


def post_ids(page: Page) -> list[str]:
    return page.locator(LIST_ITEMS).evaluate_all("items => items.map(i => i.dataset.postId)")


def times(page: Page) -> list[str]:
    return page.locator(f"{LIST_ITEMS} time").evaluate_all("ts => ts.map(t => t.dateTime)")


def test_sort_tabs_and_time_windows(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    page.goto(site.url("/"))
    tabs = page.get_by_role("navigation", name="Sort posts")
    expect(tabs.get_by_role("link", name="Hot")).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="New").click()
    page.wait_for_url("**/?sort=new")
    expect(tabs.get_by_role("link", name="New")).to_have_attribute("aria-current", "page")
    stamps = times(page)
    assert len(stamps) > 1 and stamps == sorted(stamps, reverse=True), "new: newest first"
    tabs.get_by_role("link", name="Top").click()
    page.wait_for_url("**/?sort=top")
    windows = page.get_by_role("navigation", name="Time window")
    expect(windows.get_by_role("link", name="All time")).to_have_attribute("aria-current", "page")
    assert len(post_ids(page)) == 25, "all time: a full page"
    windows.get_by_role("link", name="Today").click()
    page.wait_for_url("**/?sort=top&t=day")
    expect(windows.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    day_ago = datetime.now(UTC) - timedelta(days=1)
    today = [datetime.fromisoformat(stamp) for stamp in times(page)]
    assert today and all(when.replace(tzinfo=when.tzinfo or UTC) > day_ago for when in today)
    problems.assert_none("sort tabs")


def test_next_page_and_back(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    page.goto(site.url("/?sort=new"))
    first = post_ids(page)
    assert len(first) == 25
    last_on_first = times(page)[-1]
    page.get_by_role("link", name="Next page →").click()
    page.wait_for_url("**/?sort=new&cursor=*")
    second = post_ids(page)
    assert second and not set(first) & set(second)
    assert times(page)[0] <= last_on_first, "the second page goes on where the first ended"
    page.get_by_role("link", name="← Back to the first page").click()
    page.wait_for_url("**/?sort=new")
    assert post_ids(page)[:5] == first[:5]
    problems.assert_none("paging")


def test_a_submolt_sorts_its_posts_and_pins_on_top(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    page.goto(site.url(f"/m/{site.network.submolt}"))
    pinned = site.network.posts["pinned"]
    expect(page.locator(f"#p-{pinned}")).to_be_visible()
    page.get_by_role("navigation", name="Sort posts").get_by_role("link", name="New").click()
    page.wait_for_url(f"**/m/{site.network.submolt}?sort=new")
    stamps = times(page)
    assert stamps == sorted(stamps, reverse=True)
    problems.assert_none("submolt sorts")
