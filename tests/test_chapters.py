"""dockercourse/chapters.py: each chapter's number, title, minutes and ports, read from its notebook."""

import json

import pytest

from dockercourse.chapters import Chapter, read_chapters


def test_chapters_come_from_the_first_cell(small_course):
    chapters = read_chapters(small_course)
    assert list(chapters) == ["00", "01", "02", "03", "04", "05", "06"]
    assert chapters["00"] == Chapter("00", "Intro", "notebooks/00-intro.ipynb", 10, 5), "subtitle dropped"
    assert chapters["01"].link == "[01 · More](notebooks/01-more.ipynb)"


def test_a_chapter_without_minutes_is_an_error(small_course):
    (small_course / "notebooks" / "02-bad.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# 02 · Bad\n"}]}))
    with pytest.raises(ValueError, match="02-bad.ipynb"):
        read_chapters(small_course)


def test_a_chapter_knows_its_ports(small_course):
    assert read_chapters(small_course)["01"].ports == range(8010, 8020)
