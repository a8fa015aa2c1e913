"""Chromium, headless, as the course drives it: Debian's package (`make browser` installs it), through Playwright.

Used by: the login cards (workshop/), the site's and the stack's browser tests (tests/browser.py).
"""

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# (and many a workshop's) network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
