"""Chapter 01's exercise checkers (Containers vs virtual machines).

Each checker observes, then judges (common.py): ``observe_x`` asks the engine for a plain record, ``judge_x`` words
the verdict from that record alone, ``x`` is what the chapter's checker cell calls.
"""

from ..container_memory import to_bytes
from ..engine import docker
from ..progress import exercise
from ..wait import TimedOut, until
from .common import Verdict, container_facts, inspect_container, judge_label

CREATOR = "01"

# --- Exercise 1.1: a debug container in another container's PID namespace ---------------------------------

WEB, DEBUG = "course01-web", "course01-debug"


def observe_debug_container(name: str = DEBUG, target: str = WEB) -> dict:
    """The target container (its ID, running or not) and the learner's container: its label, state and the PID
    namespace it was given (HostConfig.PidMode: "" for its own, "host", or "container:ID")."""
    found, aimed = inspect_container(name), inspect_container(target)
    seen = {"target": None, "debug": None}
    if aimed is not None:
        seen["target"] = {"name": target, "id": aimed["Id"], "running": bool(aimed["State"]["Running"])}
    if found is not None:
        seen["debug"] = {"name": name, "labels": found["Config"].get("Labels") or {},
                         "running": bool(found["State"]["Running"]), "status": found["State"]["Status"],
                         "exit_code": found["State"]["ExitCode"], "pid_mode": found["HostConfig"].get("PidMode") or ""}
    return seen


def _debug_not_there(seen: dict, name: str, target: str, creator: str) -> Verdict | None:
    debug = seen["debug"]
    if seen["target"] is None or not seen["target"]["running"]:
        return Verdict(False, f"{target} is not running, so there is nothing to look into",
                       "run the cell of section 1 that starts it, then start yours again", code="target-not-running")
    if debug is None:
        return Verdict(False, f"the engine has no container named {name}",
                       "start it from the course's Python image, with the chapter's label and a command that keeps it "
                       "running. Which namespaces a new container gets is chosen by options of docker run (its "
                       "--help lists them): section 3 used one of them to look at the host's processes",
                       code="debug-missing")
    if (unlabelled := judge_label(debug, creator)) is not None:
        return unlabelled
    if not debug["running"]:
        return Verdict(False, f"{name} is not running ({debug['status']}, exit code {debug['exit_code']})",
                       "a container lives as long as its command: give it one that keeps running (a container you "
                       f"look from needs nothing else to do); remove it first (docker rm -f {name})",
                       code="debug-exited")
    return None


def judge_debug_container(seen: dict, name: str = DEBUG, target: str = WEB, creator: str = CREATOR) -> Verdict:
    """Exercise 1.1: the learner's container runs, labelled, in the target's PID namespace."""
    if (wrong := _debug_not_there(seen, name, target, creator)) is not None:
        return wrong
    mode, aimed = seen["debug"]["pid_mode"], seen["target"]
    if mode == "host":
        return Verdict(False, f"{name} sees every process of the engine's host: it joined the host's PID namespace",
                       f"it should see what {target} sees, no more: the same option takes a container instead of "
                       f"the host (docker rm -f {name} first)", code="joined-the-host")
    if not mode.startswith("container:"):
        return Verdict(False, f"{name} has a PID namespace of its own: it sees only its own processes",
                       f"remove it and start it again in {target}'s PID namespace: the option that section 3 set "
                       "to the host takes a container too", code="own-pid-namespace")
    if mode.removeprefix("container:") not in (aimed["id"], aimed["name"]):
        return Verdict(False, f"{name} joined the PID namespace of another container, not {target}'s",
                       f"name {target} (or its ID) in the option", code="joined-another-container")
    return Verdict(True, f"{name} shares {target}'s PID namespace: in it, {target}'s server is PID 1 and {name}'s "
                         "own processes are listed beside it, with no tool needed in the server's image")


@exercise("1.1")
def debug_container(name: str = DEBUG, target: str = WEB) -> Verdict:
    """Exercise 1.1 (chapter 01): a container that sees `target`'s processes, as `target` itself does."""
    return judge_debug_container(observe_debug_container(name, target), name, target)


