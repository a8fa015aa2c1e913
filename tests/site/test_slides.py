"""The slide decks the site build wrote (build/site/slides, tooling/slides.py) in Chromium, opened from file:// as an
instructor opens them offline: no console error, no request leaving the machine, the slide count the chapters'
slide types give, the first and last slides' titles, presenter notes, the diagrams, the speaker view, print to PDF,
and the site's links to them. Screenshots of a deck and of the speaker view go to the instructor guide."""

import os
import re
from pathlib import Path

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.course import read_chapters
from dockercourse.tooling import slides
from dockercourse.tooling.agenda import ENDS, build_agenda, plans
from tests.browser import SCREENSHOTS, screenshot
from tests.site.conftest import SITE

#: The offline check points this at the workshop bundle's decks (tooling/offline_check.sh).
DECKS = Path(os.environ.get("DECKS_UNDER_TEST", SITE / "slides"))
CHAPTERS = read_chapters()


def notebook(number: str):
    return nbformat.read(REPO_DIR / CHAPTERS[number].path, as_version=4)


def heading(cell) -> str:
    """A slide cell's title: its first Markdown heading, without the #s."""
    found = slides.HEADING.search(cell.source) if cell.cell_type == "markdown" else None
    return found.group(1).strip() if found else ""


def expected(deck: str) -> tuple[int, str, str]:
    """(slides, the first slide's title, the last slide's title), from the chapters' slide types alone."""
    if deck in plans(REPO_DIR):
        agenda = build_agenda(plans(REPO_DIR)[deck], CHAPTERS, ENDS[deck])
        count = 1 + len(agenda.blocks) + sum(slides.slide_count(notebook(number)) for number in agenda.chapters)
        return count, f"Docker for Python developers · {deck.replace('-', ' ').capitalize()}", agenda.blocks[-1].label
    number = deck[:2]
    cells = [cell for cell in notebook(number).cells if slides.slide_type(cell) in ("slide", "subslide")]
    return len(cells), heading(cells[0]), heading(cells[-1])


DECK_NAMES = [*plans(REPO_DIR), *(slides.chapter_deck_name(chapter)[:-5] for chapter in CHAPTERS.values())]


def open_deck(page, url: str) -> list[str]:
    """Open a deck, every request that would leave the machine refused and listed; waits until reveal.js is ready."""
    leaving = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file://", "data:", "http://127.0.0.1")):
            request_route.continue_()
        else:
            leaving.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20000)
    return leaving


def title_of(page, index: int) -> str:
    return page.evaluate(f"""(() => {{ const slide = Reveal.getSlides().at({index});
        const found = slide.querySelector('h1, h2, h3'); return found ? found.textContent.trim() : ''; }})()""")


def test_the_site_build_wrote_every_deck():
    written = sorted(path.stem for path in DECKS.glob("*.html") if path.name != "index.html")  # index: slides.md
    assert written == sorted(DECK_NAMES), "the site build (site_hooks.on_post_build) writes a deck per chapter and agenda"


@pytest.mark.parametrize("deck", DECK_NAMES)
def test_a_deck_opens_offline_with_its_slides_notes_and_pictures(page, deck):
    leaving = open_deck(page, (DECKS / f"{deck}.html").as_uri())
    count, first, last = expected(deck)
    assert leaving == [], f"requests leaving the machine: {leaving}"
    assert page.console_errors == []
    assert page.evaluate("Reveal.getTotalSlides()") == count
    assert title_of(page, 0).startswith(first)
    assert title_of(page, -1) == last
    notes = page.locator("aside.notes")
    assert notes.count() > 0
    if deck[:2] in CHAPTERS:
        assert "Demo live" in notes.first.inner_html(), "the instructor guide's Demo live, on the title slide's notes"
    loaded = page.evaluate("Array.from(document.images).map(image => image.complete && image.naturalWidth > 0)")
    assert all(loaded), f"{loaded.count(False)} picture(s) did not load"


def test_a_diagram_on_a_slide_and_the_speaker_view(page):
    """Chapter 03's engine diagram on the projector, and the speaker view S opens: this slide's notes."""
    open_deck(page, (DECKS / "03-architecture.html").as_uri())
    page.evaluate("Reveal.slide(...Object.values(Reveal.getIndices("
                  "Reveal.getSlides().find(slide => slide.querySelector('img[src$=\"03-engine-chain.svg\"]')))))")
    image = page.locator(".present img[src$='03-engine-chain.svg']")
    image.wait_for(state="visible")
    assert image.evaluate("image => image.naturalWidth") > 0
    page.wait_for_timeout(500)  # reveal.js's slide transition
    screenshot(page, "slides-deck")
    with page.expect_popup() as opened:
        page.keyboard.press("s")
    speaker = opened.value
    speaker.set_viewport_size({"width": 1280, "height": 800})
    notes = page.evaluate("Reveal.getCurrentSlide().querySelector('aside.notes').textContent.trim()")
    first_words = " ".join(notes.split()[:4])
    speaker.wait_for_function(f"document.body.innerText.includes({first_words!r})", timeout=15000)
    speaker.wait_for_timeout(1000)  # the current and next slides' previews
    screenshot(speaker, "slides-speaker")


@pytest.mark.parametrize("deck", ["00-preflight", "half-day"])
def test_a_deck_prints_one_slide_a_page(page, deck):
    open_deck(page, (DECKS / f"{deck}.html").as_uri() + "?print-pdf")
    page.wait_for_timeout(1000)  # reveal.js lays the pages out after it is ready
    pdf = page.pdf(width="1280px", height="800px", print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"slides-{deck}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    assert pages == expected(deck)[0], f"{deck} prints on {pages} pages, not one a slide"


def test_the_site_links_each_chapters_deck_and_lists_them_all(page, site_url):
    page.goto(site_url + "notebooks/05-build-and-run/")
    link = page.locator("p.deck-link a")
    assert link.inner_text() == "This chapter as slides"
    link.click()
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20000)
    assert page.url.endswith("/slides/05-build-and-run.html") and page.console_errors == []
    page.goto(site_url + "slides/")
    listed = page.locator("article table a").all_inner_texts()
    assert len(listed) == len(DECK_NAMES) and listed[0].startswith("Half day")
