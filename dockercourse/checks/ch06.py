"""Chapter 06's exercise checkers (Docker Compose): each observes, then judges (see common.py).

- Exercise 6.1, ``probe_reaches_redis``: a container of the learner's own, outside the Compose file, in which the
  service name ``redis`` leads to the stack's Redis.
- Exercise 6.2, ``web_health_check_runs``: the stack runs with a colleague's override file whose healthcheck could
  not run in the slim image; repaired, ``web`` is healthy by a check that asks the app.
- Exercise 6.3, ``compose_app_version``: the stack runs version 3.0, the value read from an env file.
- Exercise 6.4, ``compose_replicas``: four healthy replicas of ``web``, each on a host port of its own, one count.
"""

import json
import re
from pathlib import Path

from .. import LABEL
from ..engine import docker
from ..progress import exercise
from .common import Verdict, addresses, container_facts, get_inside, reach_from, service_containers

PROJECT = "course06"
#: How a learner names the stack in a hint (the chapter runs it from notebooks/).
STACK = "docker compose -p {project} -f ../sample_app/compose.yaml"
CONFIG_FILES = "com.docker.compose.project.config_files"
ENV_FILES = "com.docker.compose.project.environment_file"


def _stack_hint(project: str) -> str:
    return f"bring the stack up first: {STACK.format(project=project)} up -d --wait"


# --- Exercise 6.1: a probe of one's own on the project network -------------------------------------------

def observe_probe(probe: str, project: str, service: str = "redis", port: int = 6379, creator: str = "06") -> dict:
    """The probe container, the service's containers with their addresses, and what the name leads to from the
    probe."""
    facts = container_facts(probe)
    seen = {"probe": None, "targets": [], "reached": None}
    if facts is not None:
        seen["probe"] = {key: facts[key] for key in ("name", "running", "status", "exit_code", "command", "networks")}
        seen["probe"]["label"] = facts["labels"].get(LABEL)
    for name in service_containers(project, service):
        target = container_facts(name)
        seen["targets"].append({"name": name, "running": bool(target and target["running"]),
                                "addresses": sorted(addresses(name).values())})
    if facts is not None and facts["running"]:
        seen["reached"] = reach_from(probe, service, port, creator)
    return seen


def _probe_not_there(seen: dict, probe: str, creator: str) -> Verdict | None:
    found = seen["probe"]
    if found is None:
        return Verdict(False, f"there is no container {probe} yet",
                       "start it in the starting cell, with the chapter's label and a command that keeps it "
                       "running; the check then asks it where the name `redis` leads. Section 4 showed where "
                       "Docker answers such names, and where it does not", code="probe-missing")
    if found["label"] != creator:
        return Verdict(False, f"container {probe} does not carry the label {LABEL}={creator}",
                       f"remove it (docker rm -f {probe}) and start it again with the chapter's label, so that "
                       "the chapter's cleanup finds it", code="label-missing")
    if not found["running"]:
        return Verdict(False, f"{probe} is not running (state: {found['status']}, exit code {found['exit_code']})",
                       "a container lives as long as its main process: "
                       f"`{' '.join(found['command']) or '(the image default)'}` ended at once (a Python with no "
                       "script and no terminal exits). Start it again with a command that stays, such as "
                       "`sleep infinity`", code="probe-exited")
    return None


