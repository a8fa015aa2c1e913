"""Chapter 06's checkers (Docker Compose) against the reference solutions and typical wrong answers.

Each engine test runs the sample app's compose.yaml as its own project, named and labelled after the
test's label (`tests-…`), on host ports the engine picks (WEB_PORT=127.0.0.1:0), so it collides
with neither the chapter (8060–8069) nor other tests; the project is taken down afterwards.
"""

import os
import subprocess

import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch06
from dockercourse.ports import TEST_PORTS

COMPOSE_FILE = REPO_DIR / "sample_app" / "compose.yaml"
ANY_PORT = "127.0.0.1:0"          # the engine picks a free host port for each replica
FIXED_PORT = str(TEST_PORTS[-1])  # one fixed port, to provoke "port is already allocated"


def output(result: subprocess.CompletedProcess) -> list[str]:
    """What `answer = !command` gives a notebook: the output's lines, stderr included."""
    return (result.stdout + result.stderr).splitlines()


@pytest.fixture
def stack(test_label):
    """`docker compose` on the sample app, as project `test_label`; `down -v` at the end."""

    def compose(*args: str, env_file=None, web_port: str = ANY_PORT, app_version: str | None = None,
                check: bool = True) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items() if key not in ("APP_VERSION", "WEB_PORT")}
        env.update(DOCKERCOURSE_LABEL=test_label, WEB_PORT=web_port, COMPOSE_ANSI="never")
        if app_version is not None:
            env["APP_VERSION"] = app_version
        options = ["--env-file", str(env_file)] if env_file else []
        result = subprocess.run(["docker", "compose", "-p", test_label, "-f", str(COMPOSE_FILE), *options, *args],
                                capture_output=True, text=True, env=env)
        assert result.returncode == 0 or not check, result.stderr
        return result

    compose.project = test_label
    yield compose
    compose("down", "--volumes", check=False)


# --- Exercise 6.1 -----------------------------------------------------------------------------
# One stack per test, driven through the typical wrong answers to the reference solution: every
# `up` on a fresh project costs seconds, so the steps share it.

@pytest.mark.engine
def test_app_version_wrong_answers_fail_with_a_hint_and_the_reference_passes(stack, tmp_path):
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "bring the stack up with that project name" in verdict.hint

    stack("up", "-d", "--wait")  # no env file: compose.yaml's default
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "1.0 is compose.yaml's default" in verdict.hint

    stack("up", "-d", "--wait", app_version="3.0")  # the right value, but from the shell
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "pass it with --env-file" in verdict.hint

    env_file = tmp_path / "release.env"
    env_file.write_text("APP_VERSION=3\n")
    stack("up", "-d", "--wait", env_file=env_file)
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "APP_VERSION=3, not 3.0" in verdict.message
    assert "the env file should hold the line APP_VERSION=3.0" in verdict.hint

    env_file.write_text("APP_VERSION=3.0\n")  # the reference solution
    stack("up", "-d", "--wait", env_file=env_file)
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert verdict, repr(verdict)
    assert "release.env" in verdict.message and repr(verdict).startswith("✓")


# --- Exercises 6.2 and 6.3 --------------------------------------------------------------------

@pytest.mark.engine
def test_replicas_and_redis_address_wrong_answers_fail_with_a_hint_and_the_references_pass(stack):
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert not verdict and "--scale web=4" in verdict.hint
    verdict = ch06.redis_address(["10.0.0.1"], project=stack.project)
    assert not verdict and "no redis container" in verdict.message

    stack("up", "-d", "--wait", "--scale", "web=2")
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert not verdict and "2 web replica(s) running, not 4" in verdict.message
    assert "a plain `up` goes back to the file's one" in verdict.hint

    web_address = output(stack("exec", "web", "hostname", "-i"))
    verdict = ch06.redis_address(web_address, project=stack.project)
    assert not verdict and "a web container" in verdict.message
    verdict = ch06.redis_address(["127.0.0.1"], project=stack.project)
    assert not verdict and "loopback" in verdict.message
    verdict = ch06.redis_address(["203.0.113.7"], project=stack.project)
    assert not verdict and "ask the redis container itself" in verdict.hint

    # A fixed host port: the first replica takes it, the others stay `created`.
    stack("up", "-d", "--wait", "--scale", "web=4", web_port=FIXED_PORT, check=False)
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert not verdict and "host port is already allocated" in verdict.message
    assert "give each replica its own" in verdict.hint

    stack("up", "-d", "--wait", "--scale", "web=4")  # the reference solution: a port for each
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert verdict, repr(verdict)
    answer = output(stack("exec", "redis", "hostname", "-i"))
    verdict = ch06.redis_address(answer, project=stack.project)
    assert verdict, repr(verdict)
    assert f"{stack.project}_default" in verdict.message


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the command's output"),
    (["socket.gaierror: [Errno -2] Name or service not known"], "only on the project's network"),
    (['service "redis" is not running'], "the stack must be up"),
    (["no such service: redsi"], "the service is called redis"),
    (["redis"], "`hostname -i` prints it"),
])
def test_redis_address_unusable_answers_fail_with_a_hint(answer, hint):
    verdict = ch06.redis_address(answer)
    assert not verdict
    assert hint in verdict.hint
    assert repr(verdict).startswith("✗")
