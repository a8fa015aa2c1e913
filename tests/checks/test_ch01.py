"""Chapter 01's checkers: the judges against hand-written records (the starting points, typical wrong answers,
the chapter's solutions and other correct answers), with no engine; then a few tests that prove the observing
side against real containers. `make nbval` solves each exercise in the chapter itself."""

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch01
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from dockercourse.wait import until

PYTHON_IMAGE = manifest_image("python").name
MiB = 2**20


def run(name: str, creator: str, *options: str, command: tuple[str, ...] = ("sleep", "600")) -> str:
    """`docker run -d --name NAME --label dockercourse=CREATOR OPTIONS… python-image COMMAND…`; the name."""
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={creator}", *options, PYTHON_IMAGE, *command)
    return name


def leaked(verdict, *tokens: str) -> list[str]:
    return [token for token in tokens if token in verdict.hint]


# --- Exercise 1.1 · a debug container in course01-web's PID namespace ---------------------------------------

WEB_ID = "a3f1" * 16
TARGET = {"name": "course01-web", "id": WEB_ID, "running": True}


def debug(**changes) -> dict:
    """What the solution leaves: course01-debug running, labelled, in course01-web's PID namespace."""
    found = {"name": "course01-debug", "labels": {LABEL: "01"}, "running": True, "status": "running", "exit_code": 0,
             "pid_mode": f"container:{WEB_ID}"}
    return {"target": TARGET, "debug": {**found, **changes}}


def test_1_1_starting_point_gets_its_hint():
    verdict = ch01.judge_debug_container({"target": TARGET, "debug": None})
    assert not verdict and verdict.code == "debug-missing"
    assert not leaked(verdict, "--pid", "container:", "sleep 3600")


def test_1_1_the_solution_passes():
    assert ch01.judge_debug_container(debug())


def test_1_1_another_correct_answer():
    """Another image, the network namespace shared as well, and the target named rather than given by ID (as an
    engine that keeps the name would record it)."""
    verdict = ch01.judge_debug_container(debug(pid_mode="container:course01-web", name="course01-debug"))
    assert verdict


@pytest.mark.parametrize("seen, code", [
    (debug(pid_mode="host"), "joined-the-host"),
    (debug(pid_mode=""), "own-pid-namespace"),
    (debug(pid_mode="private"), "own-pid-namespace"),
    (debug(pid_mode="container:" + "b2" * 32), "joined-another-container"),
    (debug(running=False, status="exited", exit_code=0), "debug-exited"),
    (debug(labels={}), "label-missing"),
    ({"target": {**TARGET, "running": False}, "debug": None}, "target-not-running"),
    ({"target": None, "debug": None}, "target-not-running"),
])
def test_1_1_wrong_answers_fail_with_their_hint(seen, code):
    verdict = ch01.judge_debug_container(seen)
    assert not verdict and verdict.code == code, verdict


@pytest.fixture(scope="module")
def web(module_label) -> str:
    return run(f"{module_label}-web", module_label, command=("python", "-m", "http.server", "8000"))


@pytest.mark.parametrize("pid, code", [("container:{web}", None), ("host", "joined-the-host"),
                                       (None, "own-pid-namespace")])
def test_1_1_the_observation_reads_the_pid_namespace(web, test_label, pid, code):
    name = f"{test_label}-debug"
    options = ("--pid", pid.format(web=web)) if pid else ()
    run(name, test_label, *options)
    verdict = ch01.judge_debug_container(ch01.observe_debug_container(name, web), name, web, test_label)
    assert verdict.code == (code or ""), verdict
    assert bool(verdict) is (code is None)


# --- Exercise 1.2 · the worker the OOM killer stops ---------------------------------------------------------

COMMAND = ("python -c import time; print('loading the cache…', flush=True); cache = bytearray(100 * 2**20); "
           "print('cache loaded: serving', flush=True); time.sleep(86400)")
#: What the set-up leaves: OOM-killed four times under 48 MiB; the restart policy gave up after three restarts.
GIVEN_UP = {"name": "course01-worker", "labels": {LABEL: "01"}, "running": False, "status": "exited",
            "exit_code": 137, "oom_killed": True, "memory": 48 * MiB, "restart_count": 3, "command": COMMAND,
            "loaded": False}
RUNNING = {**GIVEN_UP, "running": True, "status": "running", "exit_code": 0, "oom_killed": False,
           "restart_count": 0, "loaded": True}


def test_1_2_starting_point_gets_its_hint():
    verdict = ch01.judge_worker(GIVEN_UP)
    assert not verdict and verdict.code == "over-its-limit"
    assert not leaked(verdict, "--memory", "update", "start", "256m", "48")


