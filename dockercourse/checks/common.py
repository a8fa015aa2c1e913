"""What every chapter's checkers share: the verdict they return and how they look at the engine.

A checker observes, then judges — three functions in its chapter's module:

- ``observe_x(...) -> dict`` asks the engine (inspect, logs, an HTTP GET) and returns a plain record of only the
  facts the judgement needs, in JSON-able types, so that a test can write one by hand
  (``container_facts`` is the record of a container most checkers start from);
- ``judge_x(seen, ...) -> Verdict`` is pure: no engine, no files, no network; it judges the record and words the
  message and the hint, and names each mistake with a stable ``code``;
- ``x(...) = judge_x(observe_x(...), ...)`` is what the chapter's checker cell calls. It never raises: an answer
  that is not there yet is a hint, not an error.

So most checker tests judge recorded observations without an engine, and a few prove the observing side.
"""

import json
import re
from dataclasses import dataclass

from .. import LABEL
from ..engine import docker
from ..manifest import manifest_image


@dataclass(frozen=True)
class Verdict:
    """What a checker found; shown as the check cell's output, and true when the answer is right.

    `code` names the mistake of a failing verdict in a stable, kebab-case word ("published-on-all-interfaces"):
    what a learner's progress and an instructor's view of the room count, whatever the wording of the hint.
    """

    ok: bool
    message: str
    hint: str = ""
    code: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"✓ {self.message}" if self.ok else f"✗ {self.message}\n  hint: {self.hint}"


#: What a failed `docker run` prints, by the mistake behind it; each checker words its own hint.
RUN_ERRORS = {
    "bad port": re.compile(r"invalid (containerPort|hostPort|published port|port)", re.IGNORECASE),
    "port taken": re.compile(r"port is already allocated|address already in use"),
    "no such program": re.compile(r"executable file not found"),
    "name taken": re.compile(r"is already in use by container"),
    "no such image": re.compile(r"Unable to find image|No such image|pull access denied|invalid reference format"),
}


def run_error(text: str) -> str | None:
    """Which mistake a failed `docker run`'s message points to (a key of RUN_ERRORS), or None."""
    return next((mistake for mistake, pattern in RUN_ERRORS.items() if pattern.search(text)), None)


def inspect_container(name: str) -> dict | None:
    """What `docker container inspect NAME` says, as a dict; None when the engine has no such container."""
    inspected = docker("container", "inspect", name, check=False)
    return json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None


def python_minor() -> str:
    """The Python major.minor inside the course's Python image, from its manifest name."""
    return re.match(r"python:(\d+\.\d+)", manifest_image("python").name).group(1)


def _published(found: dict) -> dict[str, list[list[str]]]:
    """{"8000/tcp": [["127.0.0.1", "8058"]]}: the container's published ports only."""
    ports = (found.get("NetworkSettings") or {}).get("Ports") or {}
    return {port: [[binding.get("HostIp", ""), binding.get("HostPort", "")] for binding in bindings]
            for port, bindings in ports.items() if bindings}


def _mounts(found: dict) -> list[dict]:
    return [{"type": mount.get("Type"), "source": mount.get("Name") or mount.get("Source"),
             "destination": mount.get("Destination"), "rw": mount.get("RW")} for mount in found.get("Mounts", [])]


def _environment(config: dict) -> dict[str, str]:
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in config.get("Env") or [])


def _state_facts(state: dict) -> dict:
    return {"status": state.get("Status", ""), "running": bool(state.get("Running")),
            "exit_code": state.get("ExitCode"), "oom_killed": bool(state.get("OOMKilled")),
            "health": (state.get("Health") or {}).get("Status")}


def _host_facts(host: dict) -> dict:
    policy = host.get("RestartPolicy") or {}
    return {"read_only": bool(host.get("ReadonlyRootfs")), "memory": host.get("Memory") or 0,
            "cap_add": host.get("CapAdd") or [], "cap_drop": host.get("CapDrop") or [],
            "security_opt": host.get("SecurityOpt") or [],
            "restart_policy": {"name": policy.get("Name", ""), "max": policy.get("MaximumRetryCount", 0)}}


