"""dockercourse/tooling/agenda.py: the timing table and the workshop agendas, from the course file and nbval."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from dockercourse import REPO_DIR
from dockercourse.course import Chapter, read_chapters
from dockercourse.tooling import agenda
from dockercourse.tooling.agenda import Measurement
from tests.conftest import write_chapter

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="{failures}" skipped="0" tests="5"
 time="99.0" timestamp="2026-11-27T19:22:08.265971+00:00" hostname="ci-runner">
<testcase classname="notebooks.00-intro.ipynb" name="Cell 0" time="1.5" />
<testcase classname="notebooks.00-intro.ipynb" name="Cell 1" time="2.25" />
<testcase classname="notebooks.01-more.ipynb" name="Cell 0" time="60.0" />
<testcase classname="notebooks.01-more.ipynb" name="Cell 1" time="0.5" />
<testcase classname="tests.test_other" name="test_not_a_notebook" time="30.0" />
</testsuite></testsuites>
"""


def write_report(repo: Path, failures: int = 0) -> Path:
    report = repo / agenda.NBVAL_REPORTS[-1]
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(JUNIT.format(failures=failures))
    return report


@pytest.fixture(scope="module")
def course() -> dict[str, Chapter]:
    return read_chapters(REPO_DIR)


PLANS = agenda.plans(REPO_DIR)
HALF_DAY, FULL_DAY, DAY_TWO = PLANS[agenda.HALF_DAY], PLANS[agenda.FULL_DAY], PLANS[agenda.DAY_TWO]


def measured(chapters: dict[str, Chapter], seconds: float) -> Measurement:
    """A run in which every chapter took `seconds`."""
    return Measurement({Path(c.path).name: seconds for c in chapters.values()}, None, "test", 0)


def test_the_report_adds_up_each_notebooks_cells(small_course):
    measurement = agenda.read_measurement(write_report(small_course))
    assert measurement.seconds == {"00-intro.ipynb": 3.75, "01-more.ipynb": 60.5}, "tests that are not cells ignored"
    assert measurement.hostname == "ci-runner"
    assert measurement.timestamp == datetime(2026, 11, 27, 19, 22, 8, 265971, tzinfo=UTC)
    assert measurement.failed == 0


def test_the_source_line_names_the_host_and_date_and_flags_failures(small_course):
    line = agenda.source_line(agenda.read_measurement(write_report(small_course)))
    assert "`ci-runner`" in line and "2026-11-27 19:22 UTC" in line and "failed" not in line
    line = agenda.source_line(agenda.read_measurement(write_report(small_course, failures=2)))
    assert "2 cell(s) failed" in line


def test_no_report_means_not_measured(small_course):
    assert agenda.read_measurement(small_course / agenda.NBVAL_REPORTS[-1]) is None
    generated = agenda.sections(small_course)
    for name in ("timing-table", "source"):
        assert agenda.NOT_MEASURED in generated[name], name
    assert "| not measured |" in generated["timing-table"]


def test_an_unreadable_report_is_an_error_not_a_silent_zero(small_course):
    report = write_report(small_course)
    report.write_text(JUNIT[:200])
    with pytest.raises(ValueError, match="not readable JUnit XML"):
        agenda.read_measurement(report)


def uniform(chapters: dict[str, Chapter], teaching: int, exercises: int) -> dict[str, Chapter]:
    """The same chapters, each with these minutes: a day whose length the test knows."""
    return {number: replace(chapter, teaching=teaching, exercises=exercises) for number, chapter in chapters.items()}


def test_each_chapter_block_is_its_teaching_plus_its_exercises(course):
    quick = uniform(course, 30, 10)
    day = agenda.build_agenda(FULL_DAY, quick, agenda.FULL_DAY_END)
    for block in day.blocks:
        if block.chapter and not block.demo:
            assert block.minutes == quick[block.chapter].teaching + quick[block.chapter].exercises, block.label


@pytest.mark.parametrize("plan, end_by", [(HALF_DAY, agenda.HALF_DAY_END), (FULL_DAY, agenda.FULL_DAY_END)],
                         ids=["half", "full"])
def test_times_are_consecutive_from_the_start(course, plan, end_by):
    day = agenda.build_agenda(plan, course, end_by)
    assert day.blocks[0].start == agenda.minutes_of(agenda.START)
    for before, after in zip(day.blocks, day.blocks[1:], strict=False):
        assert after.start == before.end, f"{after.label} starts at {after.start}, {before.label} ends at {before.end}"
    table = agenda.agenda_table(day, course)
    clocks = re.findall(r"^\| (\d\d:\d\d)–(\d\d:\d\d) \|", table, re.M)
    assert len(clocks) == len(day.blocks)
    assert all(end == next_start for (_, end), (next_start, _) in zip(clocks, clocks[1:], strict=False))
    assert clocks[0][0] == "09:00"


