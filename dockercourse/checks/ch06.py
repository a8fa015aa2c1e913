"""Chapter 06's exercise checkers (Docker Compose).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import json
import re
from pathlib import Path

from ..engine import docker
from .common import Verdict

COMPOSE_UP_06 = "docker compose -p {project} -f ../sample_app/compose.yaml"


def _compose_containers_06(project: str, service: str) -> list[dict]:
    """Every container (running or not) of one service of a Compose project, inspected; one-off runs left out."""
    ids = docker("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}",
                 "--filter", f"label=com.docker.compose.service={service}",
                 "--filter", "label=com.docker.compose.oneoff=False").stdout.split()
    if not ids:
        return []
    containers = json.loads(docker("container", "inspect", *ids).stdout)
    return sorted(containers, key=lambda c: int(c["Config"]["Labels"].get("com.docker.compose.container-number", 0)))


def _home_page_06(container_id: str) -> str | None:
    """The app's home page as the container itself serves it (from inside, so no host port is needed)."""
    fetch = ("import urllib.request; "
             "print(urllib.request.urlopen('http://127.0.0.1:8000/', timeout=3).read().decode())")
    result = docker("exec", container_id, "python", "-c", fetch, check=False)
    return result.stdout if result.returncode == 0 else None


def _env_06(container: dict) -> dict[str, str]:
    return dict(item.split("=", 1) for item in container["Config"].get("Env") or [] if "=" in item)


def _not_up_06(project: str, service: str, containers: list[dict], how: str) -> Verdict:
    """The verdict when a service has no running container: never started, or stuck."""
    if not containers:
        return Verdict(False, f"Compose project {project} has no {service} container",
                       f"bring the stack up with that project name: {COMPOSE_UP_06.format(project=project)} {how}")
    states = ", ".join(sorted({c["State"]["Status"] for c in containers}))
    return Verdict(False, f"{service} is not running in project {project} (state: {states})",
                   f"read why: {COMPOSE_UP_06.format(project=project)} logs {service}; then `up -d --wait` again")


def _env_file_says_06(env_file: str, expected: str) -> Verdict | None:
    """A failed verdict when the env file the exercise asks for does not set APP_VERSION to `expected` yet."""
    path = Path(env_file)
    if not path.is_file():
        return Verdict(False, f"there is no env file {env_file} yet",
                       "write it with the exercise's %%writefile cell, then run the `up` cell")
    values = [line.split("=", 1)[1].strip() for line in path.read_text().splitlines()
              if re.match(r"\s*APP_VERSION\s*=", line)]
    if not values:
        return Verdict(False, f"{path.name} does not set APP_VERSION yet",
                       "replace the TODO with one KEY=value line (no `export`, no spaces around =), "
                       "as staging.env does in section 7")
    if values[-1].strip("\"'") != expected:
        return Verdict(False, f"{path.name} sets APP_VERSION={values[-1]}, not {expected}",
                       f"the value is the version the home page should show: {expected}")
    return None


def compose_app_version(expected: str = "3.0", project: str = "course06", env_file: str | None = None) -> Verdict:
    """Exercise 6.1 (chapter 06): the web service runs APP_VERSION `expected`, set through an --env-file.

    With `env_file` (the file the exercise asks for), that file is checked first, and Compose must have read it.
    """
    if env_file is not None and (wrong := _env_file_says_06(env_file, expected)) is not None:
        return wrong  # a Verdict that failed is false: test it against None
    containers = _compose_containers_06(project, "web")
    running = [c for c in containers if c["State"]["Running"]]
    if not running:
        return _not_up_06(project, "web", containers, "--env-file FILE up -d --wait")
    versions = sorted({_env_06(c).get("APP_VERSION", "") for c in running})
    if versions != [expected]:
        found = ", ".join(versions)
        if found == "1.0" and env_file is not None:
            hint = ("1.0 is compose.yaml's default (${APP_VERSION:-1.0}), so Compose did not read your file: "
                    f"give its path to --env-file, before `up`: --env-file {env_file}")
        elif found == "1.0":
            hint = ("1.0 is compose.yaml's default (${APP_VERSION:-1.0}), so Compose did not read your value: "
                    f"pass the file with --env-file before `up`, and write the line APP_VERSION={expected} "
                    "(no spaces around =)")
        else:
            hint = f"the env file should hold the line APP_VERSION={expected}; then run `up -d --wait` again"
        return Verdict(False, f"web runs with APP_VERSION={found}, not {expected}", hint)
    used = running[0]["Config"]["Labels"].get("com.docker.compose.project.environment_file", "")
    if not used:
        return Verdict(False, f"web runs version {expected}, but Compose was given no --env-file "
                              "(the value came from the shell's environment?)",
                       f"write APP_VERSION={expected} into a file such as /tmp/dockercourse-06/release.env "
                       "and pass it with --env-file; add --force-recreate to `up`: Compose recreates a "
                       "container only when its configuration changes, and this value did not")
    if env_file is not None and Path(env_file).resolve() not in {Path(p).resolve() for p in used.split(",")}:
        return Verdict(False, f"web runs version {expected}, but from the env file {used}",
                       f"pass the exercise's file, --env-file {env_file}, and add --force-recreate to `up` "
                       "(the value is the same, so Compose would leave web as it is)")
    page = _home_page_06(running[0]["Id"])
    if page is None or f"Version <strong>{expected}</strong>" not in page:
        return Verdict(False, f"the container has APP_VERSION={expected}, but its home page does not show it yet",
                       "wait until web is healthy: add --wait to `up -d`")
    return Verdict(True, f"web runs version {expected}, read from the env file {used.rsplit('/', 1)[-1]}, "
                         "and its home page shows it")


