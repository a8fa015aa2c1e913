"""Chapter 00's checkers: the judges against hand-written records (the starting points, typical wrong answers,
the chapter's solutions and other correct answers), with no engine; then a few tests that prove the observing
side against the real engine. `make nbval` solves each exercise in the chapter itself."""

import json
import platform

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch00
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name

# --- Exercise 0.1 · a report on the engine ---------------------------------------------------------------

#: This course's machine: an older client first on PATH, the engine on the same Linux machine as the notebook.
ON_LINUX = {"server_version": "28.5.2+dfsg4", "operating_system": "Debian GNU/Linux 12 (bookworm)", "cpus": 2,
            "memory_bytes": 25_324_953_600, "client_version": "28.2.2", "notebook_system": "Linux",
            "notebook_cpus": 2, "notebook_memory_bytes": 25_324_953_600}
#: A Mac with Docker Desktop: the engine runs in a VM with part of the Mac's CPUs and half its memory.
ON_DESKTOP = {"server_version": "29.1.3", "operating_system": "Docker Desktop", "cpus": 8,
              "memory_bytes": 8_219_951_104, "client_version": "29.1.3", "notebook_system": "Darwin",
              "notebook_cpus": 12, "notebook_memory_bytes": 34_359_738_368}


def report(seen: dict, **changes) -> dict:
    """The solution's report for `seen` (the engine's own values), with some values changed."""
    answer = {key: seen[key] for key in ch00.REPORT_KEYS}
    return {**answer, **changes}


def test_0_1_starting_point_gets_its_hint():
    verdict = ch00.judge_engine_report(ON_LINUX, None)
    assert not verdict and verdict.code == "report-missing"
    assert "section 1" in verdict.hint and "info" not in verdict.hint.split()


@pytest.mark.parametrize("seen", [ON_LINUX, ON_DESKTOP], ids=["linux", "desktop"])
def test_0_1_the_solution_passes(seen):
    assert ch00.judge_engine_report(seen, report(seen))


def test_0_1_another_correct_answer():
    """Read from `docker info`'s text instead of its JSON: 'Total Memory: 7.655GiB' converted back to bytes is
    a rounded figure, and the CPUs parsed from 'CPUs: 8'."""
    text_memory = round(7.655 * 2**30)
    assert ch00.judge_engine_report(ON_DESKTOP, report(ON_DESKTOP, memory_bytes=text_memory, cpus=int("8")))


@pytest.mark.parametrize("changes, code", [
    ({"server_version": "28.2.2"}, "client-version"),
    ({"server_version": "28.5.2"}, "server-version-wrong"),
    ({"operating_system": "Linux"}, "notebook-system"),
    ({"operating_system": "Debian"}, "operating-system-wrong"),
    ({"cpus": "2"}, "cpus-as-text"),
    ({"cpus": 4}, "cpus-wrong"),
    ({"memory_bytes": 23.59}, "memory-not-in-bytes"),
    ({"memory_bytes": "23.59GiB"}, "memory-not-a-number"),
    ({"memory_bytes": 2**30}, "memory-wrong"),
    ({"cpus": None}, "report-incomplete"),
])
def test_0_1_wrong_values_fail_with_their_hint(changes, code):
    verdict = ch00.judge_engine_report(ON_LINUX, report(ON_LINUX, **changes))
    assert not verdict and verdict.code == code, verdict


@pytest.mark.parametrize("changes, code", [
    ({"cpus": 12}, "notebook-cpus"),
    ({"memory_bytes": 34_359_738_368}, "notebook-memory"),
    ({"operating_system": "Darwin"}, "notebook-system"),
])
def test_0_1_facts_of_the_notebooks_machine_fail_under_docker_desktop(changes, code):
    verdict = ch00.judge_engine_report(ON_DESKTOP, report(ON_DESKTOP, **changes))
    assert not verdict and verdict.code == code, verdict
    assert "Docker Desktop" in verdict.hint or "engine" in verdict.hint


@pytest.mark.parametrize("answer", [["28.5.2"], {"version": "28.5.2+dfsg4"}, {**report(ON_LINUX), "extra": 1}])
def test_0_1_a_report_of_another_shape_fails_with_the_keys(answer):
    verdict = ch00.judge_engine_report(ON_LINUX, answer)
    assert not verdict and verdict.code == "report-keys"


def test_0_1_no_engine_says_so():
    verdict = ch00.judge_engine_report({**ON_LINUX, "server_version": None}, None)
    assert not verdict and verdict.code == "no-engine"


def test_0_1_the_observation_is_what_the_engine_reports(engine):
    seen = ch00.observe_engine_report()
    info = json.loads(docker("info", "--format", "{{json .}}").stdout)
    assert (seen["server_version"], seen["cpus"], seen["memory_bytes"]) == \
        (info["ServerVersion"], info["NCPU"], info["MemTotal"])
    assert seen["notebook_system"] == platform.system()
    assert ch00.engine_report({key: seen[key] for key in ch00.REPORT_KEYS})


# --- Exercise 0.2 · who holds the port? -------------------------------------------------------------------

