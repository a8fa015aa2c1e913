"""Chapter 02's checkers against their starting points (each must fail with its hint), typical wrong
answers (must fail, with the hint that helps) and right answers (must pass). Every case runs against the
real engine: the checkers read `docker diff` and `docker inspect`, not a stored answer. The notebook's own
solutions are proved by `make nbval`, which solves each exercise in the chapter."""

import shlex
import time

import nbformat
import pytest

from dockercourse import LABEL
from dockercourse.checks import ch02
from dockercourse.course import chapter_paths
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises
from dockercourse.manifest import manifest_image

PYTHON_IMAGE = manifest_image("python").name
# Deterministic stand-in for the notebook's mystery script: changes one file of the image, adds two, deletes one.
MYSTERY = ("echo '# tuned' >> /etc/motd && mkdir -p /opt/tool && echo 'debug = true' > /opt/tool/settings.toml"
           " && rm /etc/issue.net && echo ready && sleep 600")


def starting_point(number: str) -> str:
    """The source of exercise `number`'s starting point, as chapter 02 stores it."""
    path = next(path for path in chapter_paths() if path.name.startswith("02-"))
    notebook = nbformat.read(path, as_version=4)
    exercise = next(exercise for exercise in find_exercises(notebook) if exercise.number == number)
    (stub,) = exercise.stubs
    return notebook.cells[stub].source


@pytest.fixture(scope="module")
def mystery(module_label) -> str:
    """A running container that has made its changes; removed (by the module's label) after the module."""
    name = f"{module_label}-mystery"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={module_label}", PYTHON_IMAGE, "sh", "-c", MYSTERY)
    deadline = time.monotonic() + 30
    while "ready" not in docker("logs", name).stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    return name


def test_changed_file_starting_point_gets_its_hint(engine, mystery):
    stub = starting_point("2.1")
    assert "answer = None" in stub, "the starting point leaves the answer open"
    verdict = ch02.changed_file(None, container=mystery)
    assert not verdict
    assert repr(verdict).startswith("✗ answer is still None")
    assert f"`docker diff {mystery}` that start with C" in verdict.hint, repr(verdict)


def test_changed_file_accepts_the_changed_file(engine, mystery):
    verdict = ch02.changed_file("/etc/motd", container=mystery)
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓")
    assert ch02.changed_file(["/etc/motd"], container=mystery), "a one-item list is accepted too"


@pytest.mark.parametrize("answer, hint", [
    ("", "set answer to its path"),
    ("C /etc/motd", "the path only: '/etc/motd'"),
    ("etc/motd", "as docker diff prints it"),
    ("/etc", "the deepest C path"),
    ("/opt/tool/settings.toml", "a C line"),
    ("/etc/issue.net", "a C line"),
    ("/etc/hostname", "look at the lines that start with C"),
    (["/etc/motd", "/opt/tool/settings.toml"], "answer with one path"),
])
def test_changed_file_wrong_answers_fail_with_a_hint(engine, mystery, answer, hint):
    verdict = ch02.changed_file(answer, container=mystery)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)
    assert repr(verdict).startswith("✗")


def test_changed_file_without_the_container_says_to_run_the_setup(engine, test_label):
    verdict = ch02.changed_file("/etc/motd", container=f"{test_label}-absent")
    assert not verdict
    assert "exercise's first cell" in verdict.hint


def run_retry(test_label: str, *options: str, code: int = 3) -> str:
    """Run a container that exits with `code`, with the given restart options; return its name."""
    name = f"{test_label}-retry"
    docker("run", "-d", "--name", name, *options, "--label", f"{LABEL}={test_label}",
           PYTHON_IMAGE, "python", "-c", f"raise SystemExit({code})")
    return name


def test_restarted_exactly_starting_point_creates_nothing_and_gets_its_hint(engine, test_label):
    """The stub's command, with this test's name and label: the blank policy makes docker run fail."""
    stub = starting_point("2.2")
    command = " ".join(line.strip().lstrip("!").rstrip("\\") for line in stub.splitlines()
                       if line.strip() and not line.lstrip().startswith("#"))
    command = command.replace("c02-retry", f"{test_label}-retry").replace(f"{LABEL}=02", f"{LABEL}={test_label}")
    assert command.startswith("docker run ") and "--restart ____" in command, command
    ran = docker(*shlex.split(command)[1:], check=False)
    assert ran.returncode != 0 and "invalid restart policy" in ran.stderr, ran.stderr
    verdict = ch02.restarted_exactly(f"{test_label}-retry", creator=test_label)
    assert not verdict
    assert "fill in the blank after --restart" in verdict.hint, repr(verdict)


@pytest.mark.parametrize("options, code, hint", [
    ((), 3, "add --restart on-failure:3"),
    (("--restart", "no"), 3, "add --restart on-failure:3"),
    (("--restart", "always"), 3, "it gives up after 3 restarts"),
    (("--restart", "unless-stopped"), 3, "it gives up after 3 restarts"),
    (("--restart", "on-failure:2"), 3, "use --restart on-failure:3"),
    (("--restart", "on-failure"), 3, "use --restart on-failure:3"),
    (("--restart", "on-failure:3"), 0, "make it fail"),
    (("--restart", "on-failure:3"), 1, "raise SystemExit(3)"),
])
def test_restarted_exactly_wrong_answers_fail_with_a_hint(engine, test_label, options, code, hint):
    name = run_retry(test_label, *options, code=code)
    verdict = ch02.restarted_exactly(name, times=3, creator=test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_restarted_exactly_needs_the_label(engine, test_label):
    name = run_retry(test_label, "--restart", "on-failure:3")
    unlabelled = ch02.restarted_exactly(name, creator="02")
    assert not unlabelled and f"--label {LABEL}=02" in unlabelled.hint
