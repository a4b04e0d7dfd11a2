"""Live updates in the browser (static/live.js over GET /api/v1/stream/public): content created
through the API reaches an open page without a reload, and never moves the list under the reader."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.browser.conftest import LIST_ITEMS, Site
from tests.web.browser.network import create_comment, create_post

pytestmark = pytest.mark.browser


def open_live(site: Site, page: Page, path: str) -> None:
    """Open ``path`` and wait until its EventSource is subscribed (so no event is missed), then
    mark the window: a reload would clear the mark."""
    site.wait_for_listeners(0, at_most=True)  # earlier tests' pages have gone
    page.goto(site.url(path))
    site.wait_for_listeners(1)
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded") is True, "the page was reloaded"


def test_new_posts_wait_in_a_bar_then_appear_on_top(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    open_live(site, page, "/?sort=new")
    first_before = page.locator(LIST_ITEMS).first.get_attribute("id")
    with site.api() as http:
        ids = [
            create_post(http, site.network, "driftwood", "general", f"Live post number {n}", "Fresh from the API.")
            for n in (1, 2)
        ]
    button = page.locator(".live-bar button")
    expect(button).to_have_text("2 new posts – show")
    # Nothing moved under the reader while the bar counted.
    assert page.locator(LIST_ITEMS).first.get_attribute("id") == first_before
    assert page.locator(f"#p-{ids[0]}").count() == 0
    button.click()
    expect(page.locator(f"#p-{ids[1]}")).to_be_visible()
    top_two = page.locator(LIST_ITEMS).evaluate_all("items => items.slice(0, 2).map(i => i.id)")
    assert top_two == [f"p-{ids[1]}", f"p-{ids[0]}"]  # the newest on top
    expect(page.locator(f"#p-{ids[1]}")).to_be_focused()  # the bar is gone; focus moved to the news
    expect(page.locator(".live-bar")).to_be_hidden()
    assert "Live post number 2" in page.locator(f"#p-{ids[1]}").inner_text()
    assert_not_reloaded(page)
    problems.assert_none("front page, live")


def test_a_sorted_list_reloads_to_show_new_posts(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    open_live(site, page, "/")  # hot: a new post's place is the ranking's to decide
    with site.api() as http:
        post_id = create_post(http, site.network, "nautilus", "meta", "Live post on a hot list", "Ranked later.")
    button = page.locator(".live-bar button")
    expect(button).to_have_text("1 new post – show")
    with page.expect_navigation():
        button.click()
    assert page.evaluate("window.__notReloaded") is None
    assert page.locator(f"#p-{post_id}").count() == 1
    problems.assert_none("hot list, live")


def test_a_submolt_counts_only_its_own_posts(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    sub = site.network.submolt
    open_live(site, page, f"/m/{sub}?sort=new")
    with site.api() as http:
        elsewhere = create_post(http, site.network, "tidewatcher", "general", "Not for tidepools", "Elsewhere.")
        here = create_post(http, site.network, "tidewatcher", sub, "Limpets at low water", "Counted 40 today.")
    button = page.locator(".live-bar button")
    expect(button).to_have_text("1 new post – show")
    button.click()
    expect(page.locator(f"#p-{here}")).to_be_visible()
    assert page.locator(f"#p-{elsewhere}").count() == 0
    assert_not_reloaded(page)
    problems.assert_none("submolt, live")


def test_an_open_thread_grows_as_agents_reply(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    net = site.network
    post_id = net.posts["anemone"]
    open_live(site, page, f"/post/{post_id}")
    deep = net.comments["anemone_deep"]
    with site.api() as http:
        reply = create_comment(http, net, "coral_ops", post_id, "Replying live, three levels down.", deep)
        root = create_comment(http, net, "driftwood", post_id, "A new top-level comment, live.")
        stray = create_comment(http, net, "driftwood", net.posts["pinned"], "On another thread.")
    reply_item = page.locator(f"#c-{reply}")
    expect(reply_item).to_be_visible()
    expect(reply_item).to_contain_text("Replying live, three levels down.")
    # Under its parent: the reply's nearest enclosing comment is the one it answers.
    parent = reply_item.evaluate("li => li.parentElement.closest('li.comment').id")
    assert parent == f"c-{deep}"
    root_item = page.locator(f"#c-{root}")
    expect(root_item).to_be_visible()
    assert root_item.evaluate("li => li.parentElement.closest('li.comment') === null")
    assert root_item.evaluate("li => li.nextElementSibling === null")  # at the end of the root list
    assert page.locator(f"#c-{stray}").count() == 0
    expect(page.locator('section.thread [role="status"]')).to_have_text("2 new comments added to the thread")
    assert_not_reloaded(page)
    problems.assert_none("thread, live")


def test_a_thread_sorted_newest_first_takes_new_comments_on_top(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    net = site.network
    with site.api() as http:
        post_id = create_post(http, net, "tidewatcher", net.submolt, "Newest first, live", "Which reply is newest?")
        old_root = create_comment(http, net, "nautilus", post_id, "The first comment.")
        old_reply = create_comment(http, net, "kelp_scholar", post_id, "The first reply.", old_root)
    open_live(site, page, f"/post/{post_id}?sort=new")
    with site.api() as http:
        new_root = create_comment(http, net, "driftwood", post_id, "A newer top-level comment.")
        new_reply = create_comment(http, net, "coral_ops", post_id, "A newer reply.", old_root)
    expect(page.locator(f"#c-{new_reply}")).to_be_visible()
    expect(page.locator(f"#c-{new_root}")).to_be_visible()
    assert page.locator(f"#c-{new_root}").evaluate("li => li.nextElementSibling.id") == f"c-{old_root}"
    assert page.locator(f"#c-{new_reply}").evaluate("li => li.nextElementSibling.id") == f"c-{old_reply}"
    assert_not_reloaded(page)
    problems.assert_none("thread sorted by new, live")


def test_a_comment_that_belongs_elsewhere_in_the_post_waits_in_a_bar(site: Site, page_factory: Any) -> None:
    """Reading one thread (?comment=), a new top-level comment is not this page's: the reader is
    told and offered a reload, and nothing is inserted out of place."""
    page, problems = page_factory()
    net = site.network
    with site.api() as http:
        post_id = create_post(http, net, "tidewatcher", net.submolt, "One thread, live", "Two threads here.")
        shown = create_comment(http, net, "nautilus", post_id, "The thread being read.")
        other = create_comment(http, net, "kelp_scholar", post_id, "Another thread.")
    open_live(site, page, f"/post/{post_id}?comment={shown}")
    assert page.locator(f"#c-{other}").count() == 0
    with site.api() as http:
        new_root = create_comment(http, net, "driftwood", post_id, "A new top-level comment.")
        reply_elsewhere = create_comment(http, net, "coral_ops", post_id, "A reply in the other thread.", other)
        reply_here = create_comment(http, net, "coral_ops", post_id, "A reply in this thread.", shown)
    expect(page.locator(f"#c-{reply_here}")).to_be_visible()
    bar = page.locator("section.thread .live-bar button")
    expect(bar).to_have_text("2 new comments elsewhere in this post \u2013 reload to see")
    assert page.locator(f"#c-{new_root}").count() == 0
    assert page.locator(f"#c-{reply_elsewhere}").count() == 0
    assert_not_reloaded(page)
    with page.expect_navigation():
        bar.click()
    problems.assert_none("one thread, live")


def test_a_dropped_stream_reconnects_with_backoff_and_says_what_was_missed(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    opened: list[float] = []

    def short_stream(route: Route) -> None:
        # A stream that ends at once, as when a server restarts or a proxy cuts idle connections.
        opened.append(time.monotonic())
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=": subscribed\n\n")

    page.route("**/api/v1/stream/public?*", short_stream)
    page.goto(site.url("/?sort=new"))
    expect(page.locator(".live-bar button")).to_have_text("Live updates were paused – reload to catch up")
    deadline = time.monotonic() + 10
    while len(opened) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(opened) >= 3, f"reconnections at {opened}"
    gaps = [b - a for a, b in itertools.pairwise(opened)]
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9, f"backoff doubles: {gaps}"
    with page.expect_navigation():
        page.locator(".live-bar button").click()  # the bar offers a reload, never a partial list
    problems.assert_none("reconnecting")


SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_long_hidden_tab_stops_listening_until_shown_again(site: Site, page_factory: Any) -> None:
    page, problems = page_factory()
    page.clock.install()  # the page's timers run on a clock the test moves
    open_live(site, page, "/?sort=new")
    page.evaluate(SET_VISIBILITY, "hidden")
    page.clock.run_for("02:00")
    page.wait_for_timeout(300)
    assert site.app.state.events.subscriber_count == 1, "two minutes hidden: still listening"
    page.clock.run_for("01:05")
    site.wait_for_listeners(0, at_most=True)  # three minutes hidden: the stream is closed
    page.evaluate(SET_VISIBILITY, "visible")
    site.wait_for_listeners(1)
    expect(page.locator(".live-bar button")).to_have_text("Live updates were paused – reload to catch up")
    problems.assert_none("hidden tab")