def test_a_day_that_fits_says_when_it_ends(course):
    quick = uniform(course, 30, 10)  # 4 × 40 + 15 + 10 = 185 min: ends 12:05
    day = agenda.build_agenda(HALF_DAY, quick, agenda.HALF_DAY_END)
    assert not day.demoed and not day.homework and day.end <= day.end_by
    assert f"Ends {agenda.clock(day.end)}" in agenda.agenda_table(day, quick)


def test_a_day_that_runs_over_demos_exercises_from_its_last_chapter_back(course):
    snug = uniform(course, 40, 20)  # 4 × 60 + 25 = 265 min: 13:25 set; 4 × 45 + 25 = 205 min: 12:25 demoed
    day = agenda.build_agenda(HALF_DAY, snug, agenda.HALF_DAY_END)
    all_set = agenda.lay_out(HALF_DAY, snug)
    assert all_set[-1].end > day.end_by, "the case this test is about: every exercise set does not fit"
    assert day.demoed and day.demoed == ["03", "02", "01", "00"][:len(day.demoed)]
    assert day.end <= day.end_by and not day.homework
    table = agenda.agenda_table(day, snug)
    assert f"chapter(s) {', '.join(day.demoed)} are shown as demos" in table
    assert f"{agenda.EXERCISE_DEMO_MIN} (demo)" in table


FULL_DAY_CHAPTERS = ["00", "01", "02", "03", "04", "05", "06"]


def test_a_day_that_does_not_fit_even_with_demos_sends_its_last_chapters_home(course):
    slow = uniform(course, 90, 30)
    day = agenda.build_agenda(FULL_DAY, slow, agenda.FULL_DAY_END)
    assert day.homework and day.homework == FULL_DAY_CHAPTERS[-len(day.homework):], "the last chapters, in order"
    assert day.end <= day.end_by and day.chapters + day.homework == FULL_DAY_CHAPTERS
    table = agenda.agenda_table(day, slow)
    assert "**Not in the day: " in table and "assign them as homework" in table
    assert all(slow[number].link in table for number in day.homework)


def test_a_day_whose_first_chapter_alone_runs_over_says_so(course):
    huge = uniform(course, 300, 30)
    day = agenda.build_agenda(HALF_DAY, huge, agenda.HALF_DAY_END)
    assert day.chapters == ["00"] and day.end > day.end_by
    assert "even its first chapter does not fit" in agenda.agenda_table(day, huge)


def test_the_days_cover_the_chapters(course):
    quick = uniform(course, 10, 5)
    full = agenda.build_agenda(FULL_DAY, quick, agenda.FULL_DAY_END)
    day_two = agenda.build_agenda(DAY_TWO, quick, agenda.FULL_DAY_END)
    assert full.chapters == FULL_DAY_CHAPTERS, "the full day is the core course"
    assert full.chapters + day_two.chapters == list(course), "the two days cover every chapter, in order"
    assert day_two.blocks[-1].label == agenda.WRAP_UP
    assert [block.label for block in full.blocks].count(agenda.LUNCH) == 1
    assert [block.label for block in full.blocks].count(agenda.BREAK) == 2
    half = agenda.build_agenda(HALF_DAY, quick, agenda.HALF_DAY_END)
    assert half.chapters == ["00", "01", "02", "03"]
    assert [block.label for block in half.blocks].count(agenda.BREAK) == 1
    assert half.blocks[-1].label == agenda.WRAP_UP


def test_the_timing_table_keeps_the_row_format_the_guide_uses(small_course):
    write_report(small_course)
    table = agenda.sections(small_course)["timing-table"]
    assert "| [00 · Intro](notebooks/00-intro.ipynb) | 10 min | 5 min | 4 s |" in table
    assert "| [01 · More](notebooks/01-more.ipynb) | 30 min | 15 min | 1 min 00 s |" in table
    assert "| [02 · Part 2](notebooks/02-part-2.ipynb) | 20 min | 10 min | not measured |" in table
    assert "| **together** | **140 min** | **70 min** | **1 min 04 s** |" in table


def test_an_agenda_is_the_course_files_minutes_whatever_the_report(small_course):
    half_day = agenda.sections(small_course)["half-day"]
    assert "| 09:00–09:15 | [00 · Intro](notebooks/00-intro.ipynb) | 10 | 5 | 15 |" in half_day
    write_report(small_course)
    assert agenda.sections(small_course)["half-day"] == half_day, "the minutes already count the cells' run time"


def test_a_chapter_without_a_day_of_the_workshop_is_an_error(small_course):
    course_file = small_course / "dockercourse" / "course.toml"
    course_file.write_text(course_file.read_text() + '[[chapter]]\nnumber = "13"\nslug = "extra"\ntitle = "Extra"\n'
                           'summary = "…"\nteaching = 20\nexercises = 10\n')
    with pytest.raises(ValueError, match="day None"):
        agenda.sections(small_course)


