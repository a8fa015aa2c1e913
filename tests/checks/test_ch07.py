"""Chapter 07's checkers (Networking) against the starting points, typical wrong answers and the
reference solutions.

Each engine test names its containers and networks after the test's label (`tests-…`), so it collides
with neither the chapter (course07-…, ports 8070–8079) nor other tests; the fixture removes whatever
carries the label. The starting points are read from the chapter itself, so these tests follow its cells.
"""

import os
import re
import shlex
import subprocess

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch07
from dockercourse.course import TEST_PORTS
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises

NOTEBOOK = REPO_DIR / "notebooks" / "07-networking.ipynb"
COMPOSE_FILE = REPO_DIR / "sample_app" / "compose.yaml"
PYTHON = "python:3.13-slim-trixie"
REDIS = "redis:8.10-trixie"
PORT = TEST_PORTS[7]  # the tests' own host port, for the loopback exercise


def starting_point(number: str) -> str:
    """The source of an exercise's (first) `exercise` cell, as the chapter stores it."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return notebook.cells[exercise.stubs[0]].source


def stub_commands(source: str, replacements: dict[str, str]) -> list[list[str]]:
    """The `!docker …` lines of a starting point as argv lists, with the chapter's names swapped for the test's."""
    commands = []
    for line in source.replace("\\\n", " ").splitlines():
        if line.startswith("!"):
            for old, new in replacements.items():
                line = line.replace(old, new)
            commands.append(shlex.split(line[1:]))
    return commands


# --- Exercise 7.1 -----------------------------------------------------------------------------

def test_name_resolves_wrong_answers_fail_with_a_hint_and_the_reference_passes(engine, test_label):
    db, client, net = f"{test_label}-db", f"{test_label}-client", f"{test_label}-net"

    def check():
        return ch07.name_resolves(client, db, network=net, creator=test_label)

    verdict = check()
    assert not verdict and "not running" in verdict.message and "setup cell" in verdict.hint

    docker("run", "-d", "--name", db, "--label", f"dockercourse={test_label}", REDIS)
    docker("run", "-d", "--name", client, "--label", f"dockercourse={test_label}", PYTHON, "sleep", "infinity")

    # The starting point, as the chapter stores it: its blanks make every command fail.
    for command in stub_commands(starting_point("7.1"), {"course07-ex-net": net, "course07-ex-db": db,
                                                         "course07-ex-client": client,
                                                         "dockercourse=07": f"dockercourse={test_label}"}):
        assert docker(*command[1:], check=False).returncode != 0, f"the blank should fail: {command}"
    verdict = check()  # what the chapter stores
    assert not verdict and f"there is no network {net} yet" in verdict.message
    assert "one `docker network` subcommand makes networks" in verdict.hint and repr(verdict).startswith("✗")

    docker("network", "create", net)  # no label: the cleanup would not find it
    verdict = check()
    assert not verdict and "does not carry the label" in verdict.message
    docker("network", "rm", net)

    docker("network", "create", "--label", f"dockercourse={test_label}", net)
    verdict = check()  # a network, nobody on it
    assert not verdict and f"{db} and {client} are not on {net}" in verdict.message
    assert "docker network connect" in verdict.hint

    docker("network", "connect", net, db)  # one of the two
    verdict = check()
    assert not verdict and f"{client} is not on {net}" in verdict.message

    docker("network", "connect", net, client)  # the reference
    verdict = check()
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓") and "port 6379" in verdict.message


# --- Exercise 7.2 -----------------------------------------------------------------------------

def run_web(name: str, label: str, publish: str | None, command: tuple[str, ...] = ("python", "-m", "http.server",
                                                                                     "8000")) -> None:
    options = ["-p", publish] if publish else []
    docker("run", "-d", "--name", name, "--label", f"dockercourse={label}", *options, PYTHON, *command)


def test_published_on_loopback_starting_point_gets_its_hint(engine, test_label):
    name = f"{test_label}-web"
    (command,) = stub_commands(starting_point("7.2"), {"course07-ex-web": name,
                                                        "dockercourse=07": f"dockercourse={test_label}"})
    result = docker(*command[1:], check=False)
    assert result.returncode != 0 and "invalid hostPort" in result.stderr
    verdict = ch07.published_on_loopback(name, PORT, creator=test_label)  # what the chapter stores
    assert not verdict and f"there is no container {name} yet" in verdict.message
    assert "ADDRESS:PORT" in verdict.hint and repr(verdict).startswith("✗")


@pytest.mark.parametrize("publish, message, hint", [
    (None, "is not published", "-p HOST_ADDRESS:HOST_PORT:8000"),
    (f"{PORT}:8000", "published on every address", "past ufw and firewalld"),
    ("127.0.0.1::8000", "(one the engine picked)", "the host port goes between"),
])
def test_published_on_loopback_wrong_answers_fail_with_a_hint(engine, test_label, publish, message, hint):
    name = f"{test_label}-web"
    run_web(name, test_label, publish)
    verdict = ch07.published_on_loopback(name, PORT, creator=test_label)
    assert not verdict and message in verdict.message and hint in verdict.hint
    assert f"docker rm -f {name}" in verdict.hint


def test_published_on_loopback_wants_the_label_and_a_running_server(engine, test_label):
    unlabelled = f"{test_label}-bare"
    docker("run", "-d", "--name", unlabelled, "--label", "dockercourse=elsewhere", PYTHON, "true")
    try:
        verdict = ch07.published_on_loopback(unlabelled, PORT, creator=test_label)
        assert not verdict and "does not carry the label" in verdict.message
    finally:
        docker("rm", "-f", unlabelled)
    stopped = f"{test_label}-stopped"
    run_web(stopped, test_label, f"127.0.0.1:{PORT}:8000", ("true",))
    docker("wait", stopped)
    verdict = ch07.published_on_loopback(stopped, PORT, creator=test_label)
    assert not verdict and "is not running" in verdict.message and "docker logs" in verdict.hint


def test_published_on_loopback_reference_passes(engine, test_label):
    name = f"{test_label}-web"
    solution = re.search(r"-p (\S+):8000", starting_point("7.2").replace("____", f"127.0.0.1:{PORT}"))
    run_web(name, test_label, f"{solution.group(1)}:8000")
    verdict = ch07.published_on_loopback(name, PORT, creator=test_label)  # at once: the checker waits for the server
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓") and f"127.0.0.1:{PORT} only" in verdict.message


def test_published_on_loopback_wants_a_server_that_answers(engine, test_label, monkeypatch):
    monkeypatch.setattr(ch07, "ANSWER_WITHIN_S", 1)  # the checker's patience with a server that is starting
    name = f"{test_label}-web"
    run_web(name, test_label, f"127.0.0.1:{PORT}:8000", ("sleep", "60"))  # published, but nothing listens
    verdict = ch07.published_on_loopback(name, PORT, creator=test_label)
    assert not verdict and f"127.0.0.1:{PORT} does not answer" in verdict.message
    assert "listening on port 8000" in verdict.hint


def test_name_resolves_wants_the_port_to_answer(engine, test_label):
    db, client, net = f"{test_label}-db", f"{test_label}-client", f"{test_label}-net"
    docker("network", "create", "--label", f"dockercourse={test_label}", net)
    for name in (db, client):  # both on the network, but no Redis listens in `db`
        docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "--network", net,
               PYTHON, "sleep", "infinity")
    verdict = ch07.name_resolves(client, db, network=net, creator=test_label)
    assert not verdict and "its port 6379 does not answer" in verdict.message and "docker logs" in verdict.hint


# --- Exercise 7.3 -----------------------------------------------------------------------------

def written_file(marker: str) -> str:
    """The body of the chapter's %%writefile cell whose first line holds `marker`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(cell for cell in notebook.cells
                if cell.cell_type == "code" and cell.source.startswith("%%writefile") and marker in cell.source[:120])
    return cell.source.split("\n", 1)[1]


