"""Chapter 00's exercise checkers (Preflight).

Each checker observes, then judges (common.py): ``observe_x`` asks the engine for a plain record, ``judge_x`` words
the verdict from that record alone, ``x`` is what the chapter's checker cell calls.
"""

import json
import os
import platform
import re

from ..course import chapter_ports, port_taken
from ..engine import docker
from ..progress import exercise
from .common import Verdict, python_minor, run_error

# --- Exercise 0.1: a report on this engine, asked of the engine --------------------------------------------

REPORT = "engine_report"
REPORT_KEYS = ("server_version", "operating_system", "cpus", "memory_bytes")
#: How close a memory figure must come to the engine's: `docker info`'s text rounds it ("23.59GiB").
MEMORY_TOLERANCE = 0.01


def _notebook_memory() -> int | None:
    """This notebook's machine's memory in bytes (Linux and macOS); None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def observe_engine_report() -> dict:
    """What the engine says about itself and its host, and, to recognise answers about the wrong machine or
    program, the client's version and this notebook's own machine."""
    info = docker("info", "--format", "{{json .}}", check=False).stdout.strip()
    engine = json.loads(info) if info.startswith("{") else {}
    client = docker("version", "--format", "{{.Client.Version}}", check=False).stdout.strip()
    return {"server_version": engine.get("ServerVersion"), "operating_system": engine.get("OperatingSystem"),
            "cpus": engine.get("NCPU"), "memory_bytes": engine.get("MemTotal"), "client_version": client,
            "notebook_system": platform.system(), "notebook_platform": platform.platform(),
            "notebook_cpus": os.cpu_count(),
            "notebook_memory_bytes": _notebook_memory()}


def _as_number(value) -> float | None:
    """A number given as a number; None for text, booleans and the rest."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _judge_version(answer, seen: dict) -> Verdict | None:
    version = str(answer).strip()
    if version == seen["server_version"]:
        return None
    if version == seen["client_version"]:
        return Verdict(False, f"server_version is {version!r}: that is the client's version, not the engine's",
                       "the client and the engine are two programs, installed and updated separately: ask for the "
                       "engine's (the Server part) version", code="client-version")
    return Verdict(False, f"server_version is {answer!r}, which is not what the engine reports about itself",
                   "ask the engine for its own version, and copy it exactly (with any suffix after the numbers)",
                   code="server-version-wrong")


def _judge_system(answer, seen: dict) -> Verdict | None:
    if str(answer).strip() == seen["operating_system"]:
        return None
    if str(answer).strip() in (seen["notebook_system"], seen.get("notebook_platform")):
        return Verdict(False, f"operating_system is {answer!r}: that is what Python says about this notebook's "
                              "machine", "ask the engine: it reports the operating system of the machine it runs "
                                         "on, which under Docker Desktop is a VM, not your computer",
                       code="notebook-system")
    return Verdict(False, f"operating_system is {answer!r}, not the operating system the engine reports",
                   "use the engine's own words for the system it runs on (its 'Operating System' line)",
                   code="operating-system-wrong")


def _judge_cpus(answer, seen: dict) -> Verdict | None:
    if isinstance(answer, str) and answer.strip().isdigit():
        return Verdict(False, f"cpus is the text {answer!r}, not a number", "convert it: int(…)", code="cpus-as-text")
    if _as_number(answer) == seen["cpus"]:
        return None
    if _as_number(answer) == seen["notebook_cpus"]:
        return Verdict(False, f"cpus is {answer!r}: the CPUs of this notebook's machine, as Python counts them",
                       "the engine may run elsewhere (Docker Desktop's VM gets only some of your CPUs): ask the "
                       "engine how many CPUs it has", code="notebook-cpus")
    return Verdict(False, f"cpus is {answer!r}, not the number of CPUs the engine reports",
                   "ask the engine how many CPUs its host gives it", code="cpus-wrong")


def _close(value: float, target: float | None) -> bool:
    return bool(target) and abs(value - target) <= MEMORY_TOLERANCE * target