def compose_replicas(replicas: int = 4, project: str = "course06", service: str = "web") -> Verdict:
    """Exercise 6.2 (chapter 06): `replicas` healthy containers of the service, distinct hosts, one shared count."""
    containers = _compose_containers_06(project, service)
    if not containers:
        return _not_up_06(project, service, containers, f"up -d --wait --scale {service}={replicas}")
    stuck = [c for c in containers if not c["State"]["Running"]]
    if stuck:
        errors = " ".join(c["State"].get("Error") or "" for c in stuck)
        if "port is already allocated" in errors or "address already in use" in errors:
            return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers could not start: "
                                  "their host port is already allocated",
                           "one host port can be published by one container only: give each replica its own, "
                           f"e.g. WEB_PORT=8065-8068 {COMPOSE_UP_06.format(project=project)} "
                           f"up -d --wait --scale {service}={replicas}")
        states = ", ".join(sorted({c["State"]["Status"] for c in stuck}))
        return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers are not running ({states})",
                       f"read why: {COMPOSE_UP_06.format(project=project)} logs {service}")
    if len(containers) != replicas:
        return Verdict(False, f"{len(containers)} {service} replica(s) running, not {replicas}",
                       f"`up -d --wait --scale {service}={replicas}` sets the number, and each replica needs "
                       "a host port of its own: WEB_PORT takes a range, FIRST-LAST, as in section 8; "
                       "a plain `up` goes back to the file's one")
    unhealthy = sorted({(c["State"].get("Health") or {}).get("Status", "none") for c in containers} - {"healthy"})
    if unhealthy:
        return Verdict(False, f"not every replica is healthy yet (also: {', '.join(unhealthy)})",
                       "add --wait to `up -d`: it returns only when every replica is healthy")
    pages = [_home_page_06(c["Id"]) for c in containers]
    if None in pages:
        return Verdict(False, "a replica did not answer on its port 8000 from inside",
                       f"read its logs: {COMPOSE_UP_06.format(project=project)} logs {service}")
    hostnames = {match.group(1) for page in pages if (match := re.search(r"container (\S+)</h1>", page))}
    if len(hostnames) != replicas:
        return Verdict(False, f"the {replicas} replicas answered with {len(hostnames)} hostname(s)",
                       "each replica is its own container with its own hostname: do not set `hostname:`")
    if not all("counted in redis" in page for page in pages):
        return Verdict(False, "the replicas count in memory, each on its own",
                       "keep compose.yaml's REDIS_URL, so that every replica counts in the same Redis")
    return Verdict(True, f"{replicas} replicas of {service} are running and healthy, each answers with its own "
                         "hostname, and they share one count in Redis")


def redis_address(answer: list[str], project: str = "course06") -> Verdict:
    """Exercise 6.3 (chapter 06): the redis service's IP address on the project network."""
    text = " ".join(answer).strip()
    command = f"answer3 = !{COMPOSE_UP_06.format(project=project)} exec redis hostname -i"
    if not text:
        return Verdict(False, "the answer is empty", f"capture the command's output: {command}")
    if "____" in text:
        return Verdict(False, "the command still has its blank ____",
                       "replace ____ with the compose subcommand that runs a command in a service's running "
                       "container (section 3 ran one in web), followed by the service's name")
    if re.search(r"gaierror|Name or service not known|Temporary failure in name resolution", text):
        return Verdict(False, "the name `redis` did not resolve where you asked",
                       "it exists only on the project's network, for its containers — not on the host: "
                       f"ask inside the stack, {command}")
    if re.search(r"no such service|is not running|No such container|no container found|Error", text):
        return Verdict(False, f"the command failed: {text[:100]!r}",
                       f"the stack must be up (`up -d --wait`), and the service is called redis: {command}")
    addresses = re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", text)
    if not addresses:
        return Verdict(False, f"no IPv4 address in the answer: {text[:80]!r}", f"`hostname -i` prints it: {command}")
    every_redis = _compose_containers_06(project, "redis")
    redis = [c for c in every_redis if c["State"]["Running"]]
    if not redis:
        return _not_up_06(project, "redis", every_redis, "up -d --wait")
    networks = redis[0]["NetworkSettings"]["Networks"]
    expected = {name: net["IPAddress"] for name, net in networks.items() if net.get("IPAddress")}
    found = [name for name, address in expected.items() if address in addresses]
    if found:
        return Verdict(True, f"that is the redis service's address on {found[0]}: correct")
    if any(address.startswith("127.") for address in addresses):
        return Verdict(False, "127.0.0.1 is every container's own loopback, not an address others can reach",
                       f"ask for the address on the network: {command}")
    web = {net["IPAddress"] for c in _compose_containers_06(project, "web")
           for net in c["NetworkSettings"]["Networks"].values()}
    if web & set(addresses):
        return Verdict(False, "that is the address of a web container, not of redis",
                       f"ask the redis container itself: {command}")
    gateways = {net.get("Gateway") for net in networks.values()}
    if gateways & set(addresses):
        return Verdict(False, "that is the network's gateway, the host's side of the bridge",
                       f"ask the redis container itself: {command}")
    return Verdict(False, f"{', '.join(addresses)} is not the redis container's address on "
                          f"{', '.join(expected)}", f"ask the redis container itself: {command}")
