"""Chromium for the browser tests (the site, the course stack): Debian's Chromium driven by Playwright."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from dockercourse import REPO_DIR
from dockercourse.machine.browser import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = REPO_DIR / "build" / "test-results" / "screenshots"


@contextmanager
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(target, name: str) -> None:
    """A picture of the page's viewport, or of one element (a diagram), for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options = {"full_page": False} if hasattr(target, "goto") else {}
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)