def _judge_memory(answer, seen: dict) -> Verdict | None:
    value, total = _as_number(answer), seen["memory_bytes"]
    if value is None:
        return Verdict(False, f"memory_bytes is {answer!r}, not a number", "a number of bytes: an int",
                       code="memory-not-a-number")
    if _close(value, total):
        return None
    if _close(value * 2**30, total) or _close(value * 1e9, total) or _close(value * 2**20, total):
        return Verdict(False, f"memory_bytes is {answer!r}: that counts GiB, GB or MiB, not bytes",
                       "give the engine's memory in bytes (1 GiB = 1024³ bytes)", code="memory-not-in-bytes")
    if _close(value, seen["notebook_memory_bytes"]):
        return Verdict(False, f"memory_bytes is {answer!r}: the memory of this notebook's machine",
                       "the engine may have less (Docker Desktop's VM gets half of your memory by default): ask "
                       "the engine", code="notebook-memory")
    return Verdict(False, f"memory_bytes is {answer!r}, not the total memory the engine reports",
                   "ask the engine for its total memory, in bytes", code="memory-wrong")


FIELD_JUDGES = {"server_version": _judge_version, "operating_system": _judge_system, "cpus": _judge_cpus,
                "memory_bytes": _judge_memory}


def judge_engine_report(seen: dict, answer) -> Verdict:
    """Exercise 0.1: each of the four facts is what the engine says about itself and its host."""
    if seen["server_version"] is None:
        return Verdict(False, "the engine did not answer", "run the doctor (section 7): is an engine running?",
                       code="no-engine")
    if answer is None:
        return Verdict(False, f"{REPORT} is not set yet",
                       f"make {REPORT} a dict with the keys {', '.join(REPORT_KEYS)}, each asked of the engine, "
                       "not of this notebook's machine: section 1 named a command that reports on the engine and "
                       "the machine it runs on", code="report-missing")
    if not isinstance(answer, dict) or set(answer) != set(REPORT_KEYS):
        keys = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
        return Verdict(False, f"{REPORT} should be a dict with exactly the keys {', '.join(REPORT_KEYS)}, not {keys}",
                       f"{REPORT} = {{'server_version': …, 'operating_system': …, 'cpus': …, 'memory_bytes': …}}",
                       code="report-keys")
    if missing := [key for key in REPORT_KEYS if answer[key] is None]:
        return Verdict(False, f"{REPORT} still has no value for {', '.join(missing)}",
                       "fill in every value, each asked of the engine", code="report-incomplete")
    for key, judge in FIELD_JUDGES.items():
        if (wrong := judge(answer[key], seen)) is not None:
            return wrong
    return Verdict(True, f"Engine {seen['server_version']} on {seen['operating_system']}, with {seen['cpus']} CPUs "
                         f"and {seen['memory_bytes'] / 2**30:.1f} GiB: what the engine says about itself")


@exercise("0.1")
def engine_report(answer) -> Verdict:
    """Exercise 0.1 (chapter 00): the learner's report on the engine, compared with what the engine says."""
    return judge_engine_report(observe_engine_report(), answer)


# --- Exercise 0.2: free a course port that a forgotten container holds -------------------------------------

#: The chapter's second port: what the set-up cell's leftover container publishes, and what the learner frees.
PORT = chapter_ports(0)[1]
#: The set-up cell's two leftovers of "another tutorial": one holds PORT, the other a port beside it.
HOLDER, BYSTANDER = "tutorial-api-1", "tutorial-web-1"


def observe_port(port: int = PORT, holder: str = HOLDER, bystander: str = BYSTANDER) -> dict:
    """Which running containers publish `port`, whether anything at all listens there, and what became of the
    set-up cell's two containers ("running", "stopped" or None when gone)."""
    publishers = docker("ps", "--filter", f"publish={port}", "--format", "{{.Names}}", check=False).stdout.split()
    states = {}
    for name in (holder, bystander):
        state = docker("container", "inspect", "--format", "{{.State.Running}}", name, check=False)
        states[name] = None if state.returncode else ("running" if state.stdout.strip() == "true" else "stopped")
    return {"port": port, "publishers": sorted(publishers), "taken": port_taken(port), "containers": states}


