"""Chapter 05's checkers against the reference solutions (must pass) and typical wrong answers (must
fail, with the hint that helps). The engine cases build the sample app and run it on free host ports."""

import json
import socket
import subprocess
import uuid

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.checks import ch05
from dockercourse.images import manifest_image
from dockercourse.resources import remove_labelled
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name
MODULE_CREATOR = f"tests-05-{uuid.uuid4().hex[:6]}"
IMAGE = f"course05-test/sample-app:{MODULE_CREATOR}"
MYSTERY = f"{MODULE_CREATOR}-mystery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def image():
    """The reference image, built once for the module with its own label, removed at the end."""
    subprocess.run(["docker", "build", "--quiet", "--label", f"{LABEL}={MODULE_CREATOR}", "-t", IMAGE,
                    str(REPO_DIR / "sample_app")], check=True, capture_output=True)
    yield IMAGE
    remove_labelled(MODULE_CREATOR)


# --- Exercise 5.1 ---------------------------------------------------------------------------------

@pytest.mark.engine
def test_app_answers_on_port_reference_solution_passes(image, test_label):
    port = free_port()
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", "-p", f"{port}:8000",
                 "-e", "APP_VERSION=1.0.0", image)
    verdict = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter=test_label)
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓")


@pytest.mark.parametrize("answer, hint", [
    ([], "capture docker's output"),
    (["docker: Error response from daemon: driver failed programming external connectivity on endpoint x "
      "(abc): Bind for 0.0.0.0:8058 failed: port is already allocated"], "`docker ps` shows which container"),
    (["0171d8ec4b5c573387c5de00c706146792874a388f53acab43c2ab8c8d973d5d",
      'docker: Error response from daemon: failed to create task for container: failed to create shim task: '
      'OCI runtime create failed: runc create failed: unable to start container process: exec: "-e": '
      'executable file not found in $PATH: unknown'], "go before the image name"),
    (['docker: Error response from daemon: Conflict. The container name "/ch05-ex1" is already in use by '
      'container "0171d8ec4b5c". You have to remove (or rename) that container to be able to reuse that name.'],
     "docker rm -f NAME"),
    (["Unable to find image 'course05/sample-app:1.0.1' locally"], "docker image ls course05/sample-app"),
    (["Hello from the container"], "detached (-d)"),
])
def test_app_answers_on_port_docker_errors_fail_with_a_hint(answer, hint):
    verdict = ch05.app_answers_on_port(answer)
    assert not verdict
    assert hint in verdict.hint
    assert repr(verdict).startswith("✗")


@pytest.mark.engine
@pytest.mark.parametrize("options, hint", [
    (["-p", "{port}:8000"], "-e APP_VERSION=1.0.0"),
    (["-p", "{other}:{port}", "-e", "APP_VERSION=1.0.0"], "the host's port first"),
    (["-p", "{other}:8000", "-e", "APP_VERSION=1.0.0"], "-p {port}:8000"),
    (["-e", "APP_VERSION=1.0.0"], "EXPOSE in the Dockerfile only documents"),
    (["-p", "{port}:8000", "-e", "APP_VERSION=1.0.0", "-e", "PORT=eighty"], "docker logs"),
], ids=["version not set", "ports reversed", "wrong host port", "not published", "exits at once"])
def test_app_answers_on_port_wrong_runs_fail_with_a_hint(image, test_label, options, hint):
    port, other = free_port(), free_port()
    options = [option.format(port=port, other=other) for option in options]
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", *options, image)
    verdict = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter=test_label,
                                         timeout=5)
    assert not verdict, repr(verdict)
    assert hint.format(port=port) in verdict.hint, repr(verdict)


@pytest.mark.engine
def test_app_answers_on_port_loopback_bind_fails_with_a_hint(image, test_label):
    port = free_port()
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", "-p", f"{port}:8000",
                 "-e", "APP_VERSION=1.0.0", image,
                 "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:8000", "app:create_app()")
    verdict = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter=test_label,
                                         timeout=5)
    assert not verdict, repr(verdict)
    assert "binds 0.0.0.0" in verdict.hint


@pytest.mark.engine
def test_app_answers_on_port_wants_the_label_and_the_image(image, test_label):
    port = free_port()
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", "-p", f"{port}:8000",
                 "-e", "APP_VERSION=1.0.0", image)
    unlabelled = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter="05")
    assert not unlabelled and f"--label {LABEL}=05" in unlabelled.hint
    other_image = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=PYTHON_IMAGE,
                                             chapter=test_label)
    assert not other_image and PYTHON_IMAGE in other_image.hint


# --- Exercise 5.2 ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mystery(image):
    """The exercise's container: WEB_CONCURRENCY=auto makes gunicorn fail with a traceback at start."""
    subprocess.run(["docker", "run", "-d", "--name", MYSTERY, "--label", f"{LABEL}={MODULE_CREATOR}",
                    "-e", "WEB_CONCURRENCY=auto", image], check=True, capture_output=True)
    subprocess.run(["docker", "wait", MYSTERY], check=True, capture_output=True, timeout=60)
    return MYSTERY


@pytest.mark.engine
def test_diagnosed_exit_reference_solution_passes(mystery):
    inspected = captured("docker", "container", "inspect", mystery)
    exit_code = json.loads("\n".join(inspected))[0]["State"]["ExitCode"]
    logs = captured("docker", "logs", mystery)
    verdict = ch05.diagnosed_exit(mystery, exit_code, logs[-1])
    assert verdict, repr(verdict)
    assert "invalid literal for int() with base 10: 'auto'" in verdict.message


@pytest.mark.engine
@pytest.mark.parametrize("exit_code, log_line, hint", [
    (0, "LAST", "docker ps -a"),
    (137, "LAST", ".State.ExitCode"),
    ("one", "LAST", "a number"),
    (1, "", "copy the line from `docker logs"),
    (1, "Error: 'eighty' is not a valid port number.", "copy it from `docker logs"),
    (1, "Traceback (most recent call last):", "the exception, and so the reason, comes last"),
    (1, "LINE ABOVE", "the last line says why"),
    (1, "ALL", "logs[-1]"),
])
def test_diagnosed_exit_wrong_answers_fail_with_a_hint(mystery, exit_code, log_line, hint):
    logs = [line for line in captured("docker", "logs", mystery) if line.strip()]
    log_line = {"LAST": logs[-1], "LINE ABOVE": logs[-2], "ALL": logs}.get(log_line, log_line)
    verdict = ch05.diagnosed_exit(mystery, exit_code, log_line)
    assert not verdict, repr(verdict)
    assert hint in verdict.hint, repr(verdict)


@pytest.mark.engine
def test_diagnosed_exit_needs_a_stopped_container(image, test_label):
    missing = ch05.diagnosed_exit(f"{test_label}-nothing", 1, "x")
    assert not missing and "first cell" in missing.hint
    name = f"{test_label}-running"
    subprocess.run(["docker", "run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", image],
                   check=True, capture_output=True)
    running = ch05.diagnosed_exit(name, 1, "x")
    assert not running and "docker wait" in running.hint
