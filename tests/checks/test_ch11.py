"""Chapter 11's checkers (ship and operate): the judges against written records — the starting point, typical
wrong answers, the chapter's solution and another correct answer — with no engine; and a few engine tests that
prove the observing side.

Every container of an engine test is named and labelled after the test's label (`tests-…`), so it collides
with neither the chapter (course11-…) nor other tests. The rollback's observer is proved against a container
that carries Compose's labels and "digest" files in a temporary directory: it compares names, so no registry
is needed.
"""

import shlex

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch11
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks

NOTEBOOK = REPO_DIR / "notebooks" / "11-ship-and-operate.ipynb"
IMAGE = "python:3.14-slim-trixie"
REGISTRY = "127.0.0.1:8111/sample-app@sha256:"
DIGESTS = {"1.0.0": REGISTRY + "a" * 64, "1.1.0": REGISTRY + "b" * 64, "1.2.0": REGISTRY + "c" * 64}


def solution(number: str) -> list[str]:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return solution_blocks(notebook.cells[exercise.solution].source)


# --- Exercise 11.1 · A release that will not stay up: judged ------------------------------------------

def rollback_record(**changes) -> dict:
    record = {"digests": dict(DIGESTS), "exists": True, "project": "course11", "service": "web",
              "name": "course11-web-1", "image": DIGESTS["1.1.0"], "status": "running", "health": "healthy"}
    return record | changes


def test_11_1_starting_point_runs_the_broken_release():
    verdict = ch11.judge_rollback(rollback_record(image=DIGESTS["1.2.0"], status="restarting", health="starting"))
    assert not verdict and verdict.code == "still-broken"
    assert "1.1.0" not in verdict.hint and "WEB_IMAGE" not in verdict.hint


def test_11_1_solution_passes():
    verdict = ch11.judge_rollback(rollback_record())
    assert verdict and "1.1.0 by its digest" in verdict.message


def test_11_1_another_correct_answer():
    """The digest the registry printed, written without the registry's address: the same content, by digest."""
    assert ch11.judge_rollback(rollback_record(image="sample-app@sha256:" + "b" * 64))


@pytest.mark.parametrize("changes, code", [
    ({"image": "127.0.0.1:8111/sample-app:1.1.0"}, "deployed-by-tag"),
    ({"image": DIGESTS["1.0.0"]}, "wrong-release"),
    ({"image": "127.0.0.1:8111/sample-app@sha256:" + "d" * 64}, "wrong-release"),
    ({"health": "unhealthy"}, "not-healthy"),
    ({"exists": False}, "no-stack"),
    ({"digests": {"1.0.0": DIGESTS["1.0.0"]}}, "no-pipeline"),
])
def test_11_1_wrong_answers_get_their_hint(changes, code):
    verdict = ch11.judge_rollback(rollback_record(**changes))
    assert not verdict and verdict.code == code and verdict.hint


# --- Exercise 11.2 · A log budget: judged -------------------------------------------------------------

def log_record(**changes) -> dict:
    record = {"exists": True, "name": "course11-ex-chatty", "labels": {"dockercourse": "11"}, "driver": "json-file",
              "options": {"max-size": "50k", "max-file": "2"}, "status": "exited",
              "last_line": "019999 " + "x" * 33}
    return record | changes


def test_11_2_starting_point_has_no_container():
    verdict = ch11.judge_log({"exists": False, "name": "course11-ex-chatty"})
    assert not verdict and verdict.code == "no-container" and "max-size" not in verdict.hint


def test_11_2_solution_passes():
    verdict = ch11.judge_log(log_record())
    assert verdict and "100 KB (2 file(s) of 50 KB, json-file)" in verdict.message


def test_11_2_another_correct_answer():
    """The local driver, five files of 20 KB: another way to stay within 100 KB."""
    assert ch11.judge_log(log_record(driver="local", options={"max-size": "20k", "max-file": "5"}))
    assert ch11.judge_log(log_record(options={"max-size": "100k"}))  # one file of 100 KB


@pytest.mark.parametrize("changes, code", [
    ({"options": {}}, "unbounded-log"),
    ({"options": {"max-file": "2"}}, "unbounded-log"),
    ({"options": {"max-size": "50m", "max-file": "2"}}, "over-budget"),
    ({"options": {"max-size": "50k", "max-file": "5"}}, "over-budget"),
    ({"driver": "local", "options": {}}, "over-budget"),
    ({"driver": "none", "options": {}}, "no-log"),
    ({"driver": "syslog"}, "shipping-driver"),
    ({"options": {"max-size": "fifty"}}, "bad-size"),
    ({"last_line": "000000 xxx"}, "wrong-program"),
    ({"labels": {}}, "label-missing"),
])
def test_11_2_wrong_answers_get_their_hint(changes, code):
    verdict = ch11.judge_log(log_record(**changes))
    assert not verdict and verdict.code == code


def test_11_2_sizes_read_as_docker_reads_them():
    assert ch11.size_bytes("50k") == 51200 and ch11.size_bytes("10m") == 10 * 1024 ** 2
    assert ch11.size_bytes("2048") == 2048 and ch11.size_bytes("____") is None


# --- The observing side, against the engine ----------------------------------------------------------

def test_11_2_observe_the_solution(test_label):
    name = f"{test_label}-chatty"
    line = next(line for line in solution("11.2")[0].splitlines() if "docker run" in line)
    words = shlex.split(line.lstrip("!").replace("course11-ex-chatty", name)
                        .replace("dockercourse=11", f"dockercourse={test_label}"))
    docker(*words[1:])
    verdict = ch11.log_within_budget(name, creator=test_label)
    assert verdict, repr(verdict)


def test_11_2_observe_an_unbounded_log(test_label):
    name = f"{test_label}-chatty"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", IMAGE, "python", "-c",
           'print("019999 last")')
    seen = ch11.observe_log(name)
    assert seen["driver"] == "json-file" and seen["last_line"] == "019999 last"
    assert ch11.judge_log(seen, creator=test_label).code == "unbounded-log"


def test_11_1_observe_a_compose_container(test_label, tmp_path):
    docker("run", "-d", "--name", f"{test_label}-web", "--label", f"dockercourse={test_label}",
           "--label", f"com.docker.compose.project={test_label}", "--label", "com.docker.compose.service=web",
           IMAGE, "sleep", "120")
    for version, reference in DIGESTS.items():
        (tmp_path / f"{version}.digest").write_text(reference + "\n")
    seen = ch11.observe_rollback(project=test_label, scratch=tmp_path)
    assert seen["image"] == IMAGE and seen["digests"] == DIGESTS and seen["health"] is None
    assert ch11.judge_rollback(seen).code == "deployed-by-tag"