def judge_probe(seen: dict, probe: str = "course06-probe", service: str = "redis", port: int = 6379,
                creator: str = "06", project: str = PROJECT) -> Verdict:
    """Exercise 6.1: the probe runs, labelled, and in it `service` resolves to the stack's container and answers."""
    if (wrong := _probe_not_there(seen, probe, creator)) is not None:
        return wrong
    running = [target for target in seen["targets"] if target["running"]]
    if not running:
        return Verdict(False, f"the stack's {service} is not running", _stack_hint(project), code="stack-down")
    reached, networks = seen["reached"] or {"resolved": [], "open": False}, ", ".join(seen["probe"]["networks"])
    if not reached["resolved"]:
        return Verdict(False, f"inside {probe}, the name `{service}` does not resolve",
                       f"{probe} is on {networks or 'no network'}. Service names are answered only to containers "
                       "on a network of the project (section 4); `docker network ls` lists the networks",
                       code="name-not-resolved")
    known = {address for target in running for address in target["addresses"]}
    if not set(reached["resolved"]) & known:
        return Verdict(False, f"inside {probe}, `{service}` leads to {', '.join(reached['resolved'])}, "
                              f"not to the {project} stack's {service}",
                       f"another project's service of the same name answers there: join {project}'s own network",
                       code="resolves-elsewhere")
    if not reached["open"]:
        return Verdict(False, f"`{service}` resolves in {probe}, but port {port} does not answer",
                       f"is the stack's {service} healthy? {STACK.format(project=project)} ps", code="port-closed")
    return Verdict(True, f"{probe} runs outside the Compose file, and inside it `{service}` leads to the stack's "
                         f"{service}, port {port} answering")


@exercise("6.1")
def probe_reaches_redis(probe: str = "course06-probe", project: str = PROJECT, service: str = "redis",
                        port: int = 6379, creator: str = "06") -> Verdict:
    """Exercise 6.1 (chapter 06): in the learner's own container, `service` leads to the stack's Redis."""
    return judge_probe(observe_probe(probe, project, service, port, creator), probe, service, port, creator, project)


# --- Exercise 6.2: a healthcheck that cannot run in a slim image -----------------------------------------

def _health(name: str) -> dict:
    """The container's healthcheck as configured (its test) and as last run (exit code, output)."""
    found = docker("container", "inspect", "--format", "{{json .Config.Healthcheck}}\n{{json .State.Health}}",
                   name, check=False).stdout.splitlines()
    config, state = (json.loads(line) if line.strip() else None for line in (found + ["", ""])[:2])
    last = ((state or {}).get("Log") or [{}])[-1]
    return {"test": (config or {}).get("Test"), "last_exit": last.get("ExitCode"),
            "last_output": (last.get("Output") or "").strip()[:300]}


def observe_web_health(project: str, service: str = "web") -> dict:
    """Each container of the service: running, health, its healthcheck and last result, the compose files it was
    made from, and whether the app answers /health from inside."""
    containers = []
    for name in service_containers(project, service):
        facts = container_facts(name)
        if facts is None:
            continue
        record = {"name": name, "running": facts["running"], "status": facts["status"], "health": facts["health"],
                  "config_files": [Path(path).name for path in facts["labels"].get(CONFIG_FILES, "").split(",")
                                   if path], **_health(name)}
        answer = get_inside(name, "/health") if facts["running"] else None
        record["app_status"] = answer[0] if answer else None
        containers.append(record)
    return {"containers": containers}


def _check_text(test: list[str] | None) -> str:
    return " ".join((test or [])[1:]).strip()


def _always_passes(test: list[str] | None) -> bool:
    """A check that cannot fail: `true`, `exit 0`, `echo …` — it proves nothing about the app."""
    text = _check_text(test)
    return bool(re.fullmatch(r"(/bin/)?true|exit 0|echo\b.*|:", text))