def container_facts(name: str) -> dict | None:
    """A container as a checker judges it, from `docker container inspect`: a compact, JSON-able record; None
    when the engine has no such container.

    Keys: name, id, image (as given to `docker run`), image_id, labels, status, running, exit_code, oom_killed,
    health (None without a HEALTHCHECK), restart_count, command (entrypoint and cmd as one list), env (a dict),
    user, ports ({"8000/tcp": [["127.0.0.1", "8058"]]}, published ones only), mounts ([{type, source,
    destination, rw}]), networks (names), read_only, memory (bytes, 0 = unlimited), cap_add, cap_drop,
    security_opt, restart_policy ({"name": …, "max": …}).
    """
    found = inspect_container(name)
    if found is None:
        return None
    config = found["Config"]
    return {
        "name": found["Name"].lstrip("/"), "id": found["Id"], "image": config.get("Image", ""),
        "image_id": found.get("Image", ""), "labels": config.get("Labels") or {},
        "restart_count": found.get("RestartCount", 0),
        "command": [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])], "env": _environment(config),
        "user": config.get("User", ""), "ports": _published(found), "mounts": _mounts(found),
        "networks": sorted(((found.get("NetworkSettings") or {}).get("Networks") or {}).keys()),
        **_state_facts(found["State"]), **_host_facts(found["HostConfig"]),
    }


def judge_label(facts: dict, creator: str) -> Verdict | None:
    """A failing verdict when the container lacks its creator's label (the chapter's cleanup could not find it)."""
    if facts["labels"].get(LABEL) != creator:
        return Verdict(False, f"container {facts['name']} does not carry the label {LABEL}={creator}",
                       f"remove it (docker rm -f {facts['name']}) and run it again with the chapter's label, "
                       "so that the chapter's cleanup finds it", code="label-missing")
    return None


# --- Networks and Compose: what chapters 06 and 07 observe -----------------------------------------------

#: Run in a throwaway container that shares a container's network namespace (and so its DNS view): where a name
#: leads from there, and whether the port answers. Prints one JSON line.
REACH = """
import json, socket, sys
name, port = sys.argv[1], int(sys.argv[2])
try:
    found = sorted({info[4][0] for info in socket.getaddrinfo(name, port, proto=socket.IPPROTO_TCP)})
except socket.gaierror:
    found = []
try:
    socket.create_connection((name, port), timeout=3).close()
    opened = True
except OSError:
    opened = False
print(json.dumps({"resolved": found, "open": opened}))
"""
#: Run inside a container of the app's image: a GET on its own port 8000; prints the status, then the body.
GET_INSIDE = """
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:8000" + sys.argv[1], timeout=5) as answer:
        print(answer.status); print(answer.read().decode())
except urllib.error.HTTPError as error:
    print(error.code); print(error.read().decode())
"""


def service_containers(project: str, service: str) -> list[str]:
    """The names of a Compose service's containers, running or not, by replica number; one-off runs left out."""
    rows = docker("ps", "--all", "--filter", f"label=com.docker.compose.project={project}",
                  "--filter", f"label=com.docker.compose.service={service}",
                  "--filter", "label=com.docker.compose.oneoff=False",
                  "--format", '{{.Names}} {{.Label "com.docker.compose.container-number"}}').stdout.split("\n")
    pairs = [row.split() for row in rows if row.strip()]
    return [name for name, *_ in sorted(pairs, key=lambda pair: int(pair[1]) if len(pair) > 1 else 0)]


def addresses(name: str) -> dict[str, str]:
    """A container's IPv4 address on each of its networks."""
    found = docker("container", "inspect", "--format", "{{json .NetworkSettings.Networks}}", name, check=False)
    networks = json.loads(found.stdout) if found.returncode == 0 else {}
    return {network: settings.get("IPAddress", "") for network, settings in (networks or {}).items()}


def reach_from(container: str, name: str, port: int, creator: str) -> dict:
    """From `container`'s network namespace: {"resolved": [addresses of `name`], "open": whether `port` answers}.
    A throwaway container of the course's Python image joins the namespace, so the learner's image may lack
    Python (a debug container, as chapter 07 shows)."""
    result = docker("run", "--rm", "--label", f"{LABEL}={creator}", "--network", f"container:{container}",
                    manifest_image("python").name, "python", "-c", REACH, name, str(port), check=False)
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"resolved": [], "open": False}


def get_inside(container: str, path: str) -> tuple[int, str] | None:
    """(status, body) of a GET on the app's own port from inside its container; None when nothing answers."""
    result = docker("exec", container, "python", "-c", GET_INSIDE, path, check=False)
    status, _, body = result.stdout.partition("\n")
    return (int(status), body.strip()) if result.returncode == 0 and status.strip().isdigit() else None
