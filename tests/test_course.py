"""dockercourse/course.py: the course file's chapters and ports."""

import pytest

from dockercourse.course import Chapter, chapter_ports, planned_chapters, read_chapters
from tests.conftest import plan_chapter


def test_the_chapters_are_the_course_files_with_a_notebook(small_course):
    chapters = read_chapters(small_course)
    assert list(chapters) == ["00", "01", "02", "03", "04", "05", "06"], "07–12 are planned, not written"
    assert chapters["00"] == Chapter("00", "intro", "Intro", "…", 10, 5, day=1), "the title without its subtitle"
    assert chapters["01"].link == "[01 · More](notebooks/01-more.ipynb)"
    assert chapters["01"].pause_after == "break"
    assert list(planned_chapters(small_course))[-1] == "12"


def test_an_unknown_flag_pause_or_day_is_an_error(small_course):
    plan_chapter(small_course, "13", "odd", "Odd", 10, 5, day=3)
    with pytest.raises(ValueError, match="chapter 13: .* day 3"):
        planned_chapters(small_course)


def test_a_chapter_knows_its_ports(small_course):
    assert read_chapters(small_course)["01"].ports == range(8010, 8020) == chapter_ports(1)