# --- Exercise 1.2: a worker that the OOM killer stops ------------------------------------------------------

WORKER = "course01-worker"
#: What the worker's program allocates, as its command says it: its cache.
ALLOCATION = "bytearray(100 * 2**20)"
LOADED = "cache loaded"
#: How long a running worker may take to say that its cache loaded.
LOADING_S = 10
KILLED = 137  # the exit code of a process ended by SIGKILL (128 + 9), as the OOM killer ends it
#: A limit that holds the cache and the interpreter (about 110 MiB) with room to spare.
ENOUGH_MIB = 120


def _loaded(name: str) -> bool | None:
    """True once the worker's log says its cache loaded; None before (what `until` waits past)."""
    return LOADED in docker("logs", "--tail", "20", name, check=False, merge=True).stdout or None


def observe_worker(name: str = WORKER, patience: float = LOADING_S) -> dict | None:
    """The worker's state, limit and command, and whether its log says the cache loaded; None when it is gone.

    A worker that runs but has not said so yet gets `patience` seconds (loading takes a moment after a start), and
    is looked at again after them: the OOM killer may have ended it meanwhile."""
    facts = container_facts(name)
    if facts is None:
        return None
    loaded = bool(_loaded(name))
    if facts["running"] and not loaded:
        try:
            loaded = bool(until(lambda: _loaded(name), timeout=patience, every=0.5, what="the cache loaded"))
        except TimedOut:
            loaded = False
        facts = container_facts(name) or facts
    if facts["exit_code"] == KILLED and not facts["oom_killed"]:
        facts = _oom_flag_settled(name, facts)
    seen = {key: facts[key] for key in ("name", "labels", "running", "status", "exit_code", "oom_killed", "memory",
                                        "restart_count")}
    return {**seen, "command": " ".join(facts["command"]), "loaded": loaded}


def _oom_flag_settled(name: str, facts: dict) -> dict:
    """The engine records the exit (137: SIGKILL) and the kernel's OOM event separately, and `OOMKilled` can follow
    the exit by a moment (measured: once in a make test run): a killed worker is read again for up to 2 s."""
    try:
        return until(lambda: (again := container_facts(name)) and again["oom_killed"] and again, timeout=2,
                     every=0.2, what="the OOM flag")
    except TimedOut:
        return facts


def _worker_running(seen: dict) -> Verdict:
    if seen["loaded"]:
        return Verdict(True, f"{seen['name']} runs with its cache loaded under a {seen['memory'] // 2**20} MiB limit: "
                             "enough for what it needs, and still a limit")
    return Verdict(False, f"{seen['name']} is running but has not loaded its cache yet",
                   "check again in a moment: loading takes about a second", code="still-loading")


def _worker_stopped(seen: dict) -> Verdict:
    name, limit = seen["name"], seen["memory"] // 2**20
    if seen["status"] == "restarting":
        return Verdict(False, f"{name} is between two attempts (restarting after exit code {seen['exit_code']})",
                       "its restart policy starts it again after a pause: check again in a few seconds, and if it "
                       "keeps failing, read why it ended", code="restarting")
    if not seen["oom_killed"]:
        return Verdict(False, f"{name} exited with {seen['exit_code']}, not from an OOM kill",
                       f"its logs say why (docker logs {name})", code="exited-otherwise")
    if limit >= ENOUGH_MIB:
        return Verdict(False, f"{name}'s limit is now {limit} MiB, enough, but it is still stopped from its last "
                              "OOM kill",
                       "a new limit applies from the container's next start, and its restart policy gave up after "
                       "three tries: it does not come back by itself", code="limit-changed-still-stopped")
    return Verdict(False, f"{name} is not running: it exited with {seen['exit_code']} and OOMKilled is true",
                   "137 = 128 + 9: the kernel killed it with SIGKILL for going over its memory limit. Its logs say how "
                   "far it got; its command says how much it allocates. Give it the memory it needs, keep a limit, "
                   "and have it running again", code="over-its-limit")