def _web_not_judgeable(seen: dict, project: str, override: str) -> Verdict | None:
    if not seen["containers"]:
        return Verdict(False, f"project {project} has no web container",
                       f"bring the stack up with both files, compose.yaml and {override}", code="stack-down")
    web = seen["containers"][0]
    if not web["running"]:
        return Verdict(False, f"{web['name']} is not running (state: {web['status']})",
                       f"read why: {STACK.format(project=project)} logs web", code="web-not-running")
    if override not in web["config_files"]:
        return Verdict(False, f"{web['name']} was made from {', '.join(web['config_files'])}, without {override}",
                       f"CI runs the stack with {override}: repair that file, and bring the stack up with both "
                       "files again", code="override-dropped")
    if web["health"] is None or (web["test"] or [""])[0] == "NONE":
        return Verdict(False, f"{web['name']} has no healthcheck any more",
                       "with no check, `up --wait` and `depends_on: condition: service_healthy` have nothing to "
                       "wait for, and an app that hangs looks fine: keep a check, one that can run in this image",
                       code="healthcheck-disabled")
    if _always_passes(web["test"]):
        return Verdict(False, f"{web['name']}'s check, `{_check_text(web['test'])}`, passes whatever the app does",
                       "a healthcheck must ask the app something (its /health endpoint) and fail when it gets no "
                       "answer", code="check-always-passes")
    return None


def judge_web_health(seen: dict, project: str = PROJECT, override: str = "compose.ci.yaml") -> Verdict:
    """Exercise 6.2: web runs from both files, with a healthcheck that asks the app, and is healthy."""
    if (wrong := _web_not_judgeable(seen, project, override)) is not None:
        return wrong
    web = seen["containers"][0]
    answering = "the app itself answers /health from inside" if web["app_status"] == 200 else "the app answers"
    if web["health"] == "starting":
        return Verdict(False, f"{web['name']}'s health is still `starting`",
                       "give the check its start period: `up -d --wait` returns once it has passed (or failed)",
                       code="still-starting")
    if web["health"] != "healthy" and "not found" in web["last_output"]:
        return Verdict(False, f"{web['name']} is {web['health']}: its healthcheck fails, while {answering}",
                       "the check is not the app: the engine keeps each check's exit code and output (section 6 "
                       "printed the last one with docker inspect). Read it, and compare what the check runs with "
                       "what this image contains", code="check-command-missing")
    if web["health"] != "healthy":
        return Verdict(False, f"{web['name']} is {web['health']}: its check exits {web['last_exit']} "
                              f"({web['last_output'][:80] or 'no output'})",
                       "run the check's command yourself, with docker compose exec web …, and read why it fails",
                       code="check-failing")
    return Verdict(True, f"{web['name']} is healthy with {override} in use: its check "
                         f"(`{_check_text(web['test'])[:60]}`) runs in the image and asks the app")


@exercise("6.2")
def web_health_check_runs(project: str = PROJECT, override: str = "compose.ci.yaml") -> Verdict:
    """Exercise 6.2 (chapter 06): the colleague's override repaired; web healthy by a check that can run."""
    return judge_web_health(observe_web_health(project), project, override)


# --- Exercise 6.3: a version from an env file -------------------------------------------------------------

def env_file_values(path: str, variable: str = "APP_VERSION") -> list[str] | None:
    """The values an env file gives `variable`, in order (quotes removed); None when there is no such file."""
    file = Path(path)
    if not file.is_file():
        return None
    pattern = re.compile(rf"^\s*{variable}\s*=\s*(.*?)\s*$")
    return [match.group(1).strip("\"'") for line in file.read_text().splitlines() if (match := pattern.match(line))]


def observe_app_version(project: str, env_file: str, service: str = "web") -> dict:
    """What the env file says, and each container of the service: its APP_VERSION, the env files Compose read,
    and the version its home page shows."""
    containers = []
    for name in service_containers(project, service):
        facts = container_facts(name)
        if facts is None:
            continue
        page = get_inside(name, "/") if facts["running"] else None
        shown = re.search(r"Version <strong>([^<]*)</strong>", page[1]) if page else None
        containers.append({"name": name, "running": facts["running"], "status": facts["status"],
                           "app_version": facts["env"].get("APP_VERSION"),
                           "env_files": [path for path in facts["labels"].get(ENV_FILES, "").split(",") if path],
                           "page_version": shown.group(1) if shown else None})
    return {"env_file": {"path": env_file, "values": env_file_values(env_file)}, "containers": containers}


