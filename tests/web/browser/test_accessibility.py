"""axe-core (vendored, tests/web/browser/vendor) finds no serious or critical violation on any
main page, in the light and the dark theme. The pages' CSP allows no inline script, so these
contexts bypass it to inject axe; test_pages.py loads the same pages with the CSP in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.web.browser.conftest import MAIN_PAGES, Site

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " -> " + n.failureSummary),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name", MAIN_PAGES)
@pytest.mark.usefixtures("once_per_run")
def test_no_serious_accessibility_violations_light_and_dark(site: Site, page_factory: Any, name: str) -> None:
    page, problems = page_factory(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page.goto(site.url(site.main_pages()[name]))
    page.emulate_media(color_scheme="light")
    assert serious_violations(page) == [], f"{name}, light theme"
    page.emulate_media(color_scheme="dark")
    assert serious_violations(page) == [], f"{name}, dark theme"
    problems.assert_none(name)
