"""The built site (build/site, made by the site stage) in a real browser: Debian's Chromium,
driven by Playwright, served on loopback. Screenshots go to build/test-results/screenshots/."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import SCREENSHOTS, screenshot
from tests.nav import nav_files
from tests.site.conftest import SITE


def nav_pages() -> list[str]:
    """Every page in mkdocs.yml's nav, as its URL path in the built site."""
    return [re.sub(r"\.(md|ipynb)$", "/", re.sub(r"(^|/)index\.md$", r"\1", page)) for page in nav_files()]


def test_home_renders(page, site_url):
    response = page.goto(site_url)
    assert response.status == 200
    assert "Docker for Python developers" in page.title()
    assert page.locator("h1").first.inner_text().startswith("Docker for Python developers")
    screenshot(page, "home")


@pytest.mark.parametrize("path", nav_pages())
def test_every_navigation_page_loads_without_console_errors_or_accessibility_violations(page, site_url, axe, path):
    """One load of each page: no console error; axe-core finds no serious or critical violation, every rule on
    the light palette, then the rules about colour once the header's toggle has switched to the dark one."""
    response = page.goto(site_url + path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    assert not page.console_errors, f"{path}: {page.console_errors}"
    found = axe.on_both_palettes(page)
    assert not found, f"{path}:\n" + "\n".join(found)


def test_a_chapter_page_shows_the_stored_output_of_a_real_command(page, site_url):
    page.goto(site_url + "notebooks/00-preflight/")
    text = page.locator("article").inner_text()
    assert "docker version --format" in text, "the command itself"
    assert "Engine 26 or newer: yes" in text and "doctor exit code: 0" in text, "its stored outputs"
    screenshot(page, "chapter-00")


@pytest.mark.parametrize("path", [path for path in nav_pages() if path.startswith("notebooks/")])
def test_every_picture_on_a_chapter_page_loads(page, site_url, path):
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    pictures = page.locator("article img")
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        picture.scroll_into_view_if_needed()
        loaded = picture.evaluate("image => image.complete && image.naturalWidth > 0")
        assert loaded, f"{path}: {picture.get_attribute('src')} does not load"
        assert picture.get_attribute("alt"), f"{path}: {picture.get_attribute('src')} has no alt text"
    if path.startswith(("notebooks/01-", "notebooks/03-")):
        screenshot(page.locator("article img").first, f"diagram-{path.split('/')[1][:2]}")


def test_check_cells_show_their_output_without_their_code(page, site_url):
    page.goto(site_url + "notebooks/02-images-and-containers/")
    text = page.locator("article").inner_text()
    assert "docker image history" in text, "the docker commands stay"
    assert "history_json = !" not in text, "a check cell's code is hidden on the site"


def test_search_for_healthcheck_lists_the_dockerfile_chapter(page, site_url):
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search, results = page.locator("input.md-search__input"), page.locator(".md-search-result__item")
    # The index loads in a web worker; a query typed before it is ready is not run again, so retype.
    for _ in range(10):
        search.fill("")
        search.type("healthcheck")
        try:
            results.first.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            continue
    assert results.count(), "search for 'healthcheck' found nothing"
    assert "The Dockerfile" in page.locator(".md-search-result").inner_text()


def test_interview_answers_are_hidden_until_clicked(page, site_url):
    page.goto(site_url + "interview/")
    first = page.locator("article details").first
    answer = first.locator("p").first
    assert not answer.is_visible(), "an answer must be hidden before the click"
    first.locator("summary").click()
    assert answer.is_visible(), "a click on the question must reveal the answer"
    screenshot(page, "interview")


def test_a_predictions_output_is_folded_until_the_reader_opens_it(page, site_url):
    """On the site as in JupyterLab: the run after a **Predict.** shows its output only on a click."""
    page.goto(site_url + "notebooks/05-build-and-run/")
    folded = page.locator("details.reveal").first
    output = folded.locator(".jp-Cell-outputWrapper")
    assert folded.count() and not output.is_visible(), "a prediction's output must be folded"
    assert "predict it first" in folded.locator("summary").inner_text()
    folded.locator("summary").click()
    assert output.is_visible(), "a click shows the output"
    screenshot(page, "prediction-revealed")


def test_every_chapter_page_folds_its_predictions_and_asides(site_url):
    """Each chapter's predictions (details.reveal, made by the site's hook) and asides (details.aside, written
    in the chapter) are closed <details> on its page."""
    for chapter in sorted((SITE / "notebooks").glob("[0-9][0-9]-*/index.html")):
        text = chapter.read_text(errors="replace")
        assert text.count('<details class="reveal">') >= 3, f"{chapter.parent.name}: fewer than 3 folded predictions"
        assert "<details open" not in text, f"{chapter.parent.name}: a fold is open on arrival"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(errors="replace"))
    return links


def test_no_broken_internal_links_or_anchors():
    pages = {path: parse(path) for path in SITE.rglob("*.html")}
    broken = []
    for path, links in pages.items():
        base = "file://" + str(path)
        for href in links.hrefs:
            # Site-root links (404.html uses them) resolve against the site's root directory.
            resolved = urljoin(f"file://{SITE}/", href.lstrip("/")) if href.startswith("/") else urljoin(base, href)
            target = urlparse(resolved)
            if target.scheme != "file":
                continue
            file = Path(unquote(target.path))
            if file.is_dir():
                file = file / "index.html"
            if not file.exists():
                broken.append(f"{path.relative_to(SITE)}: {href} (no such file)")
            elif target.fragment and file.suffix == ".html":
                ids = pages[file].ids if file in pages else parse(file).ids
                if unquote(target.fragment) not in ids:
                    broken.append(f"{path.relative_to(SITE)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


def test_the_agenda_prints_the_one_day_plans_on_one_a4_page_and_day_two_on_another(page, site_url):
    page.goto(site_url + "agenda/")
    article = page.locator("article")
    headings = article.locator("h2").all_inner_texts()
    assert [h.strip("¶ ") for h in headings] == ["Half day", "Full day: the core course", "Two days"], headings
    tables = article.locator("table")
    assert tables.count() == 3, "one table per agenda: half day, full day, day two"
    for index in range(3):
        assert tables.nth(index).locator("tbody tr td").first.inner_text().startswith("09:00–")
    assert "00 · Preflight" in tables.nth(0).inner_text() and "Lunch" in tables.nth(1).inner_text()
    assert "07 · " in tables.nth(2).inner_text(), "day two starts with chapter 07"

    pdf = page.pdf(format="A4")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "agenda.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))  # page objects, not the /Pages tree
    assert pages == 2, f"the agenda prints on {pages} A4 pages, not 2 (see {SCREENSHOTS / 'agenda.pdf'})"

    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), f"{chrome} shows in print"
    assert all(tables.nth(index).is_visible() for index in range(3)), "every agenda shows in print"
    screenshot(page, "agenda-print")
