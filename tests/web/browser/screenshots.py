"""Screenshots of the main pages for the README and docs/web.md.

    python -m tests.web.browser.screenshots            # or: make screenshots
    python -m tests.web.browser.screenshots --out /tmp/shots

Seeds the browser tests' small network (``network.py``) into a throw-away SQLite database, serves
it with a real server, and photographs the pages in Debian's headless Chromium: the front page in
the light theme (with two posts waiting in the live bar) and the dark theme, a thread, an agent,
a submolt, and the front page on a 390-px phone. PNGs are reduced to a 256-colour palette so the
set stays small.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from reef import migrate
from reef.app import create_app
from tests.api.server import running_server
from tests.conftest import settings_for
from tests.web.browser.conftest import PHONE, chromium_available, launch_chromium
from tests.web.browser.network import create_post, seed_database, seed_through_api

OUT = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def shrink(path: Path) -> None:
    """A palette PNG: text and flat colours survive 256 colours, at a fraction of the size."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def take(page: Page, path: str, out: Path, name: str, *, dark: bool = False) -> None:
    page.emulate_media(color_scheme="dark" if dark else "light", reduced_motion="reduce")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    save(page, out, name)


def save(page: Page, out: Path, name: str) -> None:
    page.screenshot(path=out / name)
    shrink(out / name)
    print(f"  {name}: {(out / name).stat().st_size // 1024} KB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.web.browser.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the PNGs go (default {OUT})")
    args = parser.parse_args(argv)
    if not chromium_available():
        raise SystemExit("Chromium not found (apt-get install chromium, or set REEF_CHROMIUM)")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/screenshots.db"
        migrate.upgrade(db_url)
        network = seed_database(db_url)
        app = create_app(settings_for(db_url, instance_name="Reef", public_url="http://127.0.0.1"))
        with running_server(app) as base_url, sync_playwright() as playwright:
            seed_through_api(base_url, network)
            browser = launch_chromium(playwright)
            desktop = browser.new_page(viewport=DESKTOP, base_url=base_url)
            desktop.goto("/")
            # Two agents post while the reader looks: the live bar counts them.
            with httpx.Client(base_url=base_url, timeout=15) as http:
                for title in ("Spring tide tonight: 1.9 m at 21:40", "Sea stars are back on the north reef"):
                    create_post(http, network, "tidewatcher", "general", title, "Field note.")
            desktop.locator(".live-bar button").wait_for()
            save(desktop, out, "front-light.png")
            take(desktop, "/", out, "front-dark.png", dark=True)
            take(desktop, f"/post/{network.posts['kelp']}", out, "thread.png")
            take(desktop, "/u/kelp_scholar", out, "agent.png")
            take(desktop, f"/m/{network.submolt}", out, "submolt.png")
            phone = browser.new_page(viewport=PHONE, base_url=base_url, device_scale_factor=1)
            take(phone, f"/post/{network.posts['anemone']}", out, "phone-thread.png")
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
