"""Chapter 07's exercise checkers (Networking).

Each returns a Verdict, with a hint when the answer is not there yet. They ask the engine, never a
stored answer: which networks a container is on, what its name resolves to, where a port is published.
"""

import json
import time
import urllib.error
import urllib.request

from .. import LABEL
from ..engine import docker
from .common import Verdict, inspect_container, not_labelled

LOOPBACK = {"127.0.0.1", "::1"}
EVERY_ADDRESS = {"", "0.0.0.0", "::"}
ANSWER_WITHIN_S = 10


def _network_07(name: str) -> dict | None:
    """What `docker network inspect NAME` says, or None when there is no such network."""
    inspected = docker("network", "inspect", name, check=False)
    return json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None


def name_resolves(client: str = "course07-ex-client", server: str = "course07-ex-db",
                  network: str = "course07-ex-net", port: int = 6379, creator: str = "07") -> Verdict:
    """Exercise 7.1 (chapter 07): `client` resolves `server` by name on the user-defined network `network`
    and reaches its `port`."""
    containers = {name: inspect_container(name) for name in (client, server)}
    missing = [name for name, found in containers.items() if found is None or not found["State"]["Running"]]
    if missing:
        return Verdict(False, f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not running",
                       "run the exercise's setup cell above again: it starts both containers")
    found = _network_07(network)
    if found is None:
        return Verdict(False, f"there is no network {network} yet",
                       f"one `docker network` subcommand makes networks (section 1 made course07-net with it): "
                       f"give it the chapter's label, --label {LABEL}={creator}, and the name {network}")
    if (found.get("Labels") or {}).get(LABEL) != creator:
        return Verdict(False, f"network {network} does not carry the label {LABEL}={creator}",
                       f"remove it (docker network rm {network}; disconnect its containers first) and create it "
                       f"again with --label {LABEL}={creator}, so that the chapter's cleanup finds it")
    attached = {name for name, container in containers.items()
                if network in container["NetworkSettings"]["Networks"]}
    absent = [name for name in (server, client) if name not in attached]
    if absent:
        return Verdict(False, f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} not on {network}",
                       f"`docker network connect {network} CONTAINER` attaches a running container to a network, "
                       "without a restart; both containers must be on it")
    address = containers[server]["NetworkSettings"]["Networks"][network]["IPAddress"]
    looked_up = docker("exec", client, "getent", "hosts", server, check=False).stdout.split()
    if not looked_up or looked_up[0] != address:
        return Verdict(False, f"in {client}, the name {server} does not resolve to its address on {network}",
                       f"the name is the container's name, {server}; an alias given with --alias is a second name")
    probe = f"import socket; socket.create_connection(({server!r}, {port}), timeout=3).close()"
    if docker("exec", client, "python", "-c", probe, check=False).returncode != 0:
        return Verdict(False, f"{server} resolves, but its port {port} does not answer",
                       f"is the server still running? `docker logs {server}`")
    return Verdict(True, f"{client} finds {server} by its name on {network} and reaches its port {port}")


