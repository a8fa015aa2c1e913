"""What the site's browser tests share: the built site served on loopback, and Chromium."""

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest

from dockercourse import REPO_DIR
from tests.browser import chromium

SITE = REPO_DIR / "build" / "site"


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail("no built site in build/site: run `make site` (it builds the site first)")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def axe():
    """tests/site/axe.py, its script fetched (and checked) once."""
    from tests.site import axe as engine

    engine.script()
    return engine


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def local_only(page, site_url):
    """Every request the page makes, which must all go to the site's own server."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    yield requested
    outside = [url for url in requested if urlparse(url).netloc != urlparse(site_url).netloc
               and not url.startswith("data:")]
    assert not outside, f"requests that left the machine: {outside}"


def toggle_palette(page) -> str:
    """Click the header's light/dark toggle, as a reader does; the scheme the page shows then."""
    page.locator("label.md-header__button[for^='__palette']:visible").click()
    return page.locator("body").get_attribute("data-md-color-scheme")
