"""Chapter 01's checkers against the starting points (each fails with its hint) and typical wrong answers
(each fails with the hint that helps). Every case runs real containers: the checkers judge what the engine
says. The solutions shown in the chapter pass in the chapter itself (`make nbval` solves each exercise)."""

import json

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch01
from dockercourse.checks.common import inspect_container
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image

PYTHON_IMAGE = manifest_image("python").name
HOG = "data = bytearray(256 * 1024 * 1024)"

pytestmark = pytest.mark.usefixtures("engine")


def run(name: str, creator: str, *options: str, command: tuple[str, ...] = ("sleep", "600")) -> str:
    """`docker run -d --name NAME --label dockercourse=CREATOR OPTIONS… python-image COMMAND…`; the name."""
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={creator}", *options, PYTHON_IMAGE, *command)
    return name


# Exercise 1.1 · OOM-killed

@pytest.fixture(scope="module")
def hog(module_label) -> str:
    """What the solution leaves: 256 MB allocated under a 64 MiB limit, and the container kept."""
    name = run(f"{module_label}-hog", module_label, "--memory", "64m", command=("python", "-c", HOG))
    docker("wait", name)
    return name


def test_oom_starting_point_gets_its_hint(test_label):
    # The starting point runs nothing and leaves exit_code and oom_killed at None.
    verdict = ch01.oom_killed(None, None, name=f"{test_label}-hog", creator=test_label)
    assert not verdict
    assert "the engine has no container" in verdict.message
    assert "without --rm" in verdict.hint and f"--label {LABEL}={test_label}" in verdict.hint


def test_oom_second_cell_left_as_it_starts_gets_its_hint(hog, module_label):
    verdict = ch01.oom_killed(None, None, name=hog, creator=module_label)
    assert not verdict
    assert "read State.ExitCode and State.OOMKilled from hog_json" in verdict.hint


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
        run(name, test_label, *options, command=tuple(command))
        if then == "kill":
            docker("kill", name)
        if then:
            docker("wait", name)
    verdict = ch01.oom_killed(137, True, name=name, creator=test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_oom_unlabelled_container_fails_with_a_hint(test_label):
    name = run(f"{test_label}-hog", test_label, "--memory", "64m", command=("true",))
    verdict = ch01.oom_killed(137, True, name=name, creator="01")
    assert not verdict
    assert f"--label {LABEL}=01" in verdict.hint


# Exercise 1.2 · the host PID of PID 1

@pytest.fixture(scope="module")
def web(module_label) -> str:
    return run(f"{module_label}-web", module_label, command=("python", "-m", "http.server", "8000"))


def test_host_pid_starting_point_gets_its_hint(web):
    verdict = ch01.host_pid(None, name=web)
    assert not verdict
    assert "still None" in verdict.message and f"docker inspect {web}" in verdict.hint


def test_host_pid_read_from_the_json_passes(web):
    # The solution's reading, from the JSON; `make nbval` runs it against ch01-web.
    answer = json.loads(docker("inspect", web).stdout)[0]["State"]["Pid"]
    assert ch01.host_pid(answer, name=web)


def shim_pid(pid: int) -> int:
    """The parent of the container's PID 1, as a helper container in the host's PID namespace reads it
    (under Docker Desktop the engine's processes are in its VM, not in this machine's /proc)."""
    status = docker("run", "--rm", "--pid", "host", "--label", f"{LABEL}=01", PYTHON_IMAGE,
                    "grep", "^PPid:", f"/proc/{pid}/status").stdout
    return int(status.split()[1])


@pytest.mark.parametrize("wrong, hint", [
    (lambda pid: 1, "the host numbers it differently"),
    (lambda pid: str(pid), "convert it"),
    (lambda pid: [str(pid)], "int(lines[0])"),
    (lambda pid: "none", "a PID is an int"),
    (shim_pid, "take the process itself"),
    (lambda pid: __import__("os").getpid(), "ask the engine"),
    (lambda pid: pid + 100_000, "read State.Pid"),
])
def test_host_pid_wrong_answers_fail_with_a_hint(web, wrong, hint):
    answer = wrong(inspect_container(web)["State"]["Pid"])
    verdict = ch01.host_pid(answer, name=web)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_host_pid_of_a_missing_container_fails_with_a_hint(test_label):
    verdict = ch01.host_pid(1234, name=f"{test_label}-absent")
    assert not verdict
    assert "run the cell of section 1" in verdict.hint


# Exercise 1.3 · limits read back

STARTING_LIMITS = {"cpus": None, "memory_bytes": None}


@pytest.fixture(scope="module")
def limited(module_label) -> str:
    """What the solution's first line leaves: half a CPU and 128 MiB."""
    return run(f"{module_label}-limited", module_label, "--cpus", "0.5", "--memory", "128m")


def test_limits_starting_point_gets_its_hint(test_label):
    verdict = ch01.resource_limits(STARTING_LIMITS, name=f"{test_label}-limited", creator=test_label)
    assert not verdict
    assert "the engine has no container" in verdict.message
    assert "docker run --help" in verdict.hint and f"--label {LABEL}={test_label}" in verdict.hint


def test_limits_left_as_they_start_get_their_hint(limited, module_label):
    verdict = ch01.resource_limits(STARTING_LIMITS, name=limited, creator=module_label)
    assert not verdict
    assert "HostConfig.NanoCpus" in verdict.hint and "HostConfig.Memory" in verdict.hint


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