def _env_file_not_ready(seen: dict, expected: str) -> Verdict | None:
    path, values = Path(seen["env_file"]["path"]), seen["env_file"]["values"]
    if values is None:
        return Verdict(False, f"there is no env file {path} yet",
                       "run the exercise's %%writefile cell: it writes the file", code="env-file-missing")
    if not values:
        return Verdict(False, f"{path.name} sets nothing yet",
                       "an env file holds KEY=value lines that Compose reads to fill the ${…} of the compose "
                       "file: which variable does web's version come from? (section 1's table)",
                       code="env-file-unset")
    if values[-1] != expected:
        return Verdict(False, f"{path.name} sets APP_VERSION={values[-1]}, not {expected}",
                       f"the value is the version the home page should show, {expected}; the last line for a "
                       "variable wins", code="env-file-wrong-value")
    return None


def _version_hint(found: str, ours: bool) -> tuple[str, str]:
    """(code, hint) when web runs another version than the env file's."""
    if found == "1.0":
        return "env-file-not-read", (
            "1.0 is compose.yaml's default, ${APP_VERSION:-1.0}: Compose did not read your file when it filled "
            "the ${…}. Such a file is given to docker compose itself, not to a service (a service's env_file: feeds "
            "the container, and compose.yaml's environment: wins over it)")
    if ours:
        return "stale-container", "Compose read your file but kept the old container: run `up -d --wait` again"
    return "wrong-version", "bring the stack up again, reading the exercise's env file"


def judge_app_version(seen: dict, expected: str = "3.0", project: str = PROJECT) -> Verdict:
    """Exercise 6.3: web runs `expected`, read from the exercise's env file, and its page shows it."""
    if (wrong := _env_file_not_ready(seen, expected)) is not None:
        return wrong
    running = [container for container in seen["containers"] if container["running"]]
    if not running:
        return Verdict(False, f"project {project} has no running web container", _stack_hint(project),
                       code="stack-down")
    web, path = running[0], seen["env_file"]["path"]
    ours = Path(path).resolve() in {Path(used).resolve() for used in web["env_files"]}
    if web["app_version"] != expected:
        code, hint = _version_hint(web["app_version"], ours)
        return Verdict(False, f"web runs APP_VERSION={web['app_version']}, not {expected}", hint, code=code)
    if not ours:
        where = f"from {', '.join(web['env_files'])}" if web["env_files"] else "with no env file read by Compose"
        return Verdict(False, f"web runs version {expected}, but {where}",
                       f"the value must come from {Path(path).name} (not the shell, not a compose file); once the "
                       "file is read, Compose sees the same configuration and keeps the container: recreate it",
                       code="not-from-the-env-file")
    if web["page_version"] != expected:
        return Verdict(False, f"web has APP_VERSION={expected}, but its home page shows {web['page_version']}",
                       "wait until web is healthy: `up -d --wait` returns then", code="page-stale")
    return Verdict(True, f"web runs version {expected}, read from {Path(path).name}, and its home page shows it")


@exercise("6.3")
def compose_app_version(expected: str = "3.0", project: str = PROJECT,
                        env_file: str = "/tmp/dockercourse-06/release.env") -> Verdict:
    """Exercise 6.3 (chapter 06): the web service runs APP_VERSION `expected`, read from `env_file`."""
    return judge_app_version(observe_app_version(project, env_file), expected, project)


# --- Exercise 6.4: replicas, each on its own host port ---------------------------------------------------

def _replica(name: str) -> dict | None:
    facts = container_facts(name)
    if facts is None:
        return None
    error = docker("container", "inspect", "--format", "{{.State.Error}}", name, check=False).stdout.strip()
    page = get_inside(name, "/") if facts["running"] else None
    hostname = re.search(r"container (\S+)</h1>", page[1]) if page else None
    return {"name": name, "running": facts["running"], "status": facts["status"], "error": error,
            "health": facts["health"], "answered": page is not None,
            "hostname": hostname.group(1) if hostname else None,
            "counted_in_redis": bool(page and "counted in redis" in page[1]),
            "host_ports": sorted({int(port) for bindings in facts["ports"].values() for _, port in bindings if port})}


