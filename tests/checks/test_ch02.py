"""Chapter 02's checkers against the reference solution (must pass) and typical wrong answers (must fail,
with the hint that helps). Every case runs against the real engine: the checkers read `docker diff` and
`docker inspect`, not a stored answer."""

import subprocess
import time
import uuid

import pytest

from dockercourse.checks import ch02
from dockercourse.images import manifest_image
from dockercourse.resources import remove_labelled

PYTHON_IMAGE = manifest_image("python").name
# Deterministic stand-in for the notebook's mystery script: changes one file of the image, adds two, deletes one.
MYSTERY = ("echo '# tuned' >> /etc/motd && mkdir -p /opt/tool && echo 'debug = true' > /opt/tool/settings.toml"
           " && rm /etc/issue.net && echo ready && sleep 600")


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def mystery() -> str:
    """A running container that has made its changes; removed (by its own label) after the module."""
    creator = f"tests-{uuid.uuid4().hex[:8]}"
    name = f"{creator}-mystery"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={creator}", PYTHON_IMAGE, "sh", "-c", MYSTERY)
    deadline = time.monotonic() + 30
    while "ready" not in docker("logs", name).stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    yield name
    remove_labelled(creator)


@pytest.mark.engine
def test_changed_file_reference_solution_passes(mystery):
    diff = docker("diff", mystery).stdout.splitlines()
    changes = {line[2:]: line[0] for line in diff}
    answer = [path for path, kind in changes.items()
              if kind == "C" and not any(other.startswith(path + "/") for other in changes)][0]
    assert answer == "/etc/motd"
    verdict = ch02.changed_file(answer, container=mystery)
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓")
    assert ch02.changed_file(["/etc/motd"], container=mystery), "a one-item list is accepted too"


@pytest.mark.engine
@pytest.mark.parametrize("answer, hint", [
    ("", "set answer to a path"),
    ("C /etc/motd", "the path only: '/etc/motd'"),
    ("etc/motd", "as docker diff prints it"),
    ("/etc", "the deepest C path"),
    ("/opt/tool/settings.toml", "a C line"),
    ("/etc/issue.net", "a C line"),
    ("/etc/hostname", "look at the lines that start with C"),
    (["/etc/motd", "/opt/tool/settings.toml"], "answer with one path"),
])
def test_changed_file_wrong_answers_fail_with_a_hint(mystery, answer, hint):
    verdict = ch02.changed_file(answer, container=mystery)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)
    assert repr(verdict).startswith("✗")


@pytest.mark.engine
def test_changed_file_without_the_container_says_to_run_the_setup():
    verdict = ch02.changed_file("/etc/motd", container=f"tests-{uuid.uuid4().hex[:8]}-absent")
    assert not verdict
    assert "exercise's first cell" in verdict.hint


def run_retry(test_label: str, *options: str, code: int = 3) -> str:
    """Run a container that exits with `code`, with the given restart options; return its name."""
    name = f"{test_label}-retry"
    docker("run", "-d", "--name", name, *options, "--label", f"dockercourse={test_label}",
           PYTHON_IMAGE, "python", "-c", f"raise SystemExit({code})")
    return name


@pytest.mark.engine
def test_restarted_exactly_reference_solution_passes(test_label):
    name = run_retry(test_label, "--restart", "on-failure:3")
    verdict = ch02.restarted_exactly(name, times=3, creator=test_label)
    assert verdict, repr(verdict)
    assert "RestartCount 3" in verdict.message


@pytest.mark.engine
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
def test_restarted_exactly_wrong_answers_fail_with_a_hint(test_label, options, code, hint):
    name = run_retry(test_label, *options, code=code)
    verdict = ch02.restarted_exactly(name, times=3, creator=test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


@pytest.mark.engine
def test_restarted_exactly_needs_the_container_and_its_label(test_label):
    absent = ch02.restarted_exactly(f"{test_label}-absent", creator=test_label)
    assert not absent and "--name" in absent.hint
    name = run_retry(test_label, "--restart", "on-failure:3")
    unlabelled = ch02.restarted_exactly(name, creator="02")
    assert not unlabelled and "--label dockercourse=02" in unlabelled.hint
