"""The interview page's practice mode on the built site, in Chromium (docs/javascripts/interview.js): each answer
hidden until the reader has written one, marked, counted, remembered and reset; off, the page as the theme makes
it; nothing requested from outside, nothing axe-core objects to."""

import re

from tests.browser import screenshot
from tests.site.conftest import toggle_palette

PAGE = "interview/"


def open_page(page, site_url):
    page.goto(site_url + PAGE)
    questions = page.locator("article details.question")
    counted = re.match(r"(\d+) questions", page.locator("article p").first.inner_text())
    assert counted and int(counted[1]) == questions.count(), "the page counts the questions it has"
    return questions


def test_practice_mode_keeps_each_answer_back_until_the_reader_has_answered(page, site_url, axe, local_only):
    questions = open_page(page, site_url)
    total = questions.count()
    practice = page.get_by_label("Practice mode")
    assert not practice.is_checked(), "practice mode is off until the reader turns it on"
    practice.check()
    tally = page.locator(".dc-tally")
    assert tally.inner_text() == f"0 of {total} answered, 0 known"

    first, second = questions.nth(0), questions.nth(1)
    first.locator("summary").click()
    answer, show = first.locator("p").first, first.get_by_role("button", name="Show the answer")
    assert not answer.is_visible(), "the answer stays hidden when the question opens"
    assert show.is_disabled(), "nothing typed yet: the answer cannot be shown"
    first.get_by_label("Your answer").fill("   ")
    assert show.is_disabled(), "white space is no answer"
    first.get_by_label("Your answer").fill("processes, with namespaces and cgroups")
    show.click()
    assert answer.is_visible() and first.locator("a[href*='notebooks/']").is_visible()
    assert not show.is_visible()
    first.get_by_role("button", name="I knew it").click()
    assert tally.inner_text() == f"1 of {total} answered, 1 known"
    assert first.get_by_role("button", name="I knew it").get_attribute("aria-pressed") == "true"

    second.locator("summary").click()
    second.get_by_label("Your answer").press_sequentially("a small VM")  # typed key by key, as a reader does
    second.get_by_role("button", name="Show the answer").press("Enter")  # and from the keyboard
    second.get_by_role("button", name="I did not").click()
    assert tally.inner_text() == f"2 of {total} answered, 1 known"
    first.scroll_into_view_if_needed()
    screenshot(page, "interview-practice")
    found = axe.on_both_palettes(page)
    assert not found, "practice mode:\n" + "\n".join(found)
    toggle_palette(page)

    page.reload()
    assert practice.is_checked(), "the mode is kept in this browser"
    assert tally.inner_text() == f"2 of {total} answered, 1 known", "so are the marks"
    first.locator("summary").click()
    assert answer.is_visible(), "a question marked once shows its answer"
    assert first.get_by_role("button", name="I knew it").get_attribute("aria-pressed") == "true"

    page.locator(".dc-reset").click()
    assert tally.inner_text() == f"0 of {total} answered, 0 known"
    assert not answer.is_visible() and first.get_by_role("button", name="Show the answer").is_disabled()
    page.reload()
    assert practice.is_checked() and tally.inner_text() == f"0 of {total} answered, 0 known"
    assert not page.console_errors, page.console_errors


def test_with_practice_mode_off_a_question_opens_on_a_click_as_before(page, site_url):
    questions = open_page(page, site_url)
    page.get_by_label("Practice mode").check()
    page.get_by_label("Practice mode").uncheck()
    page.reload()
    assert not page.get_by_label("Practice mode").is_checked(), "off is kept too"
    assert not page.locator(".dc-tally").is_visible()
    first = questions.first
    answer = first.locator("p").first
    assert not answer.is_visible()
    first.locator("summary").click()
    assert answer.is_visible(), "a click on the question reveals the answer"
    assert first.locator("textarea, .dc-show, .dc-mark").count() == 0, "nothing of practice mode is left"
    assert not page.console_errors, page.console_errors