def judge_worker(seen: dict | None, name: str = WORKER, creator: str = CREATOR) -> Verdict:
    """Exercise 1.2: the worker runs its unchanged program, under a memory limit large enough for it."""
    if seen is None:
        return Verdict(False, f"the engine has no container named {name}",
                       "run the set-up cell again: it creates it. If you re-create it yourself, keep its name, its "
                       "label and its command", code="worker-missing")
    if (unlabelled := judge_label(seen, creator)) is not None:
        return unlabelled
    if ALLOCATION not in seen["command"]:
        return Verdict(False, f"{name} no longer runs the worker's program ({seen['command'][:60]!r})",
                       f"the program needs its cache ({ALLOCATION}): give it the memory instead of changing it",
                       code="program-changed")
    if not seen["memory"]:
        return Verdict(False, f"{name} runs without a memory limit",
                       "with no limit, one leaking worker can take the whole machine's memory: keep a limit, large "
                       "enough for the cache", code="no-memory-limit")
    return _worker_running(seen) if seen["running"] else _worker_stopped(seen)


@exercise("1.2")
def worker_repaired(name: str = WORKER) -> Verdict:
    """Exercise 1.2 (chapter 01): the OOM-killed worker runs again, its program unchanged, under a limit."""
    return judge_worker(observe_worker(name), name)


# --- Exercise 1.3: which container uses the most memory? ---------------------------------------------------

SERVICES = ("course01-cart", "course01-search", "course01-mail")


def observe_memory_use(names: tuple[str, ...] = SERVICES) -> dict:
    """What each of the containers uses now, in bytes, as `docker stats` measures it; None for one not running."""
    running = set(docker("ps", "--format", "{{.Names}}", check=False).stdout.split())
    present = [name for name in names if name in running]
    usage: dict[str, int | None] = dict.fromkeys(names)
    if present:
        rows = docker("stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}", *present, check=False).stdout
        for row in rows.splitlines():
            name, _, amounts = row.partition("\t")
            if name in usage and "/" in amounts:
                usage[name] = to_bytes(amounts.split("/")[0])
    return {"usage": usage}


def judge_memory_use(seen: dict, answer) -> Verdict:
    """Exercise 1.3: the answer names the container that uses the most memory."""
    usage = seen["usage"]
    if None in usage.values():
        gone = ", ".join(name for name, used in usage.items() if used is None)
        return Verdict(False, f"not running: {gone}", "run the set-up cell again: it starts the three containers",
                       code="set-up-not-running")
    names = ", ".join(usage)
    if answer is None:
        return Verdict(False, "hungriest is not set yet",
                       "the engine measures what each running container uses, live, and one command lists it per "
                       f"container (section 7 read its memory column). Compare {names}, and put the name of the "
                       "biggest user, as a str, in hungriest", code="answer-missing")
    if not isinstance(answer, str) or answer.strip() not in usage:
        return Verdict(False, f"hungriest is {answer!r}, not one of {names}",
                       "the container's name, as a str", code="not-a-name")
    mebibytes = {name: used / 2**20 for name, used in usage.items()}
    biggest, smallest = max(mebibytes, key=mebibytes.get), min(mebibytes, key=mebibytes.get)
    chosen = answer.strip()
    if chosen == smallest:
        return Verdict(False, f"{chosen} uses the least memory of the three ({mebibytes[chosen]:.0f} MiB)",
                       "the biggest user is wanted: did the comparison run the other way round?",
                       code="picked-the-smallest")
    if chosen != biggest:
        return Verdict(False, f"{chosen} uses {mebibytes[chosen]:.0f} MiB, but another of the three uses more",
                       "compare the memory column of all three, measured at the same moment", code="not-the-biggest")
    return Verdict(True, f"{chosen} uses {mebibytes[chosen]:.0f} MiB, the most of the three: "
                         + ", ".join(f"{name} {used:.0f} MiB" for name, used in mebibytes.items()))


@exercise("1.3")
def hungriest(answer) -> Verdict:
    """Exercise 1.3 (chapter 01): the name of the set-up's container that uses the most memory."""
    return judge_memory_use(observe_memory_use(), answer)
