"""Chapter 11's checkers (ship and operate) against the starting points, typical wrong answers and the
reference solutions.

Every container is named and labelled after the test's label (`tests-…`), so it collides with
neither the chapter (course11-…) nor other tests, and the fixture removes it afterwards. The
digest exercise is checked against a container that carries Compose's labels, with "digest" files
in a temporary directory: the checker compares names, so no registry is needed.
"""

import re
import shlex

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch11
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises

NOTEBOOK = REPO_DIR / "notebooks" / "11-ship-and-operate.ipynb"
IMAGE = "python:3.13-slim-trixie"


def starting_point(number: str) -> str:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return notebook.cells[exercise.stubs[0]].source


def chatty(name: str, label: str, *options: str) -> None:
    """The exercise's chatty container, with its log options, under the test's name and label."""
    docker("run", "-d", "--name", name, "--label", f"dockercourse={label}", *options, IMAGE,
           "python", "-c", 'for i in range(20000): print(f"{i:06d} " + "x" * 93)', check=False)


# --- Exercise 11.1 -----------------------------------------------------------------------------

def test_log_capped_without_a_container_says_to_run_the_cell():
    verdict = ch11.log_capped("tests-no-such-container", creator="tests-none")
    assert not verdict and "max-size=50k, max-file=2" in verdict.hint and repr(verdict).startswith("✗")


def test_log_capped_starting_point_gets_its_hint(engine, test_label):
    name = f"{test_label}-chatty"
    command = re.sub(r"\\\n\s*", "", starting_point("11.1").split("!docker run", 1)[1])
    words = shlex.split(command.replace("course11-ex-chatty", name).replace("dockercourse=11",
                                                                             f"dockercourse={test_label}"))
    docker("run", *words, check=False)  # the blanks make the run fail, after the container was created
    verdict = ch11.log_capped(name, creator=test_label)
    assert not verdict and "not a size" in verdict.message and f"docker rm -f {name}" in verdict.hint


@pytest.mark.parametrize("options, message, hint", [
    ([], "no max-size: its log grows without limit", "--log-opt max-size=50k --log-opt max-file=2"),
    (["--log-opt", "max-size=50m", "--log-opt", "max-file=2"], "more than 50 KB", "max-size=50k"),
    (["--log-opt", "max-size=50k", "--log-opt", "max-file=5"], "keeps up to 5 files", "max-file=2"),
])
def test_log_capped_wrong_answers_get_hints(engine, test_label, options, message, hint):
    name = f"{test_label}-chatty"
    chatty(name, test_label, *options)
    verdict = ch11.log_capped(name, creator=test_label)
    assert not verdict and message in verdict.message and hint in verdict.hint


def test_log_capped_unlabelled_container_gets_the_label_hint(engine, test_label):
    name = f"{test_label}-chatty"
    chatty(name, "other")
    try:
        verdict = ch11.log_capped(name, creator=test_label)
        assert not verdict and "--label dockercourse=" in verdict.hint
    finally:
        docker("rm", "-f", name, check=False)


def test_log_capped_reference_passes(engine, test_label):
    name = f"{test_label}-chatty"
    chatty(name, test_label, "--log-opt", "max-size=50k", "--log-opt", "max-file=2")
    verdict = ch11.log_capped(name, creator=test_label)
    assert verdict, repr(verdict)
    assert "capped at 2 × 50k" in verdict.message and repr(verdict).startswith("✓")


# --- Exercise 11.2 -----------------------------------------------------------------------------

def test_deployed_digest_without_the_pipeline_says_to_run_it(tmp_path):
    verdict = ch11.deployed_digest("1.1.0", project="tests-none", scratch=tmp_path)
    assert not verdict and "section 2.5" in verdict.hint


def test_deployed_digest_without_a_stack_says_to_bring_it_up(engine, tmp_path):
    (tmp_path / "1.1.0.digest").write_text("127.0.0.1:8111/sample-app@sha256:" + "b" * 64 + "\n")
    verdict = ch11.deployed_digest("1.1.0", project="tests-none", scratch=tmp_path)
    assert not verdict and "up -d --wait" in verdict.hint


def test_deployed_digest_wrong_answers_and_reference(engine, test_label, tmp_path):
    docker("run", "-d", "--name", f"{test_label}-web", "--label", f"dockercourse={test_label}",
           "--label", f"com.docker.compose.project={test_label}", "--label", "com.docker.compose.service=web",
           IMAGE, "sleep", "120")
    (tmp_path / "1.1.0.digest").write_text("127.0.0.1:8111/sample-app@sha256:" + "b" * 64 + "\n")
    verdict = ch11.deployed_digest("1.1.0", project=test_label, scratch=tmp_path)
    assert not verdict and "a tag, not a digest" in verdict.message  # the container runs IMAGE, a tag

    (tmp_path / "1.0.0.digest").write_text(IMAGE + "\n")  # what runs counts as the old version
    verdict = ch11.deployed_digest("1.1.0", project=test_label, scratch=tmp_path)
    assert not verdict and "still runs 1.0.0's digest" in verdict.message and "1.1.0.digest" in verdict.hint

    (tmp_path / "1.1.0.digest").write_text(IMAGE + "\n")  # now what runs is the wanted one
    verdict = ch11.deployed_digest("1.1.0", project=test_label, scratch=tmp_path)
    assert verdict, repr(verdict)