def test_day_two_names_its_chapters_not_written_yet_and_keeps_pauses_between_chapters(small_course):
    assert agenda.sections(small_course)["day-two"] == "No chapter of this day is written yet."
    write_chapter(small_course, "09", "later-9", "Later", 30, 15, day=2, pause_after="lunch")
    day_two = agenda.sections(small_course)["day-two"]
    assert "| 09:00–09:45 | [09 · Later](notebooks/09-later-9.ipynb) | 30 | 15 | 45 |" in day_two
    assert "| 09:45–09:55 | *Wrap-up: questions and feedback* |" in day_two, "no break or lunch before the wrap-up"
    assert "Chapter(s) 07, 08, 10, 11, 12 of this day are not written yet." in day_two


def test_the_hook_fills_known_placeholders_and_rejects_unknown_ones(small_course):
    from mkdocs.exceptions import PluginError

    from dockercourse.tooling import site_hooks

    config = SimpleNamespace(config_file_path=str(small_course / "mkdocs.yml"))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="agenda.md"))
    filled = site_hooks.on_page_markdown("# A\n\n<!-- agenda: half-day -->\n", page, config, files=None)
    assert "| 09:00–09:15 | [00 · Intro](notebooks/00-intro.ipynb) | 10 | 5 | 15 |" in filled
    assert "<!-- agenda" not in filled
    assert site_hooks.on_page_markdown("no placeholder", page, config, files=None) == "no placeholder"
    with pytest.raises(PluginError, match="agenda.md: unknown placeholder"):
        site_hooks.on_page_markdown("<!-- agenda: quarter-day -->", page, config, files=None)


def test_chapter_00_run_alone_counts_with_the_rest(small_course):
    """`make nbval` writes chapter 00's cells to their own report (it runs alone first): both count."""
    alone = small_course / agenda.NBVAL_REPORTS[0]
    alone.parent.mkdir(parents=True, exist_ok=True)
    alone.write_text('<testsuite><testcase classname="notebooks.02-alone.ipynb" name="Cell 0" time="4.0"/></testsuite>')
    measurement = agenda.read_measurement(alone, write_report(small_course))
    assert measurement.seconds == {"02-alone.ipynb": 4.0, "00-intro.ipynb": 3.75, "01-more.ipynb": 60.5}
    assert measurement.hostname == "ci-runner", "the date and host are the parallel run's"


def test_the_hook_counts_the_questions_of_a_page(small_course):
    from dockercourse.tooling import site_hooks

    config = SimpleNamespace(config_file_path=str(small_course / "mkdocs.yml"))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="interview.md"))
    text = '<!-- interview: count --> questions\n\n??? question "A?"\n    a\n\n???+ question "B?"\n    b\n'
    assert site_hooks.on_page_markdown(text, page, config, files=None).startswith("2 questions")


def test_a_chapter_page_keeps_a_link_into_jupyterlab_as_text_and_every_other_link():
    """The site has no JupyterLab to forward /proxy/PORT/ (dockercourse/links.py) or to serve the progress page:
    such a link would be broken."""
    from dockercourse.tooling import site_hooks

    page = SimpleNamespace(file=SimpleNamespace(src_path="notebooks/05-build-and-run.ipynb"))
    html = ('<p>Open <a href="/proxy/8050/">the app</a> or <a href="/user/ada/proxy/8060/hits">hits</a>; '
            'see <a href="../06-compose/">06</a> and <a href="/dockercourse/progress">your progress</a>.</p>')
    shown = site_hooks.on_page_content(html, page, config=None, files=None)
    assert '<p>Open the app or hits; see <a href="../06-compose/">06</a> and your progress.</p>' in shown
    assert shown.endswith("</script></div>")  # the chapter's quiz, last
    assert shown.startswith('<p class="deck-link"><a href="../../slides/05-build-and-run.html">')  # its slides


def test_a_day_cut_short_before_its_lunch_still_has_lunch_between_two_chapters(course):
    slow = uniform(course, 90, 30)
    day = agenda.build_agenda(FULL_DAY, slow, agenda.FULL_DAY_END)
    lunch_after = course[[n for n in FULL_DAY if n in course and course[n].pause_after == "lunch"][0]].number
    assert day.chapters[-1] <= lunch_after, "the case this test is about: the day no longer reaches its lunch"
    labels = [block.label for block in day.blocks]
    assert labels.count(agenda.LUNCH) == 1
    at = labels.index(agenda.LUNCH)
    assert day.blocks[at - 1].chapter and day.blocks[at + 1].chapter, "between two chapters"
    assert abs(day.blocks[at].start - agenda.minutes_of(agenda.LUNCH_AROUND)) <= 90 // 2 + 30