def published_on_loopback(container: str = "course07-ex-web", host_port: int = 8075,
                          container_port: int = 8000, creator: str = "07") -> Verdict:
    """Exercise 7.2 (chapter 07): the container's port is published on 127.0.0.1:`host_port` only, and answers."""
    example = f"-p 127.0.0.1:{host_port}:{container_port}"
    found = inspect_container(container)
    if found is None:
        return Verdict(False, f"there is no container {container} yet",
                       "docker said `invalid hostPort` while the blank was ____: the host side of -p is "
                       f"ADDRESS:PORT, the loopback address and then the host port {host_port}")
    if (wrong := not_labelled(found, container, creator)) is not None:
        return wrong
    if not found["State"]["Running"]:
        return Verdict(False, f"{container} is not running (state: {found['State']['Status']})",
                       f"read why: docker logs {container}; then docker rm -f {container} and run the cell again")
    bindings = (found["HostConfig"].get("PortBindings") or {}).get(f"{container_port}/tcp") or []
    again = f"remove the container (docker rm -f {container}) and run it again with {example}"
    if not bindings:
        return Verdict(False, f"port {container_port} of {container} is not published",
                       f"-p HOST_ADDRESS:HOST_PORT:{container_port} publishes it: {again}")
    open_to_all = [b for b in bindings if b.get("HostIp", "") in EVERY_ADDRESS]
    if open_to_all:
        return Verdict(False, f"port {container_port} is published on every address of the host "
                              f"(host port {open_to_all[0].get('HostPort')}), not on loopback only",
                       f"with no address in -p, Docker publishes on 0.0.0.0 and [::], past ufw and firewalld: "
                       f"{again}")
    other = [b["HostIp"] for b in bindings if b["HostIp"] not in LOOPBACK]
    if other:
        return Verdict(False, f"port {container_port} is published on {other[0]}, an address other machines may reach",
                       f"the loopback address is 127.0.0.1: {again}")
    ports = sorted({b.get("HostPort", "") for b in bindings})
    if ports != [str(host_port)]:
        return Verdict(False, f"port {container_port} is published on loopback, but on host port "
                              f"{', '.join(p or '(one the engine picked)' for p in ports)}, not {host_port}",
                       f"the host port goes between the address and the container port: {again}")
    status, problem = None, ""
    deadline = time.monotonic() + ANSWER_WITHIN_S  # a server started a moment ago may not listen yet
    while status is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{host_port}/", timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            problem = str(getattr(error, "reason", error))
            time.sleep(0.2)
    if status is None:
        return Verdict(False, f"127.0.0.1:{host_port} does not answer ({problem})",
                       f"is the server in the container listening on port {container_port}? docker logs {container}")
    return Verdict(True, f"{container} is published on 127.0.0.1:{host_port} only, and answers there "
                         f"(HTTP {status})")


def worker_on_back_tier(project: str = "course07", service: str = "worker", port: int = 6379) -> Verdict:
    """Exercise 7.3 (chapter 07): the service runs on the project's back network only, and reaches redis there."""
    front, back = f"{project}_front", f"{project}_back"
    ids = docker("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}",
                 "--filter", f"label=com.docker.compose.service={service}").stdout.split()
    if not ids:
        return Verdict(False, f"Compose project {project} has no {service} container",
                       f"replace ____ with the one network {service} needs, then run the `up` cell again; "
                       "while the blank is there, Compose stops at `refers to undefined network ____`")
    container = inspect_container(ids[0])
    if not container["State"]["Running"]:
        return Verdict(False, f"{service} is not running (state: {container['State']['Status']})",
                       f"read why: docker logs {container['Name'].lstrip('/')}; then run the `up` cell again")
    networks = sorted(container["NetworkSettings"]["Networks"])
    if back not in networks:
        where = ", ".join(networks)
        return Verdict(False, f"{service} is on {where}, where redis is not",
                       f"redis is on the back tier only (section 5): put {service} on back, the network whose "
                       "name in compose.tiers.yaml is `back`")
    if networks != [back]:
        others = ", ".join(name for name in networks if name != back)
        return Verdict(False, f"{service} reaches redis, but it is also on {others}",
                       f"a worker serves no one on the front: give it back alone, the fewest networks it needs, "
                       f"so that nothing on {front} can reach it")
    probe = f"import socket; socket.create_connection(('redis', {port}), timeout=3).close()"
    result = docker("exec", ids[0], "python", "-c", probe, check=False)
    if result.returncode != 0:
        return Verdict(False, f"{service} is on {back} but cannot open redis:{port}",
                       "is redis up? the `up` cell starts it with the stack; run it again")
    return Verdict(True, f"{service} runs on {back} alone and reaches redis:{port}; nothing on {front} can see it")
