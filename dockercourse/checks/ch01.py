"""Chapter 01's exercise checkers (Containers vs virtual machines).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import os

from .. import LABEL
from ..engine import docker
from .common import Verdict, inspect_container, not_labelled


def oom_killed(exit_code, oom_killed, name: str = "ch01-hog", creator: str = "01") -> Verdict:
    """Exercise 1.1 (chapter 01): a container killed by the kernel's OOM killer, and its exit state read back."""
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"the engine has no container named {name!r}",
                       f"in the first cell, run it detached (-d) with --name {name}, --label {LABEL}={creator} and "
                       "a --memory limit below what its program allocates, then docker wait for it; without --rm: "
                       "--rm deletes the container, and its exit code and OOMKilled flag with it")
    if (problem := not_labelled(container, name, creator)) is not None:
        return problem
    state, limit = container["State"], container["HostConfig"].get("Memory") or 0
    if limit == 0:
        return Verdict(False, f"container {name} has no memory limit, so there is nothing to exceed",
                       f"docker rm -f {name}, then run it again with --memory 64m")
    if state["Running"]:
        return Verdict(False, f"container {name} is still running",
                       f"wait for it to end (docker wait {name}); if it never ends, its program does not "
                       "allocate: use python -c \"data = bytearray(256 * 1024 * 1024)\"")
    if state["ExitCode"] == 0:
        return Verdict(False, f"{name} exited with 0: its program stayed within the {limit // 2**20} MiB limit",
                       f"allocate more than the limit, e.g. bytearray(256 * 1024 * 1024) under --memory 64m "
                       f"(docker rm -f {name} first)")
    if state["ExitCode"] == 137 and not state["OOMKilled"]:
        return Verdict(False, f"{name} got SIGKILL (exit code 137), but not from the OOM killer: OOMKilled is false",
                       "someone else killed it (docker kill, or docker stop after its timeout): "
                       "let the program itself allocate past the limit")
    if not state["OOMKilled"]:
        return Verdict(False, f"{name} exited with {state['ExitCode']}, and OOMKilled is false",
                       f"read docker logs {name}: the program failed before it reached the limit")
    if exit_code is None or oom_killed is None:
        return Verdict(False, f"{name} was OOM-killed, but exit_code and oom_killed are not both set yet "
                              f"(exit_code={exit_code!r}, oom_killed={oom_killed!r})",
                       "in the second cell, read State.ExitCode and State.OOMKilled from hog_json: "
                       "json.loads(\"\\n\".join(hog_json))[0][\"State\"]")
    if isinstance(exit_code, list | tuple):
        return Verdict(False, f"exit_code is a list of output lines, {exit_code!r}, not a number",
                       "take the number out: exit_code = int(lines[0])")
    if isinstance(exit_code, str) and exit_code.strip().isdigit():
        return Verdict(False, f"exit_code is the text {exit_code!r}, not a number", "convert it: int(…)")
    if exit_code == 9:
        return Verdict(False, "9 is the signal's number (SIGKILL), not the exit code the engine reports",
                       "a process killed by signal N exits with 128 + N: read State.ExitCode")
    if exit_code != state["ExitCode"]:
        return Verdict(False, f"you answered exit_code={exit_code!r}, but the engine says {state['ExitCode']}",
                       f"read it from the engine: State.ExitCode in docker inspect {name} (or docker wait {name})")
    if isinstance(oom_killed, str):
        oom_killed = {"true": True, "false": False}.get(oom_killed.strip().lower(), oom_killed)
    if oom_killed is not True:
        return Verdict(False, f"you answered oom_killed={oom_killed!r}, but the engine says True",
                       f"read State.OOMKilled in docker inspect {name}")
    return Verdict(True, f"{name} exited with 137 = 128 + 9 (SIGKILL) and OOMKilled is true: the kernel killed it "
                         f"for exceeding its {limit // 2**20} MiB limit")


def _parent_pid(name: str, pid: int) -> int | None:
    """The host PID of the parent of a container's process, as `docker top NAME -o pid,ppid` lists it.

    Asked of the engine, not of this machine's /proc: under Docker Desktop the process is in its VM.
    """
    listed = docker("top", name, "-o", "pid,ppid", check=False).stdout.splitlines()[1:]
    parents = {int(row[0]): int(row[1]) for row in (line.split() for line in listed) if len(row) == 2}
    return parents.get(pid)


