"""Chapter 05's checkers: what they say to the notebook's starting points (the stored hints) and to
typical wrong answers (each fails with the hint that helps). The solutions themselves are proved by
`make nbval`, which solves each exercise in the chapter. The engine cases build the sample app once and run it on free
host ports."""

import socket

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.checks import ch05
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def image(module_label):
    """The reference image, built once for the module under the module's label (removed with it)."""
    name = f"course05-test/sample-app:{module_label}"
    docker("build", "--quiet", "--label", f"{LABEL}={module_label}", "-t", name, str(REPO_DIR / "sample_app"),
           timeout=600)
    return name


# --- Exercise 5.1 ---------------------------------------------------------------------------------

def test_app_answers_on_port_starting_point_gets_its_hint(engine, image, test_label):
    """The stub: `-p HOST:CONTAINER` still as words; docker refuses it and creates nothing."""
    name = f"{test_label}-ex1"
    answer = captured("docker", "run", "-d", "--name", name, "--label", f"{LABEL}={test_label}",
                      "-p", "HOST:CONTAINER", image)
    verdict = ch05.app_answers_on_port(answer, port=8058, version="1.0.0", image=image, chapter=test_label)
    assert not verdict
    assert repr(verdict).startswith("✗") and "hint: write -p HOST:CONTAINER with numbers" in repr(verdict)
    assert "(8058)" in verdict.hint
    assert docker("container", "inspect", name, check=False).returncode != 0, "the stub must create no container"


@pytest.mark.parametrize("answer, hint", [
    ([], "capture docker's output"),
    (["docker: invalid hostPort: eighty"], "write -p HOST:CONTAINER with numbers"),
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


@pytest.mark.parametrize("options, hint, timeout", [
    (["-p", "{port}:8000"], "-e APP_VERSION=1.0.0", 30),  # the app must start and answer: give it time
    (["-p", "{other}:{port}", "-e", "APP_VERSION=1.0.0"], "the host's port first", 5),
    (["-p", "{other}:8000", "-e", "APP_VERSION=1.0.0"], "-p {port}:8000", 5),
    (["-e", "APP_VERSION=1.0.0"], "EXPOSE in the Dockerfile only documents", 5),
    (["-p", "{port}:8000", "-e", "APP_VERSION=1.0.0", "-e", "PORT=eighty"], "docker logs", 5),
], ids=["version not set", "ports reversed", "wrong host port", "not published", "exits at once"])
def test_app_answers_on_port_wrong_runs_fail_with_a_hint(engine, image, test_label, options, hint, timeout):
    port, other = free_port(), free_port()
    options = [option.format(port=port, other=other) for option in options]
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", *options, image)
    verdict = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter=test_label,
                                       timeout=timeout)
    assert not verdict, repr(verdict)
    assert hint.format(port=port) in verdict.hint, repr(verdict)


def test_app_answers_on_port_loopback_bind_fails_with_a_hint(engine, image, test_label):
    port = free_port()
    answer = captured("docker", "run", "-d", "--label", f"{LABEL}={test_label}", "-p", f"{port}:8000",
                      "-e", "APP_VERSION=1.0.0", image,
                      "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:8000", "app:create_app()")
    verdict = ch05.app_answers_on_port(answer, port=port, version="1.0.0", image=image, chapter=test_label,
                                       timeout=5)
    assert not verdict, repr(verdict)
    assert "binds 0.0.0.0" in verdict.hint


def test_app_answers_on_port_wants_the_label_and_the_image(engine, image, test_label):
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
def mystery(image, module_label):
    """The exercise's container: WEB_CONCURRENCY=auto makes gunicorn fail with a traceback at start."""
    name = f"{module_label}-mystery"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={module_label}", "-e", "WEB_CONCURRENCY=auto", image)
    docker("wait", name, timeout=60)
    return name


def test_diagnosed_exit_starting_point_gets_its_hint(engine, mystery):
    """The stub: exit_code = None and log_line = None."""
    verdict = ch05.diagnosed_exit(mystery, None, None)
    assert not verdict
    assert repr(verdict).startswith("✗") and f"hint: `docker wait {mystery}`" in repr(verdict)


@pytest.mark.parametrize("form", ["captured", "number", "text"])
def test_diagnosed_exit_takes_the_code_as_captured_or_typed(engine, mystery, form):
    """`exit_code = !docker wait …` (the solution: a one-line list), or the number typed in."""
    exit_code = {"captured": captured("docker", "wait", mystery), "number": 1, "text": "1"}[form]
    logs = [line for line in captured("docker", "logs", mystery) if line.strip()]
    verdict = ch05.diagnosed_exit(mystery, exit_code, logs[-1])
    assert verdict, repr(verdict)
    assert "invalid literal for int() with base 10: 'auto'" in verdict.message


@pytest.mark.parametrize("exit_code, log_line, hint", [
    (None, "LAST", "docker wait"),
    (0, "LAST", "docker ps -a"),
    (137, "LAST", ".State.ExitCode"),
    ("one", "LAST", "a number"),
    (1, "", "copy the line from `docker logs"),
    (1, None, "copy the line from `docker logs"),
    (1, "Error: 'eighty' is not a valid port number.", "copy it from `docker logs"),
    (1, "Traceback (most recent call last):", "the exception, and so the reason, comes last"),
    (1, "LINE ABOVE", "the last line says why"),
    (1, "ALL", "logs[-1]"),
])
def test_diagnosed_exit_wrong_answers_fail_with_a_hint(engine, mystery, exit_code, log_line, hint):
    logs = [line for line in captured("docker", "logs", mystery) if line.strip()]
    log_line = {"LAST": logs[-1], "LINE ABOVE": logs[-2], "ALL": logs}.get(log_line, log_line)
    verdict = ch05.diagnosed_exit(mystery, exit_code, log_line)
    assert not verdict, repr(verdict)
    assert hint in verdict.hint, repr(verdict)


def test_diagnosed_exit_needs_a_stopped_container(engine, image, test_label):
    missing = ch05.diagnosed_exit(f"{test_label}-nothing", 1, "x")
    assert not missing and "first cell" in missing.hint
    name = f"{test_label}-running"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", image)
    running = ch05.diagnosed_exit(name, 1, "x")
    assert not running and "docker wait" in running.hint