def test_1_2_the_solution_passes():
    """`docker update --memory 256m --memory-swap 256m`, then `docker start`."""
    assert ch01.judge_worker({**RUNNING, "memory": 256 * MiB})


def test_1_2_another_correct_answer():
    """Removed and run again, same name, label and command, with `--memory 160m` and no restart policy."""
    assert ch01.judge_worker({**RUNNING, "memory": 160 * MiB, "status": "running"})


@pytest.mark.parametrize("seen, code", [
    ({**GIVEN_UP, "memory": 256 * MiB}, "limit-changed-still-stopped"),          # updated, never started
    ({**GIVEN_UP, "memory": 64 * MiB, "restart_count": 0}, "over-its-limit"),     # raised too little, killed again
    ({**RUNNING, "memory": 0}, "no-memory-limit"),
    ({**RUNNING, "command": COMMAND.replace("100 * 2**20", "10 * 2**20")}, "program-changed"),
    ({**RUNNING, "loaded": False}, "still-loading"),
    ({**GIVEN_UP, "status": "restarting"}, "restarting"),
    ({**GIVEN_UP, "exit_code": 1, "oom_killed": False}, "exited-otherwise"),
    ({**RUNNING, "labels": {}}, "label-missing"),
    (None, "worker-missing"),
])
def test_1_2_wrong_repairs_fail_with_their_hint(seen, code):
    verdict = ch01.judge_worker(seen)
    assert not verdict and verdict.code == code, verdict


def test_1_2_the_observation_sees_an_oom_kill_and_a_loaded_cache(test_label):
    """The set-up's program under 48 MiB is killed; the same program under 256 MiB says its cache loaded."""
    name = f"{test_label}-worker"
    run(name, test_label, "--memory", "48m", command=("python", "-c", COMMAND.removeprefix("python -c ")))
    docker("wait", name)
    killed = ch01.observe_worker(name)
    assert (killed["running"], killed["oom_killed"], killed["exit_code"], killed["loaded"]) == (False, True, 137, False)
    assert ch01.judge_worker(killed, name, test_label).code == "over-its-limit"
    docker("update", "--memory", "256m", "--memory-swap", "256m", name)
    docker("start", name)
    repaired = ch01.observe_worker(name)
    assert ch01.judge_worker(repaired, name, test_label), repaired


# --- Exercise 1.3 · which container uses the most memory? ---------------------------------------------------

USAGE = {"course01-cart": 21 * MiB, "course01-search": 152 * MiB, "course01-mail": 62 * MiB}


def test_1_3_starting_point_gets_its_hint():
    verdict = ch01.judge_memory_use({"usage": USAGE}, None)
    assert not verdict and verdict.code == "answer-missing"
    assert not leaked(verdict, "stats", "--no-stream", "--format", "MemPerc")


def test_1_3_the_solution_passes():
    assert ch01.judge_memory_use({"usage": USAGE}, "course01-search")


def test_1_3_another_correct_answer():
    """The name read off the table by eye and pasted with the line's end, on another run of the set-up."""
    usage = {"course01-cart": 153 * MiB, "course01-search": 22 * MiB, "course01-mail": 61 * MiB}
    assert ch01.judge_memory_use({"usage": usage}, "course01-cart\n")


@pytest.mark.parametrize("answer, code", [
    ("course01-cart", "picked-the-smallest"),
    ("course01-mail", "not-the-biggest"),
    ("search", "not-a-name"),
    (["course01-search"], "not-a-name"),
])
def test_1_3_wrong_answers_fail_with_their_hint(answer, code):
    verdict = ch01.judge_memory_use({"usage": USAGE}, answer)
    assert not verdict and verdict.code == code, verdict


def test_1_3_a_missing_service_asks_for_the_set_up_again():
    verdict = ch01.judge_memory_use({"usage": {**USAGE, "course01-mail": None}}, "course01-search")
    assert not verdict and verdict.code == "set-up-not-running"


def test_1_3_the_observation_measures_each_container(test_label):
    small, big = f"{test_label}-small", f"{test_label}-big"
    for name, mebibytes in ((small, 5), (big, 80)):
        run(name, test_label, command=("python", "-c", f"import time; data = bytearray({mebibytes} * 2**20); "
                                                       "time.sleep(600)"))
    absent = f"{test_label}-absent"

    def allocated():
        seen = ch01.observe_memory_use((small, big, absent))
        return seen if (seen["usage"][big] or 0) > 70 * MiB else None

    seen = until(allocated, timeout=30, what="the big container's allocation")
    assert seen["usage"][absent] is None
    assert seen["usage"][big] > seen["usage"][small] > 0