def observe_replicas(project: str, service: str = "web") -> dict:
    """Each container of the service: state, start error, health, host ports, and what its home page says."""
    return {"containers": [found for name in service_containers(project, service)
                           if (found := _replica(name)) is not None]}


def _replicas_not_up(containers: list[dict], replicas: int, project: str, service: str) -> Verdict | None:
    if not containers:
        return Verdict(False, f"project {project} has no {service} container", _stack_hint(project), code="stack-down")
    stuck = [container for container in containers if not container["running"]]
    if any("port is already allocated" in c["error"] or "address already in use" in c["error"] for c in stuck):
        return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers could not start: their host "
                              "port is already allocated",
                       "one host port can be bound by one container only: each replica needs a host port of its "
                       "own, and WEB_PORT is what compose.yaml publishes", code="port-already-allocated")
    if stuck:
        states = ", ".join(sorted({container["status"] for container in stuck}))
        return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers are not running ({states})",
                       f"read why: {STACK.format(project=project)} logs {service}", code="replicas-not-running")
    if len(containers) != replicas:
        return Verdict(False, f"{len(containers)} {service} replica(s) running, not {replicas}",
                       f"the starting cell's blank is the host side of web's `ports:` entry: {replicas} replicas "
                       "cannot share one host port (section 9 showed what happens, and two ways out); a plain "
                       "`up` goes back to the file's one replica", code="wrong-replica-count")
    return None


def judge_replicas(seen: dict, replicas: int = 4, ports: range = range(8065, 8069), project: str = PROJECT,
                   service: str = "web") -> Verdict:
    """Exercise 6.4: `replicas` healthy replicas, each on its own host port in `ports`, distinct hosts, one count."""
    containers = seen["containers"]
    if (wrong := _replicas_not_up(containers, replicas, project, service)) is not None:
        return wrong
    if any(container["health"] != "healthy" for container in containers):
        return Verdict(False, "not every replica is healthy yet",
                       "`up -d --wait` returns only when every replica is healthy", code="replicas-unhealthy")
    if not all(container["answered"] for container in containers):
        return Verdict(False, "a replica did not answer on its port 8000 from inside",
                       f"read its logs: {STACK.format(project=project)} logs {service}", code="replica-not-answering")
    if len({container["hostname"] for container in containers}) != replicas:
        return Verdict(False, f"the {replicas} replicas answered with fewer than {replicas} hostnames",
                       "each replica is its own container with its own hostname: do not set `hostname:`",
                       code="shared-hostname")
    if not all(container["counted_in_redis"] for container in containers):
        return Verdict(False, "the replicas count in memory, each on its own",
                       "keep compose.yaml's REDIS_URL, so that every replica counts in the same Redis",
                       code="count-not-shared")
    taken = [port for container in containers for port in container["host_ports"]]
    if any(len(container["host_ports"]) != 1 for container in containers) or len(set(taken)) != replicas \
            or not set(taken) <= set(ports):
        return Verdict(False, f"the replicas publish host ports {sorted(set(taken))}, not one each in "
                              f"{ports.start}–{ports.stop - 1}",
                       f"this chapter's exercise uses {ports.start}–{ports.stop - 1}: one port each",
                       code="ports-outside-range")
    return Verdict(True, f"{replicas} replicas of {service} run healthy on host ports "
                         f"{', '.join(map(str, sorted(set(taken))))}, each with its own hostname, one count in Redis")


@exercise("6.4")
def compose_replicas(replicas: int = 4, project: str = PROJECT, service: str = "web",
                     ports: range = range(8065, 8069)) -> Verdict:
    """Exercise 6.4 (chapter 06): `replicas` healthy containers of the service on their own host ports."""
    return judge_replicas(observe_replicas(project, service), replicas, ports, project, service)