def host_pid(answer, name: str = "ch01-web") -> Verdict:
    """Exercise 1.2 (chapter 01): the host's PID for a container's PID 1."""
    container = inspect_container(name)
    if container is None or not container["State"]["Running"]:
        return Verdict(False, f"container {name} is not running, so its PID 1 has no host PID",
                       "run the cell of section 1 that starts it (docker run -d --name ch01-web …), then ask again")
    engine_pid = container["State"]["Pid"]
    if answer is None:
        return Verdict(False, "host_pid is still None",
                       f"ask the engine: in the JSON that docker inspect {name} prints, State.Pid is the host's "
                       "number for the container's PID 1 (json.loads reads the captured lines, joined)")
    if isinstance(answer, list | tuple):
        return Verdict(False, f"that is a list of output lines, {answer!r}, not a PID",
                       "take the number out: answer = int(lines[0]), or parse the JSON of docker inspect")
    if isinstance(answer, str) and answer.strip().isdigit():
        return Verdict(False, f"{answer!r} is text, not a number", "convert it: int(…)")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return Verdict(False, f"{answer!r} is not a PID", "a PID is an int: State.Pid in docker inspect's JSON")
    if answer == 1:
        return Verdict(False, "1 is the process's PID inside the container's own PID namespace",
                       f"the host numbers it differently: ask the engine, State.Pid in docker inspect {name}")
    if answer == os.getpid():
        return Verdict(False, f"{answer} is this notebook's own process", f"ask the engine about {name}: State.Pid")
    if answer == _parent_pid(name, engine_pid):
        return Verdict(False, f"{answer} is the parent of the container's PID 1 (containerd-shim-runc-v2)",
                       "take the process itself: State.Pid")
    if answer != engine_pid:
        return Verdict(False, f"the engine says {name}'s PID 1 is PID {engine_pid} on the host, not {answer}",
                       f"read State.Pid from docker inspect {name}; it changes each time the container starts")
    return Verdict(True, f"that host PID is PID 1 in {name}: one process, numbered in two PID namespaces")


def resource_limits(limits, name: str = "ch01-limited", cpus: float = 0.5, memory: str = "128m",
                    creator: str = "01") -> Verdict:
    """Exercise 1.3 (chapter 01): a container run with --cpus and --memory, its limits read back from the engine."""
    mebibytes = int(memory.rstrip("m"))
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"the engine has no container named {name!r}",
                       f"start it first: docker run -d --name {name} --label {LABEL}={creator}, with the two options "
                       f"that cap it at {cpus} CPU and {mebibytes} MiB (docker run --help lists them), "
                       f"then the image and sleep 600")
    if (problem := not_labelled(container, name, creator)) is not None:
        return problem
    host = container["HostConfig"]
    nano_cpus, shares, engine_memory = host.get("NanoCpus") or 0, host.get("CpuShares") or 0, host.get("Memory") or 0
    if nano_cpus == 0 and shares:
        return Verdict(False, f"{name} has --cpu-shares {shares}, a relative weight under contention, not a cap",
                       f"docker rm -f {name}, then run it with --cpus {cpus}")
    if nano_cpus != round(cpus * 1e9):
        return Verdict(False, f"{name}'s CPU limit is {nano_cpus / 1e9:g} CPUs, not {cpus}",
                       f"docker rm -f {name}, then run it with --cpus {cpus}")
    if engine_memory == mebibytes * 10**6:
        return Verdict(False, f"{name}'s memory limit is {engine_memory} bytes: {mebibytes} million, "
                              f"not {mebibytes} MiB", f"write --memory {memory}: m means MiB, 1024 × 1024 bytes")
    if engine_memory != mebibytes * 2**20:
        return Verdict(False, f"{name}'s memory limit is {engine_memory} bytes, not {mebibytes} MiB",
                       f"docker rm -f {name}, then run it with --memory {memory}")
    if not isinstance(limits, dict) or set(limits) != {"cpus", "memory_bytes"}:
        return Verdict(False, f"limits should be a dict with the keys 'cpus' and 'memory_bytes', not {limits!r}",
                       "limits = {'cpus': …, 'memory_bytes': …}, both read from HostConfig in docker inspect")
    if None in limits.values():
        return Verdict(False, f"limits still holds None: {limits!r}",
                       f"read both back from the engine: HostConfig.NanoCpus (billionths of a CPU) and "
                       f"HostConfig.Memory (bytes) in the JSON that docker inspect {name} prints")
    if limits["cpus"] == nano_cpus:
        return Verdict(False, f"{limits['cpus']} is NanoCpus, in billionths of a CPU",
                       "divide by 1e9: HostConfig.NanoCpus / 1e9")
    if limits["cpus"] != nano_cpus / 1e9:
        return Verdict(False, f"cpus={limits['cpus']!r}, but the engine says {nano_cpus / 1e9:g}",
                       "read HostConfig.NanoCpus and divide by 1e9")
    if limits["memory_bytes"] == mebibytes:
        return Verdict(False, f"memory_bytes={mebibytes} is the limit in MiB",
                       "the engine stores bytes: HostConfig.Memory")
    if limits["memory_bytes"] != engine_memory:
        return Verdict(False, f"memory_bytes={limits['memory_bytes']!r}, but the engine says {engine_memory}",
                       "read HostConfig.Memory")
    return Verdict(True, f"{name} may use {nano_cpus / 1e9:g} CPUs and {engine_memory} bytes ({mebibytes} MiB): "
                         "the cgroup limits, read back from the engine")
