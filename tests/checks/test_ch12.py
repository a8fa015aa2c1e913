"""Chapter 12's checkers (Swarm and Kubernetes) against the starting points, typical wrong answers and the
reference solutions.

Exercise 12.1 runs against a one-node swarm of the test's own: an engine in a container (the manifest's
docker:NN-dind, labelled with the test's label, removed with its volume afterwards), so it never meets
the chapter's nodes. Exercise 12.2 needs no engine: its manifests are written to a temporary folder.
"""

import re
import subprocess
import time

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch12
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks
from dockercourse.manifest import manifest_image

NOTEBOOK = REPO_DIR / "notebooks" / "12-beyond-one-host.ipynb"


def exercise_sources(number: str) -> tuple[list[str], list[str]]:
    """(the starting points, the solution blocks) of one exercise, as the chapter stores them."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return ([notebook.cells[index].source for index in exercise.stubs],
            solution_blocks(notebook.cells[exercise.solution].source))


def body(source: str) -> str:
    """A %%writefile cell's or block's text, without the magic line."""
    return re.sub(r"^%%writefile \S+\n", "", source)


@pytest.fixture(scope="module")
def swarm_node(module_label):
    """A one-node swarm in an engine-in-a-container, with the Python image loaded; removed afterwards."""
    name = f"{module_label}-node"
    docker("volume", "create", "--label", f"dockercourse={module_label}", name)
    docker("run", "-d", "--privileged", "--name", name, "--label", f"dockercourse={module_label}",
           "--volume", f"{name}:/var/lib/docker", manifest_image("docker").name)
    deadline = time.monotonic() + 90
    while docker("exec", name, "docker", "info", check=False).returncode != 0:
        assert time.monotonic() < deadline, f"the engine in {name} did not start"
        time.sleep(0.5)
    python = manifest_image("python").name
    save = subprocess.Popen(["docker", "save", python], stdout=subprocess.PIPE)
    subprocess.run(["docker", "exec", "-i", name, "docker", "load", "--quiet"], stdin=save.stdout, check=True,
                   capture_output=True)
    save.wait()
    yield name, python
    docker("rm", "--force", "--volumes", name, check=False)
    docker("volume", "rm", "--force", name, check=False)


def test_replicas_without_the_node_container(engine):
    verdict = ch12.service_replicas("api", 4, node="tests-no-such-node")
    assert not verdict and "not running" in verdict.message and "from the top" in verdict.hint


def test_replicas_hints_then_passes(swarm_node):
    node, python = swarm_node
    verdict = ch12.service_replicas("api", 4, node=node)
    assert not verdict and "not a swarm manager" in verdict.message, verdict

    docker("exec", node, "docker", "swarm", "init", "--advertise-addr", "127.0.0.1")
    verdict = ch12.service_replicas("api", 4, node=node)
    assert not verdict and "no service api" in verdict.message and "section 4" in verdict.hint

    docker("exec", node, "docker", "service", "create", "--quiet", "--name", "api", "--replicas", "2",
           python, "sleep", "600", timeout=180)
    # The starting point as the chapter stores it, aimed at this node: its blank is refused, nothing changes.
    stub = exercise_sources("12.1")[0][0]
    command = next(line for line in stub.splitlines() if line.startswith("!")).lstrip("!")
    ran = subprocess.run(command.replace("course12-node1", node), shell=True, capture_output=True, text=True)
    assert ran.returncode != 0 and "invalid replicas value" in ran.stderr
    verdict = ch12.service_replicas("api", 4, node=node)
    assert not verdict and verdict.message == "api is set to 2 replicas, not 4"
    assert "service scale api=N" in verdict.hint

    docker("exec", node, "docker", "service", "scale", "api=4", timeout=180)
    assert ch12.service_replicas("api", 4, node=node), ch12.service_replicas("api", 4, node=node)


def test_replicas_set_but_tasks_cannot_run(swarm_node):
    node, _ = swarm_node
    if docker("exec", node, "docker", "info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip() != "active":
        docker("exec", node, "docker", "swarm", "init", "--advertise-addr", "127.0.0.1")
    # An image the node does not have and cannot pull: the tasks never run.
    docker("exec", node, "docker", "service", "create", "--detach", "--quiet", "--name", "broken", "--replicas", "4",
           "tests-no-such-image:0")
    verdict = ch12.service_replicas("broken", 4, node=node)
    assert not verdict and "but 0 task(s) run" in verdict.message and "service ps broken" in verdict.hint


@pytest.fixture
def manifest(tmp_path):
    def write(text: str):
        path = tmp_path / "worker.yaml"
        path.write_text(text)
        return str(path)
    return write


def test_probe_starting_point_gets_its_hint(manifest):
    stub = exercise_sources("12.2")[0][0]
    verdict = ch12.liveness_probe(manifest(body(stub)))
    assert not verdict and verdict.message == "the container has no livenessProbe yet"


def test_probe_solution_passes(manifest):
    solution = exercise_sources("12.2")[1][0]
    assert ch12.liveness_probe(manifest(solution))


def test_probe_typical_mistakes(manifest, tmp_path):
    solution = exercise_sources("12.2")[1][0]
    assert "there is no" in ch12.liveness_probe(str(tmp_path / "missing.yaml")).message
    wrong_path = ch12.liveness_probe(manifest(solution.replace("path: /health", "path: /ready")))
    assert not wrong_path and "/health" in wrong_path.hint
    wrong_period = ch12.liveness_probe(manifest(solution.replace("periodSeconds: 30", "periodSeconds: 10")))
    assert not wrong_period and "periodSeconds is 10, not 30" in wrong_period.message
    typo = ch12.liveness_probe(manifest(solution.replace("livenessProbe:", "livenesProbe:")))
    assert not typo and "schema rejects" in typo.message
    seconds = ch12.liveness_probe(manifest(solution.replace("periodSeconds: 30", "periodSeconds: 30s")))
    assert not seconds and "schema rejects" in seconds.message
    not_yaml = ch12.liveness_probe(manifest(solution.replace("    spec:\n      containers", "  spec:\n containers")))
    assert not not_yaml
