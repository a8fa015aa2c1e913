"""Each exercise checker against the reference solution (must pass) and typical wrong answers
(must fail, with the hint that helps). The reference solutions run against the real engine."""

import platform
import socket

import pytest

from dockercourse.checks import ch00
from dockercourse.images import manifest_image
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name


@pytest.mark.engine
def test_python_version_reference_solution_passes(test_label):
    answer = captured("docker", "run", "--rm", "--label", f"dockercourse={test_label}", PYTHON_IMAGE,
                      "python", "--version")
    verdict = ch00.python_version_in_container(answer)
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓")


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the command's output"),
    ([f"Python {platform.python_version()}"], "run the command inside a container"),
    (["Python 3.9.18"], f"use the image from the manifest: {PYTHON_IMAGE}"),
    (["Unable to find image 'pyhton:3.13-slim-trixie' locally"], "use the manifest's name exactly"),
    (["/usr/bin/python3"], "should be `python --version`"),
])
def test_python_version_wrong_answers_fail_with_a_hint(answer, hint):
    verdict = ch00.python_version_in_container(answer)
    assert not verdict
    assert hint in verdict.hint
    assert repr(verdict).startswith("✗")


@pytest.mark.engine
def test_hostname_reference_solution_passes(test_label):
    answer = captured("docker", "run", "--rm", "--label", f"dockercourse={test_label}", PYTHON_IMAGE, "hostname")
    verdict = ch00.container_hostname(answer)
    assert verdict, repr(verdict)
    assert "short ID" in verdict.message


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the output"),
    ([socket.gethostname()], "run `hostname` inside a container"),
    (["docker: invalid reference format."], "should be just `hostname`"),
])
def test_hostname_wrong_answers_fail_with_a_hint(answer, hint):
    verdict = ch00.container_hostname(answer)
    assert not verdict
    assert hint in verdict.hint