HOLDER, BYSTANDER = ch00.HOLDER, ch00.BYSTANDER
STARTING_POINT = {"port": 8001, "publishers": [HOLDER], "taken": True,
                  "containers": {HOLDER: "running", BYSTANDER: "running"}}


def port_seen(**changes) -> dict:
    return {**STARTING_POINT, **changes}


def test_0_2_starting_point_gets_its_hint():
    verdict = ch00.judge_port(STARTING_POINT)
    assert not verdict and verdict.code == "port-still-published"
    assert HOLDER not in repr(verdict), "the hint names the port, not the container that holds it"


def test_0_2_the_solution_passes():
    """`docker rm -f tutorial-api-1`: the holder is gone, the port free, the other container still runs."""
    verdict = ch00.judge_port(port_seen(publishers=[], taken=False, containers={HOLDER: None, BYSTANDER: "running"}))
    assert verdict and "removed" in verdict.message


def test_0_2_another_correct_answer():
    """`docker stop tutorial-api-1` (or `docker kill`): the container stays, stopped, and the port is free."""
    verdict = ch00.judge_port(port_seen(publishers=[], taken=False,
                                        containers={HOLDER: "stopped", BYSTANDER: "running"}))
    assert verdict and "stopped" in verdict.message


@pytest.mark.parametrize("seen, code", [
    (port_seen(containers={HOLDER: "running", BYSTANDER: None}), "port-still-published"),      # the wrong one
    (port_seen(publishers=[], taken=False, containers={HOLDER: None, BYSTANDER: None}), "bystander-stopped"),
    (port_seen(publishers=[], taken=False, containers={HOLDER: None, BYSTANDER: "stopped"}), "bystander-stopped"),
    (port_seen(publishers=[], taken=True, containers={HOLDER: None, BYSTANDER: "running"}),
     "port-held-outside-docker"),
])
def test_0_2_wrong_repairs_fail_with_their_hint(seen, code):
    verdict = ch00.judge_port(seen)
    assert not verdict and verdict.code == code, verdict


def test_0_2_the_observation_finds_the_holder_and_the_bystander(test_label):
    """Two containers on ports the engine picks: the observation names the one that publishes the port asked
    about, and knows the other runs."""
    holder, bystander = f"{test_label}-api", f"{test_label}-web"
    for name in (holder, bystander):
        docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", "-p", "8000", PYTHON_IMAGE,
               "python", "-m", "http.server", "8000")
    port = int(docker("port", holder, "8000/tcp").stdout.splitlines()[0].rsplit(":", 1)[1])
    seen = ch00.observe_port(port, holder, bystander)
    assert seen["publishers"] == [holder] and seen["taken"]
    assert seen["containers"] == {holder: "running", bystander: "running"}
    docker("stop", "--time", "1", holder)
    after = ch00.observe_port(port, holder, bystander)
    assert after["publishers"] == [] and after["containers"][holder] == "stopped"
    assert ch00.judge_port(after, holder, bystander)


# --- Exercise 0.3 · which Python is in the container? -----------------------------------------------------

ON_IMAGE = {"image_python": "3.14", "notebook_python": "3.11"}
BLANK_RUN = ['docker: Error response from daemon: failed to create task for container: failed to create shim task: '
             'OCI runtime create failed: runc create failed: unable to start container process: error during '
             'container init: exec: "____": executable file not found in $PATH: unknown']


def test_0_3_starting_point_gets_its_hint():
    verdict = ch00.judge_python_version(ON_IMAGE, BLANK_RUN)
    assert not verdict and verdict.code == "blank-still-there"
    assert "--version" not in verdict.hint


def test_0_3_the_solution_passes():
    assert ch00.judge_python_version(ON_IMAGE, ["Python 3.14.8"])


def test_0_3_another_correct_answer():
    """`python -c "import sys; print(sys.version)"` in the container."""
    assert ch00.judge_python_version(ON_IMAGE, ["3.14.8 (main, Oct  1 2026, 19:55:55) [GCC 16.2.0]"])


@pytest.mark.parametrize("answer, code", [
    ([], "answer-empty"),
    (["Python 3.11.7"], "notebook-python"),
    (["Python 3.13.5"], "other-image"),
    (["/usr/bin/python3"], "no-version"),
    (['docker: Error response from daemon: … exec: "pyhton": executable file not found in $PATH'], "no-such-program"),
    (["Unable to find image 'pyhton:3.14-slim-trixie' locally"], "no-such-image"),
])
def test_0_3_wrong_answers_fail_with_their_hint(answer, code):
    verdict = ch00.judge_python_version(ON_IMAGE, answer)
    assert not verdict and verdict.code == code, verdict


def test_0_3_the_starting_point_is_what_docker_says_to_the_blank(test_label):
    answer = captured("docker", "run", "--rm", "--label", f"{LABEL}={test_label}", PYTHON_IMAGE, "____")
    assert ch00.python_version_in_container(answer).code == "blank-still-there"


def test_0_3_the_observation_reads_the_manifest_and_this_python():
    seen = ch00.observe_python_version()
    assert PYTHON_IMAGE.startswith(f"python:{seen['image_python']}-")
    assert seen["notebook_python"] == ".".join(platform.python_version_tuple()[:2])
