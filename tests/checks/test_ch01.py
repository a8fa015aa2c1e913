"""Chapter 01's checkers against the reference solutions (must pass) and typical wrong answers (must fail,
with the hint that helps). Every case runs real containers: the checkers judge what the engine says."""

import json
import subprocess
import uuid

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch01
from dockercourse.images import manifest_image
from dockercourse.resources import remove_labelled

PYTHON_IMAGE = manifest_image("python").name
HOG = "data = bytearray(256 * 1024 * 1024)"

pytestmark = pytest.mark.engine


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


def inspect(name: str) -> dict:
    return json.loads(docker("container", "inspect", name))[0]


@pytest.fixture(scope="module")
def module_label():
    """One label for the module's shared containers, removed at the end."""
    creator = f"tests-{uuid.uuid4().hex[:8]}"
    yield creator
    remove_labelled(creator)


# Exercise 1.1 · OOM-killed

@pytest.fixture(scope="module")
def hog(module_label) -> str:
    """The reference solution: 256 MB allocated under a 64 MiB limit."""
    name = f"{module_label}-hog"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={module_label}", "--memory", "64m",
           PYTHON_IMAGE, "python", "-c", HOG)
    docker("wait", name)
    return name


def test_oom_reference_solution_passes(hog, module_label):
    state = inspect(hog)["State"]
    verdict = ch01.oom_killed(state["ExitCode"], state["OOMKilled"], name=hog, creator=module_label)
    assert verdict, repr(verdict)
    assert "128 + 9" in verdict.message


def test_oom_answers_read_as_text_from_a_go_template_pass(hog, module_label):
    # `docker inspect --format '{{.State.OOMKilled}}'` prints "true"; that is a correct reading too.
    assert ch01.oom_killed(137, "true", name=hog, creator=module_label)


@pytest.mark.parametrize("exit_code, oom, hint", [
    (9, True, "128 + N"),
    (1, True, "read it from the engine"),
    (["137"], True, "int(lines[0])"),
    ("137", True, "convert it"),
    (137, False, "State.OOMKilled"),
])
def test_oom_wrong_readings_fail_with_a_hint(hog, module_label, exit_code, oom, hint):
    verdict = ch01.oom_killed(exit_code, oom, name=hog, creator=module_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


@pytest.mark.parametrize("options, command, then, hint", [
    (None, None, None, "without --rm"),                                          # --rm: nothing left to inspect
    ([], ["python", "-c", HOG], "wait", "--memory 64m"),                         # no limit: it exits 0
    (["--memory", "64m"], ["python", "-c", "data = bytearray(1024)"], "wait", "allocate more than the limit"),
    (["--memory", "64m"], ["sleep", "600"], "kill", "someone else killed it"),   # docker kill: 137, no OOM
    (["--memory", "64m"], ["sleep", "600"], None, "docker wait"),                # still running
    (["--memory", "64m"], ["python", "-c", "raise SystemExit(3)"], "wait", "docker logs"),
])
def test_oom_wrong_containers_fail_with_a_hint(test_label, options, command, then, hint):
    name = f"{test_label}-hog"
    if command is not None:
        docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", *options, PYTHON_IMAGE, *command)
        if then == "kill":
            docker("kill", name)
        if then:
            docker("wait", name)
    verdict = ch01.oom_killed(137, True, name=name, creator=test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_oom_unlabelled_container_fails_with_a_hint(test_label):
    name = f"{test_label}-hog"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", "--memory", "64m", PYTHON_IMAGE, "true")
    verdict = ch01.oom_killed(137, True, name=name, creator="01")
    assert not verdict
    assert f"--label {LABEL}=01" in verdict.hint


# Exercise 1.2 · the host PID of PID 1

@pytest.fixture(scope="module")
def web(module_label) -> str:
    name = f"{module_label}-web"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={module_label}", PYTHON_IMAGE,
           "python", "-m", "http.server", "8000")
    return name


def test_host_pid_reference_solution_passes(web):
    answer = json.loads(docker("inspect", web))[0]["State"]["Pid"]
    verdict = ch01.host_pid(answer, name=web)
    assert verdict, repr(verdict)


def shim_pid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("wrong, hint", [
    (lambda pid: 1, "the host numbers it differently"),
    (lambda pid: str(pid), "convert it"),
    (lambda pid: [str(pid)], "int(lines[0])"),
    (lambda pid: None, "a PID is an int"),
    (shim_pid, "take the process itself"),
    (lambda pid: __import__("os").getpid(), "ask the engine"),
    (lambda pid: pid + 100_000, "read State.Pid"),
])
def test_host_pid_wrong_answers_fail_with_a_hint(web, wrong, hint):
    answer = wrong(inspect(web)["State"]["Pid"])
    verdict = ch01.host_pid(answer, name=web)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_host_pid_of_a_missing_container_fails_with_a_hint(test_label):
    verdict = ch01.host_pid(1234, name=f"{test_label}-absent")
    assert not verdict
    assert "run the cell" in verdict.hint


# Exercise 1.3 · limits read back

@pytest.fixture(scope="module")
def limited(module_label) -> str:
    """The reference solution's container."""
    name = f"{module_label}-limited"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={module_label}", "--cpus", "0.5", "--memory", "128m",
           PYTHON_IMAGE, "sleep", "600")
    return name


def test_limits_reference_solution_passes(limited, module_label):
    host_config = inspect(limited)["HostConfig"]
    limits = {"cpus": host_config["NanoCpus"] / 1e9, "memory_bytes": host_config["Memory"]}
    verdict = ch01.resource_limits(limits, name=limited, creator=module_label)
    assert verdict, repr(verdict)


@pytest.mark.parametrize("limits, hint", [
    ({"cpus": 500_000_000, "memory_bytes": 134217728}, "divide by 1e9"),
    ({"cpus": 0.5, "memory_bytes": 128}, "the engine stores bytes"),
    ({"cpus": 0.5, "memory_bytes": 128_000_000}, "read HostConfig.Memory"),
    ({"cpus": 1.0, "memory_bytes": 134217728}, "read HostConfig.NanoCpus"),
    ((0.5, 134217728), "limits = {'cpus'"),
])
def test_limits_wrong_readings_fail_with_a_hint(limited, module_label, limits, hint):
    verdict = ch01.resource_limits(limits, name=limited, creator=module_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


@pytest.mark.parametrize("options, hint", [
    (["--cpu-shares", "512", "--memory", "128m"], "run it with --cpus 0.5"),
    (["--memory", "128m"], "run it with --cpus 0.5"),
    (["--cpus", "0.5", "--memory", "128000000"], "m means MiB"),
    (["--cpus", "0.5"], "run it with --memory 128m"),
])
def test_limits_wrong_containers_fail_with_a_hint(test_label, options, hint):
    name = f"{test_label}-limited"
    docker("create", "--name", name, "--label", f"{LABEL}={test_label}", *options, PYTHON_IMAGE, "sleep", "600")
    verdict = ch01.resource_limits({"cpus": 0.5, "memory_bytes": 134217728}, name=name, creator=test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)
