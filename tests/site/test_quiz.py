"""The quizzes and the mock exam on the built site, in Chromium: answered right and wrong, scored, explained,
remembered and reset; the exam's countdown, finish and score by domain; nothing requested from outside."""

import re

import pytest

from dockercourse.tooling.quiz import DOMAINS, EXAM_MINUTES, EXAM_QUESTIONS, published
from tests.browser import screenshot
from tests.site.conftest import toggle_palette

CHAPTER = "05"
PAGE = "notebooks/05-build-and-run/"


def test_a_chapter_quiz_scores_explains_remembers_and_resets(page, site_url, local_only):
    questions = published(CHAPTER)["questions"]
    page.goto(site_url + PAGE)
    quiz = page.locator(".dc-quiz")
    asked = quiz.locator(".dc-question")
    assert asked.count() == len(questions)
    first, second = asked.nth(0), asked.nth(1)
    first.locator(".dc-option").nth(questions[0]["answer"]).click()
    second.locator(".dc-option").nth((questions[1]["answer"] + 1) % 4).click()
    assert quiz.locator(".dc-score").inner_text() == f"Score: 1 of {len(questions)} right (2 answered)"
    assert first.locator(".dc-verdict").inner_text().startswith("Right. " + questions[0]["explain"].replace("`", ""))
    assert second.locator(".dc-verdict").inner_text().startswith("Not quite. ")
    assert "dc-is-answer" in second.locator(".dc-option").nth(questions[1]["answer"]).get_attribute("class")
    reread = second.locator(".dc-verdict a")
    assert reread.inner_text() == "Read: " + questions[1]["section_title"]
    assert page.locator(f"[id='{questions[1]['section']}']").count() == 1, "the section it links is on the page"
    # Answered once: a second click (on an option marked aria-disabled, so dispatched) changes nothing.
    second.locator(".dc-option").nth(questions[1]["answer"]).dispatch_event("click")
    assert quiz.locator(".dc-score").inner_text() == f"Score: 1 of {len(questions)} right (2 answered)"
    first.scroll_into_view_if_needed()
    screenshot(page, "quiz-chapter-05")

    page.reload()
    assert quiz.locator(".dc-score").inner_text() == f"Score: 1 of {len(questions)} right (2 answered)", \
        "the answers are kept in this browser"
    quiz.locator(".dc-reset").click()
    assert quiz.locator(".dc-score").inner_text() == f"Score: 0 of {len(questions)} right (0 answered)"
    assert quiz.locator(".dc-verdict:visible").count() == 0
    page.reload()
    assert quiz.locator(".dc-score").inner_text() == f"Score: 0 of {len(questions)} right (0 answered)"
    assert not page.console_errors, page.console_errors


def test_a_predict_question_shows_the_command_and_the_verified_output_among_its_options(page, site_url):
    predict = next(question for question in published(CHAPTER)["questions"] if question["kind"] == "predict")
    page.goto(site_url + PAGE)
    shown = page.locator(f".dc-question[data-id='{predict['id']}']")
    assert shown.locator(".dc-command").inner_text() == predict["command"]
    assert shown.locator(".dc-option pre").all_inner_texts() == predict["options"]


def the_exam(page, site_url):
    page.clock.install()
    page.goto(site_url + "mock-exam/")
    page.locator(".dc-start").click()
    return page.locator(".dc-exam")


def test_the_mock_exam_counts_down_and_ends_when_the_time_is_up(page, site_url, local_only):
    exam = the_exam(page, site_url)
    assert exam.locator(".dc-question").count() == EXAM_QUESTIONS
    assert exam.locator(".dc-timer").inner_text() == f"Time left: {EXAM_MINUTES}:00"
    page.clock.run_for("01:00")
    assert exam.locator(".dc-timer").inner_text() == f"Time left: {EXAM_MINUTES - 1}:00"
    page.clock.run_for(f"{EXAM_MINUTES:02d}:00")
    assert exam.locator(".dc-timer").inner_text() == "Time is up."
    assert exam.locator(".dc-finish").count() == 0
    assert exam.locator(".dc-results .dc-score").inner_text() == f"Score: 0 of {EXAM_QUESTIONS} right (0 %)"
    assert not page.console_errors, page.console_errors


def test_the_mock_exam_scores_each_domain_and_links_what_to_reread(page, site_url):
    exam = the_exam(page, site_url)
    asked = exam.locator(".dc-question")
    answers = {question["id"]: question["answer"] for number in map("{:02d}".format, range(13))
               for question in published(number)["questions"]}
    missed_domain = asked.nth(0).get_attribute("data-domain")
    for index in range(asked.count()):  # every answer right but the first question's
        question = asked.nth(index)
        right = answers[question.get_attribute("data-id")]
        question.locator(".dc-option").nth(right if index else (right + 1) % 4).click()
    exam.locator(".dc-finish").click()
    assert exam.locator(".dc-timer").inner_text() == "Finished."
    score = exam.locator(".dc-results .dc-score").inner_text()
    assert score == f"Score: {EXAM_QUESTIONS - 1} of {EXAM_QUESTIONS} right ({round(100 * 19 / 20)} %)"
    rows = exam.locator(".dc-domains tr[data-domain]")
    assert sorted(rows.evaluate_all("rows => rows.map(row => row.dataset.domain)")) == sorted(DOMAINS)
    missed = exam.locator(f".dc-domains tr[data-domain='{missed_domain}']")
    assert re.fullmatch(r"(\d+) of \1", missed.locator("td").nth(1).inner_text()) is None
    link = missed.locator("td a")
    assert link.count() == 1
    href = link.get_attribute("href")
    page.goto(page.url.rsplit("/", 2)[0] + "/" + href.removeprefix("../"))
    assert page.locator(f"[id='{href.split('#')[1]}']").count() == 1, f"{href}: the section to re-read is there"
    for row in range(rows.count()):
        if rows.nth(row).get_attribute("data-domain") != missed_domain:
            assert re.fullmatch(r"(\d+) of \1", rows.nth(row).locator("td").nth(1).inner_text())


def test_both_palettes_keep_the_diagrams_and_the_quiz_legible(page, site_url):
    page.goto(site_url + "notebooks/03-architecture/")
    diagram = page.locator("article img[src*='img/']").first
    for scheme in ("default", "slate"):
        if page.locator("body").get_attribute("data-md-color-scheme") != scheme:
            toggle_palette(page)
        assert page.locator("body").get_attribute("data-md-color-scheme") == scheme
        diagram.scroll_into_view_if_needed()
        background = diagram.evaluate("image => getComputedStyle(image).backgroundColor")
        light_ground = background == "rgb(255, 255, 255)" or (scheme == "default" and background == "rgba(0, 0, 0, 0)")
        assert light_ground, f"{scheme}: the diagram's dark lines need a light ground, found {background}"
        screenshot(page, f"palette-{scheme}-diagram")