def judge_port(seen: dict, holder: str = HOLDER, bystander: str = BYSTANDER) -> Verdict:
    """Exercise 0.2: nothing holds the port any more, and the container beside it still runs."""
    port, others = seen["port"], seen["containers"]
    if seen["publishers"]:
        return Verdict(False, f"a running container still publishes host port {port}",
                       "docker said the port is already allocated: another container holds it. The list of running "
                       "containers shows each one's published ports (HOST:PORT->PORT/tcp): find the one with "
                       f"{port} on the host side, and free the port from that container only",
                       code="port-still-published")
    if others.get(bystander) != "running":
        return Verdict(False, f"{bystander} is not running any more, though it did not hold port {port}",
                       f"{bystander} published another port: run the set-up cell again (it recreates both), then "
                       f"free {port} from the one container that holds it", code="bystander-stopped")
    if seen["taken"]:
        return Verdict(False, f"no container publishes port {port}, yet something on this machine listens on it",
                       "a program outside Docker holds it (docker would then say `address already in use`): "
                       f"`lsof -i :{port}` (macOS, Linux) or `ss -ltnp` (Linux) names it; stop that program",
                       code="port-held-outside-docker")
    how = {"stopped": "stopped", None: "removed"}.get(others.get(holder), "freed")
    return Verdict(True, f"host port {port} is free again ({holder} {how}), and {bystander} still runs: you freed "
                         "exactly what blocked it")


@exercise("0.2")
def port_freed(port: int = PORT) -> Verdict:
    """Exercise 0.2 (chapter 00): the course port the set-up cell's leftover held is free again."""
    return judge_port(observe_port(port))


# --- Exercise 0.3: which Python is in the container? -------------------------------------------------------

def observe_python_version() -> dict:
    """The Python the course's image carries (from the manifest's tag) and the one this notebook runs."""
    return {"image_python": python_minor(), "notebook_python": platform.python_version().rsplit(".", 1)[0]}


def _run_failed(text: str) -> Verdict | None:
    """A verdict for a `docker run` that failed before the container's command could print anything."""
    if re.search(r'exec: "_+"', text):
        return Verdict(False, "the container tried to run a program called ____",
                       "everything after the image name is the command that runs inside the container, as you "
                       "would type it in a terminal: replace the blank with the command that prints Python's "
                       "version", code="blank-still-there")
    mistake = run_error(text)
    if mistake == "no such program":
        return Verdict(False, "the command after the image name is not a program in the image",
                       "the command inside the container should be `python --version`", code="no-such-program")
    if mistake == "no such image":
        return Verdict(False, "the image is not there", "use the image's name exactly, and run `make images`",
                       code="no-such-image")
    return None


def judge_python_version(seen: dict, answer: list[str]) -> Verdict:
    """Exercise 0.3: the Python version printed from inside the course's Python image."""
    text = " ".join(answer or []).strip()
    if not text:
        return Verdict(False, "the answer is empty",
                       "capture the command's output: answer = !docker run --rm … python --version",
                       code="answer-empty")
    if (failed := _run_failed(text)) is not None:
        return failed
    # `python --version` prints "Python 3.14.8"; `python -c "import sys; print(sys.version)"` starts "3.14.8 (main, …"
    found = re.search(r"Python (\d+\.\d+)\.\d+", text) or re.match(r"(\d+\.\d+)\.\d+\S* \(", text)
    if found is None:
        return Verdict(False, f"no Python version in the output: {text[:80]!r}",
                       "the command inside the container should be `python --version`", code="no-version")
    version, expected = found.group(1), seen["image_python"]
    if version == seen["notebook_python"] != expected:
        return Verdict(False, f"Python {version} is this notebook's own Python, not the container's",
                       "run the command inside a container: docker run --rm IMAGE python --version",
                       code="notebook-python")
    if version != expected:
        return Verdict(False, f"Python {version} is not the course image's Python {expected}",
                       "use the course's Python image, as in the starting cell", code="other-image")
    return Verdict(True, f"Python {version} from inside the container; this notebook runs Python "
                         f"{seen['notebook_python']}: the image brings its own")


@exercise("0.3")
def python_version_in_container(answer: list[str]) -> Verdict:
    """Exercise 0.3 (chapter 00): the Python version printed from inside the course's Python image."""
    return judge_python_version(observe_python_version(), answer)