def test_worker_on_back_tier_wrong_answers_fail_with_a_hint_and_the_reference_passes(engine, test_label, tmp_path):
    tiers, worker = tmp_path / "compose.tiers.yaml", tmp_path / "compose.worker.yaml"
    tiers.write_text(written_file("compose.tiers.yaml"))
    stub = written_file("compose.worker.yaml")
    assert "networks: [____]" in stub
    env = {**os.environ, "DOCKERCOURSE_LABEL": test_label, "WEB_PORT": "127.0.0.1:0", "COMPOSE_ANSI": "never"}

    def up(networks: str) -> subprocess.CompletedProcess:
        worker.write_text(stub.replace("[____]", networks))
        return subprocess.run(["docker", "compose", "-p", test_label, "-f", str(COMPOSE_FILE),
                               "-f", str(tiers), "-f", str(worker), "up", "-d", "--wait", "redis", "worker"],
                              capture_output=True, text=True, env=env)

    try:
        result = up("[____]")  # the starting point, as the chapter stores it
        assert result.returncode != 0 and "undefined network ____" in result.stderr
        verdict = ch07.worker_on_back_tier(test_label)
        assert not verdict and "has no worker container" in verdict.message and "replace ____" in verdict.hint

        assert up("[front]").returncode == 0
        verdict = ch07.worker_on_back_tier(test_label)
        assert not verdict and "where redis is not" in verdict.message and "put worker on back" in verdict.hint

        assert up("[front, back]").returncode == 0
        verdict = ch07.worker_on_back_tier(test_label)
        assert not verdict and f"also on {test_label}_front" in verdict.message and "fewest networks" in verdict.hint

        assert up("[back]").returncode == 0  # the reference
        verdict = ch07.worker_on_back_tier(test_label)
        assert verdict, repr(verdict)
        assert repr(verdict).startswith("✓") and f"{test_label}_back alone" in verdict.message
    finally:
        subprocess.run(["docker", "compose", "-p", test_label, "-f", str(COMPOSE_FILE),
                        "-f", str(tiers), "-f", str(worker), "down", "-v", "--remove-orphans"],
                       capture_output=True, text=True, env=env)
