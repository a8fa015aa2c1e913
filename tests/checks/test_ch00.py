"""Chapter 00's checkers: what they say to the notebook's starting points (the stored hints) and to
typical wrong answers (each fails with the hint that helps). The solutions themselves are proved by
`make nbval`, which solves each exercise in the chapter against the real engine."""

import platform
import socket

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch00
from dockercourse.manifest import manifest_image
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name


def test_python_version_starting_point_gets_its_hint(engine, test_label):
    """Exercise 0.1's stub: COMMAND still in place of the command."""
    answer = captured("docker", "run", "--rm", "--label", f"{LABEL}={test_label}", PYTHON_IMAGE, "COMMAND")
    verdict = ch00.python_version_in_container(answer)
    assert not verdict
    assert repr(verdict).startswith("✗") and "hint: replace COMMAND" in repr(verdict)


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the command's output"),
    ([f"Python {platform.python_version()}"], "run the command inside a container"),
    (["Python 3.9.18"], f"use the image from the manifest: {PYTHON_IMAGE}"),
    (["Unable to find image 'pyhton:3.13-slim-trixie' locally"], "use the manifest's name exactly"),
    (["docker: invalid reference format: repository name (library/IMAGE) must be lowercase"],
     "use the manifest's name exactly"),
    (["/usr/bin/python3"], "should be `python --version`"),
    (['docker: Error response from daemon: failed to create task for container: … exec: "pyhton": '
      'executable file not found in $PATH'], "should be `python --version`"),
])
def test_python_version_wrong_answers_fail_with_a_hint(answer, hint):
    verdict = ch00.python_version_in_container(answer)
    assert not verdict
    assert hint in verdict.hint
    assert repr(verdict).startswith("✗")


def test_hostname_starting_point_gets_its_hint():
    """Exercise 0.2's stub: `answer2 = !hostname`, on the host; the hint names no machine."""
    verdict = ch00.container_hostname(captured("hostname"))
    assert not verdict
    assert "run `hostname` inside a container" in verdict.hint
    assert socket.gethostname() not in repr(verdict)


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the output"),
    ([socket.gethostname()], "run `hostname` inside a container"),
    (["docker: invalid reference format."], "should be just `hostname`"),
])
def test_hostname_wrong_answers_fail_with_a_hint(answer, hint):
    verdict = ch00.container_hostname(answer)
    assert not verdict
    assert hint in verdict.hint


def test_hostname_set_with_the_option_passes():
    assert ch00.container_hostname(["web-1"])
