"""Fixtures shared by the course's tests."""

import fcntl
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.course import chapter_paths
from dockercourse.engine import docker, require_engine
from dockercourse.progress import DATA_ENV
from dockercourse.resources import remove_labelled

# The checkers the tests call record their verdicts (dockercourse/progress.py): here, not in the learner's log.
os.environ[DATA_ENV] = str(REPO_DIR / "build" / "test-results" / "progress" / "tests")

#: Held by whatever is marked machine_wide, so that under pytest-xdist (tests/harness.py) no two such
#: tests or modules run at the same time, whichever workers they are on.
MACHINE_WIDE_LOCK = REPO_DIR / "build" / "machine-wide.lock"


@contextmanager
def machine_wide():
    MACHINE_WIDE_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with MACHINE_WIDE_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for the test or module that holds it
        yield


def _marked(node: pytest.Item | pytest.Module) -> bool:
    return any(mark.name == "machine_wide" for mark in node.own_markers)


@pytest.fixture(scope="module", autouse=True)
def machine_wide_module(request):
    """A module marked machine_wide (its pytestmark) holds the lock from its first fixture to its last test.
    Autouse: set up before the module's other fixtures (the course image's container, say)."""
    if _marked(request.node):
        with machine_wide():
            yield
    else:
        yield


@pytest.fixture(autouse=True)
def machine_wide_test(request):
    """One test marked machine_wide (in a module that is not: the lock is not re-entrant) holds it while it runs."""
    if _marked(request.node):
        with machine_wide():
            yield
    else:
        yield


@pytest.fixture(scope="session")
def engine():
    """The docker CLI, once an engine answers. A test that talks to the engine asks for this fixture (or one
    built on it): the course's pytest plugin marks it `engine` for that, so `make check` leaves it out."""
    require_engine()
    return docker


@pytest.fixture(scope="session")
def chapters() -> dict[Path, nbformat.NotebookNode]:
    """Every chapter notebook, read once, by path."""
    return {path: nbformat.read(path, as_version=4) for path in chapter_paths()}


def _unique_label() -> str:
    return f"tests-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def module_label(engine) -> str:
    """A label value for the containers a test module shares; whatever carries it is removed at the end."""
    creator = _unique_label()
    yield creator
    remove_labelled(creator)


@pytest.fixture
def test_label(engine) -> str:
    """A label value unique to one test (`dockercourse=tests-…`); whatever carries it is removed afterwards."""
    creator = _unique_label()
    yield creator
    remove_labelled(creator)


SMALL_COURSE = """\
[ports]
base = 8000
per_chapter = 10
lab = 8888
docs = 8800
tests = [8900, 8909]

[agenda]
half_day_until = "03"
"""


def write_chapter(repo: Path, number: str, slug: str, title: str, teaching: int, exercises: int,
                  day: int = 1, pause_after: str | None = None) -> None:
    """A chapter of a small course at `repo`: its notebook (its first cell as a real one has it) and its entry in
    the small course's own course file."""
    first = f"# {number} · {title}\n\n**Questions**\n- …\n\nTeaching {teaching} min · Exercises {exercises} min"
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": first.splitlines(keepends=True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "notebooks").mkdir(parents=True, exist_ok=True)
    (repo / "notebooks" / f"{number}-{slug}.ipynb").write_text(json.dumps(notebook))
    plan_chapter(repo, number, slug, title.split(":")[0], teaching, exercises, day, pause_after)


def plan_chapter(repo: Path, number: str, slug: str, title: str, teaching: int, exercises: int,
                 day: int = 1, pause_after: str | None = None) -> None:
    """A chapter in the small course's course file only: planned, not written yet (no notebook)."""
    course_file = repo / "dockercourse" / "course.toml"
    course_file.parent.mkdir(parents=True, exist_ok=True)
    text = course_file.read_text() if course_file.exists() else SMALL_COURSE
    pause = f'pause_after = "{pause_after}"\n' if pause_after else ""
    course_file.write_text(text + f'''
[[chapter]]
number = "{number}"
slug = "{slug}"
title = "{title}"
summary = "…"
teaching = {teaching}
exercises = {exercises}
day = {day}
{pause}''')


@pytest.fixture
def small_course(tmp_path) -> Path:
    """Seven chapters of day 1 as the real course has them (a break after 01, lunch after 03, a break after 04),
    and day 2's 07–12 planned but not written; the report (write_report) measures only 00 and 01."""
    write_chapter(tmp_path, "00", "intro", "Intro: what this is", 10, 5)
    write_chapter(tmp_path, "01", "more", "More", 30, 15, pause_after="break")
    pauses = {3: "lunch", 4: "break"}
    for number in range(2, 7):
        write_chapter(tmp_path, f"{number:02d}", f"part-{number}", f"Part {number}", 20, 10,
                      pause_after=pauses.get(number))
    for number, pause in ((7, None), (8, "break"), (9, "lunch"), (10, "break"), (11, None), (12, None)):
        plan_chapter(tmp_path, f"{number:02d}", f"later-{number}", f"Later {number}", 30, 15, day=2, pause_after=pause)
    return tmp_path
