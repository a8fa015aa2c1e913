"""Chapter 06's checkers (Docker Compose) against the starting points, typical wrong answers and the
reference solutions.

Each engine test runs the sample app's compose.yaml as its own project, named and labelled after the
test's label (`tests-…`), on host ports the engine picks (WEB_PORT=127.0.0.1:0), so it collides
with neither the chapter (8060–8069) nor other tests; the project is taken down afterwards. The
starting points are read from the chapter itself, so these tests follow its cells.
"""

import os
import re
import shlex
import subprocess

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch06
from dockercourse.course import TEST_PORTS
from dockercourse.exercises import find_exercises
from tests.shell import captured

COMPOSE_FILE = REPO_DIR / "sample_app" / "compose.yaml"
NOTEBOOK = REPO_DIR / "notebooks" / "06-compose.ipynb"
ANY_PORT = "127.0.0.1:0"          # the engine picks a free host port for each replica
FIXED_PORT = str(TEST_PORTS[8])  # this module's fixed port, to provoke "port is already allocated"
CHAPTER_COMPOSE = "docker compose -p course06 -f ../sample_app/compose.yaml"


def output(result: subprocess.CompletedProcess) -> list[str]:
    """What `answer = !command` gives a notebook: the output's lines, stderr included."""
    return (result.stdout + result.stderr).splitlines()


def starting_points(number: str) -> list[str]:
    """The sources of an exercise's `exercise` cells, as the chapter stores them."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return [notebook.cells[index].source for index in exercise.stubs]


def stub_command(source: str, project: str) -> tuple[dict[str, str], list[str]]:
    """The `!` command of a starting point: (its VAR=value prefixes, its argv), aimed at the test's project."""
    line = next(line for line in source.splitlines() if re.match(r"^(\w+\s*=\s*)?!", line))
    words = shlex.split(line.split("!", 1)[1].replace(CHAPTER_COMPOSE,
                                                       f"docker compose -p {project} -f {COMPOSE_FILE}"))
    env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word) and words.index(word) == 0)
    return env, words[len(env):]


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

def test_app_version_starting_point_gets_the_hint_to_write_the_file(tmp_path):
    env_stub, _ = starting_points("6.1")
    env_file = tmp_path / "release.env"
    env_file.write_text(env_stub.split("\n", 1)[1])  # the %%writefile cell's body: a TODO only
    verdict = ch06.compose_app_version("3.0", project="tests-none", env_file=str(env_file))
    assert not verdict and "release.env does not set APP_VERSION yet" in verdict.message
    assert "one KEY=value line" in verdict.hint and repr(verdict).startswith("✗")


@pytest.mark.parametrize("content, message, hint", [
    (None, "there is no env file", "%%writefile cell"),
    ("export APP_VERSION 3.0\n", "does not set APP_VERSION yet", "no `export`"),
    ("APP_VERSION=3\n", "sets APP_VERSION=3, not 3.0", "the version the home page should show"),
    ("APP_VERSION=2.0\n# APP_VERSION=3.0\n", "sets APP_VERSION=2.0, not 3.0", "3.0"),
])
def test_app_version_wrong_env_files_fail_with_a_hint(tmp_path, content, message, hint):
    env_file = tmp_path / "release.env"
    if content is not None:
        env_file.write_text(content)
    verdict = ch06.compose_app_version("3.0", project="tests-none", env_file=str(env_file))
    assert not verdict and message in verdict.message and hint in verdict.hint


# One stack per test, driven through the typical wrong answers to the reference solution: every
# `up` on a fresh project costs seconds, so the steps share it.

def test_app_version_wrong_answers_fail_with_a_hint_and_the_reference_passes(engine, stack, tmp_path):
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "bring the stack up with that project name" in verdict.hint

    stack("up", "-d", "--wait")  # no env file: compose.yaml's default
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "1.0 is compose.yaml's default" in verdict.hint

    env_file = tmp_path / "release.env"
    env_file.write_text("APP_VERSION=3.0\n")  # the right file, not passed: the starting point's blank left
    _, command = stub_command(starting_points("6.1")[1], stack.project)
    assert captured(*command)[-1].startswith("couldn't find env file"), "the stub's blank should fail"
    verdict = ch06.compose_app_version("3.0", project=stack.project, env_file=str(env_file))
    assert not verdict and f"--env-file {env_file}" in verdict.hint

    stack("up", "-d", "--wait", app_version="3.0")  # the right value, but from the shell
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "pass it with --env-file" in verdict.hint

    assert "--force-recreate" in verdict.hint  # the same value: Compose leaves web as it is

    other = tmp_path / "other.env"
    other.write_text("APP_VERSION=3\n")
    stack("up", "-d", "--wait", env_file=other)
    verdict = ch06.compose_app_version("3.0", project=stack.project)
    assert not verdict and "APP_VERSION=3, not 3.0" in verdict.message
    assert "the env file should hold the line APP_VERSION=3.0" in verdict.hint

    other.write_text("APP_VERSION=3.0\n")  # the right value, from another file than the exercise's
    stack("up", "-d", "--wait", env_file=other)
    verdict = ch06.compose_app_version("3.0", project=stack.project, env_file=str(env_file))
    assert not verdict and "but from the env file" in verdict.message

    stack("up", "-d", "--wait", "--force-recreate", env_file=env_file)  # the reference, as the hint says
    verdict = ch06.compose_app_version("3.0", project=stack.project, env_file=str(env_file))
    assert verdict, repr(verdict)
    assert "release.env" in verdict.message and repr(verdict).startswith("✓")


# --- Exercises 6.2 and 6.3 --------------------------------------------------------------------

def test_replicas_and_redis_address_wrong_answers_fail_with_a_hint_and_the_references_pass(engine, stack):
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert not verdict and "--scale web=4" in verdict.hint
    verdict = ch06.redis_address(["10.0.0.1"], project=stack.project)
    assert not verdict and "no redis container" in verdict.message

    stack("up", "-d", "--wait")  # where the chapter's exercises start: one replica
    env, command = stub_command(starting_points("6.2")[0], stack.project)
    assert env == {"WEB_PORT": "____"}
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    assert result.returncode != 0, "the starting point's blanks should make `up` fail"
    verdict = ch06.compose_replicas(4, project=stack.project)  # what the chapter stores
    assert not verdict and "1 web replica(s) running, not 4" in verdict.message
    assert "WEB_PORT takes a range" in verdict.hint

    _, command = stub_command(starting_points("6.3")[0], stack.project)
    verdict = ch06.redis_address(captured(*command), project=stack.project)  # what the chapter stores
    assert not verdict and "still has its blank" in verdict.message
    assert "runs a command in a service's running container" in verdict.hint

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

    # The reference solutions are run by `make nbval` in the chapter itself; this one, with ports the
    # engine picks, proves the checkers accept replicas on any ports and the address on any network.
    stack("up", "-d", "--wait", "--scale", "web=4")
    verdict = ch06.compose_replicas(4, project=stack.project)
    assert verdict, repr(verdict)
    answer = output(stack("exec", "redis", "hostname", "-i"))
    verdict = ch06.redis_address(answer, project=stack.project)
    assert verdict, repr(verdict)
    assert f"{stack.project}_default" in verdict.message


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the command's output"),
    (['unknown docker command: "compose ____"'], "replace ____ with the compose subcommand"),
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
