"""Chapter 07's exercise checkers (Networking): each observes, then judges (see common.py).

They ask the engine, never a stored answer: which networks a container is on, where a name leads from inside
it, where a port is published, what the app's readiness endpoint says.

- Exercise 7.1, ``name_resolves``: a client finds a database by its name, and the database kept its data.
- Exercise 7.2, ``published_on_loopback``: a port that was published on every address, now on loopback only.
- Exercise 7.3, ``worker_on_back_tier``: a worker on the fewest networks that reach Redis.
- Exercise 7.4, ``app_reaches_redis``: the drill, broken for real; repaired, the app is ready.
"""

from .. import LABEL
from ..engine import docker
from ..progress import exercise
from ..wait import TimedOut, get, until
from .common import GET_INSIDE, Verdict, addresses, container_facts, judge_label, reach_from, service_containers

LOOPBACK = {"127.0.0.1", "::1"}
EVERY_ADDRESS = {"", "0.0.0.0", "::"}
#: How long a checker waits for a server that was started a moment ago.
ANSWER_WITHIN_S = 10
#: The key Exercise 7.1's setup writes into the database; it is gone when the container is recreated.
MARKER = "course07:marker"


def _brief(facts: dict | None) -> dict | None:
    """What the judges need of a container: name, state, label value, networks, published ports, command."""
    if facts is None:
        return None
    return {"name": facts["name"], "running": facts["running"], "status": facts["status"],
            "label": facts["labels"].get(LABEL), "networks": facts["networks"], "ports": facts["ports"],
            "command": facts["command"]}


def _network(name: str) -> dict | None:
    """A network's driver, label value and `internal` flag; None when there is no such network."""
    found = docker("network", "inspect", "--format",
                   '{{.Driver}} {{.Internal}} {{index .Labels "' + LABEL + '"}}', name, check=False)
    if found.returncode != 0:
        return None
    driver, internal, *label = found.stdout.split()
    return {"name": name, "driver": driver, "internal": internal == "true", "label": label[0] if label else None}


# --- Exercise 7.1: a name that resolves, with the database kept -------------------------------------------

def observe_name(client: str, server: str, port: int = 6379, creator: str = "07") -> dict:
    """Both containers, the networks they share, where the server's name leads from the client (and whether the
    port answers), and whether the server still holds the key the setup wrote."""
    seen = {"client": _brief(container_facts(client)), "server": _brief(container_facts(server)),
            "shared": [], "reached": None, "marker": None, "server_addresses": {}}
    if not (seen["client"] and seen["server"] and seen["client"]["running"] and seen["server"]["running"]):
        return seen
    shared = sorted(set(seen["client"]["networks"]) & set(seen["server"]["networks"]))
    seen["shared"] = [found for name in shared if (found := _network(name)) is not None]
    seen["server_addresses"] = addresses(server)
    seen["reached"] = reach_from(client, server, port, creator)
    marker = docker("exec", server, "redis-cli", "GET", MARKER, check=False)
    seen["marker"] = marker.stdout.strip() or None if marker.returncode == 0 else None
    return seen


def _pair_not_running(seen: dict, client: str, server: str) -> Verdict | None:
    missing = [name for name, key in ((client, "client"), (server, "server"))
               if seen[key] is None or not seen[key]["running"]]
    if missing:
        return Verdict(False, f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not running",
                       "run the exercise's setup cell again: it starts both containers", code="container-missing")
    if seen["marker"] is None:
        return Verdict(False, f"{server} no longer holds the data the setup wrote into it: it is a new container",
                       "a database with data must not be recreated to fix a name; a running container can join "
                       "another network as it is (section 1). Run the setup cell again and start over",
                       code="db-recreated")
    return None


def judge_name(seen: dict, client: str = "course07-ex-client", server: str = "course07-ex-db", port: int = 6379,
               creator: str = "07") -> Verdict:
    """Exercise 7.1: on a labelled user-defined network they share, the client resolves the server's name to the
    server's address there and reaches its port; the server is the one the setup started."""
    if (wrong := _pair_not_running(seen, client, server)) is not None:
        return wrong
    user_defined = [network for network in seen["shared"] if network["name"] != "bridge"]
    if not user_defined:
        return Verdict(False, f"{client} and {server} share only the default bridge, where no name is answered",
                       "the default bridge has no DNS server (section 1): names are answered on a network of "
                       f"another kind, which both containers must be on; and {server} must keep running, with its "
                       "data", code="no-shared-network")
    if not any(network["label"] == creator for network in user_defined):
        names = ", ".join(network["name"] for network in user_defined)
        return Verdict(False, f"the network they share ({names}) does not carry the label {LABEL}={creator}",
                       "give the network the chapter's label, so that the chapter's cleanup finds it (a network "
                       "in use is removed after its containers are disconnected)", code="network-unlabelled")
    resolved, expected = set((seen["reached"] or {}).get("resolved", [])), set(seen["server_addresses"].values())
    if not resolved & expected:
        return Verdict(False, f"in {client}, the name {server} does not lead to {server}",
                       f"the name to use is the container's name, {server}; an alias is a second name",
                       code="name-not-resolved")
    if not seen["reached"]["open"]:
        return Verdict(False, f"{server} resolves, but its port {port} does not answer",
                       f"is the server still running? `docker logs {server}`", code="port-closed")
    return Verdict(True, f"{client} finds {server} by its name on {user_defined[0]['name']} and reaches its port "
                         f"{port}; {server} kept its data")


@exercise("7.1")
def name_resolves(client: str = "course07-ex-client", server: str = "course07-ex-db", port: int = 6379,
                  creator: str = "07") -> Verdict:
    """Exercise 7.1 (chapter 07): `client` resolves `server` by name and reaches its `port`; `server` kept its data."""
    return judge_name(observe_name(client, server, port, creator), client, server, port, creator)


# --- Exercise 7.2: published on every address, repaired to loopback ---------------------------------------

def _http_status(port: int, within: float) -> int | None:
    """The HTTP status of http://127.0.0.1:PORT/, waiting up to `within` seconds for a server that is starting."""
    try:
        return until(lambda: get(f"http://127.0.0.1:{port}/", timeout=3), within, what="an answer")[0]
    except TimedOut:
        return None


def observe_published(container: str, host_port: int, container_port: int = 8000) -> dict:
    """The container (state, label, published ports) and, when one of its bindings uses `host_port`, the HTTP
    status of 127.0.0.1:`host_port` from this machine."""
    seen = {"container": _brief(container_facts(container)), "status": None}
    found = seen["container"]
    bindings = (found or {}).get("ports", {}).get(f"{container_port}/tcp", [])
    if found and found["running"] and any(port == str(host_port) for _, port in bindings):
        seen["status"] = _http_status(host_port, ANSWER_WITHIN_S)
    return seen


def _where(bindings: list[list[str]]) -> str:
    return ", ".join(f"[{ip}]:{port}" if ":" in ip else f"{ip or '0.0.0.0'}:{port}" for ip, port in bindings)


def _binding_mistake(bindings: list[list[str]], host_port: int, container_port: int, name: str) -> Verdict | None:
    again = f"remove the container (docker rm -f {name}) and run it again: a running container's ports are fixed"
    if not bindings:
        return Verdict(False, f"port {container_port} of {name} is not published",
                       f"-p publishes a container port on a host address and port: {again}", code="not-published")
    if any(ip in EVERY_ADDRESS for ip, _ in bindings):
        return Verdict(False, f"port {container_port} of {name} is published on {_where(bindings)}: every address "
                              "of this host",
                       "a port published on every address answers any machine that can reach this one, ufw or "
                       "not (section 4): bind it to an address that only this machine has. A running container's "
                       "ports cannot be changed", code="published-on-all-interfaces")
    if any(ip not in LOOPBACK for ip, _ in bindings):
        return Verdict(False, f"port {container_port} is published on {_where(bindings)}, an address other "
                              "machines may reach", f"the loopback address is the one only this machine has: {again}",
                       code="published-on-other-address")
    if {port for _, port in bindings} != {str(host_port)}:
        return Verdict(False, f"port {container_port} is published on loopback, but as {_where(bindings)}, not on "
                              f"host port {host_port}", f"the host port goes between the address and the container "
                       f"port: {again}", code="wrong-host-port")
    return None


def judge_published(seen: dict, container: str = "course07-ex-web", host_port: int = 8075,
                    container_port: int = 8000, creator: str = "07") -> Verdict:
    """Exercise 7.2: the container runs, labelled, its port published on loopback only, at `host_port`, answering."""
    found = seen["container"]
    if found is None:
        return Verdict(False, f"there is no container {container}",
                       f"start it again, publishing container port {container_port} on host port {host_port} for "
                       "this machine only", code="container-missing")
    if found["label"] != creator:
        return judge_label({"name": found["name"], "labels": {LABEL: found["label"]}}, creator)
    if not found["running"]:
        return Verdict(False, f"{container} is not running (state: {found['status']})",
                       f"read why: docker logs {container}; then docker rm -f {container} and start it again",
                       code="not-running")
    bindings = found["ports"].get(f"{container_port}/tcp", [])
    if (wrong := _binding_mistake(bindings, host_port, container_port, container)) is not None:
        return wrong
    if seen["status"] is None:
        return Verdict(False, f"127.0.0.1:{host_port} does not answer",
                       f"is the server in the container listening on port {container_port}? docker logs {container}",
                       code="no-answer")
    return Verdict(True, f"{container} is published on {_where(bindings)} only, and answers there "
                         f"(HTTP {seen['status']})")


@exercise("7.2")
def published_on_loopback(container: str = "course07-ex-web", host_port: int = 8075, container_port: int = 8000,
                          creator: str = "07") -> Verdict:
    """Exercise 7.2 (chapter 07): the container's port is published on loopback only, at `host_port`, and answers."""
    return judge_published(observe_published(container, host_port, container_port), container, host_port,
                           container_port, creator)


# --- Exercise 7.3: the worker's networks ------------------------------------------------------------------

def observe_worker(project: str, service: str = "worker", target: str = "redis", port: int = 6379,
                   creator: str = "07") -> dict:
    """The worker's container, the networks the target service is on, and whether the target answers from the
    worker."""
    workers = service_containers(project, service)
    targets = service_containers(project, target)
    seen = {"worker": _brief(container_facts(workers[0])) if workers else None,
            "target_networks": sorted({network for name in targets for network in addresses(name)}),
            "reached": None}
    if seen["worker"] and seen["worker"]["running"]:
        seen["reached"] = reach_from(workers[0], target, port, creator)
    return seen


def judge_worker(seen: dict, project: str = "course07", service: str = "worker", target: str = "redis",
                 port: int = 6379) -> Verdict:
    """Exercise 7.3: the worker runs on the target's networks only, and reaches the target's port."""
    worker = seen["worker"]
    if worker is None:
        return Verdict(False, f"Compose project {project} has no {service} container",
                       f"while the blank is there, Compose stops at `refers to undefined network ____`. The blank "
                       f"names networks of compose.tiers.yaml: the ones {service} needs to reach {target}, and no "
                       f"more (section 6's picture shows who is where)", code="worker-missing")
    if not worker["running"]:
        return Verdict(False, f"{service} is not running (state: {worker['status']})",
                       f"read why: docker logs {worker['name']}; then run the `up` cell again", code="worker-stopped")
    shared = set(worker["networks"]) & set(seen["target_networks"])
    if not shared:
        return Verdict(False, f"{service} is on {', '.join(worker['networks'])}, where {target} is not",
                       f"{target} is on {', '.join(seen['target_networks'])} (section 6): {service} must share a "
                       f"network with it", code="not-on-target-network")
    extra = sorted(set(worker["networks"]) - set(seen["target_networks"]))
    if extra:
        return Verdict(False, f"{service} reaches {target}, but it is also on {', '.join(extra)}",
                       f"a worker serves no one: on {', '.join(extra)} it is one more container that others there "
                       "can reach. Give it the fewest networks it needs", code="extra-network")
    if not (seen["reached"] or {}).get("open"):
        return Verdict(False, f"{service} is on {', '.join(sorted(shared))} but cannot open {target}:{port}",
                       f"is {target} up? the `up` cell starts it with the stack; run it again",
                       code="target-unreachable")
    return Verdict(True, f"{service} runs on {', '.join(sorted(shared))} alone and reaches {target}:{port}; nothing "
                         "else can reach it")


@exercise("7.3")
def worker_on_back_tier(project: str = "course07", service: str = "worker", target: str = "redis",
                        port: int = 6379, creator: str = "07") -> Verdict:
    """Exercise 7.3 (chapter 07): the service runs on the target's networks only, and reaches it there."""
    return judge_worker(observe_worker(project, service, target, port, creator), project, service, target, port)


# --- Exercise 7.4: the drill, broken for real -------------------------------------------------------------

def observe_app(app: str, cache: str) -> dict:
    """Both containers (state, networks, published ports, command) and what the app's /ready says, asked from
    inside the app's container."""
    seen = {"app": _brief(container_facts(app)), "cache": _brief(container_facts(cache)), "ready": None}
    if seen["app"] and seen["app"]["running"]:
        result = docker("exec", app, "python", "-c", GET_INSIDE, "/ready", check=False)
        status, _, body = result.stdout.partition("\n")
        if result.returncode == 0 and status.strip().isdigit():
            seen["ready"] = {"status": int(status), "body": body.strip()[:300]}
    return seen


def _shortcut(seen: dict, app: str, cache: str) -> Verdict | None:
    """A repair that works by giving up isolation: the host's network, or Redis published on the host."""
    for name, key in ((app, "app"), (cache, "cache")):
        if "host" in seen[key]["networks"]:
            return Verdict(False, f"{name} runs on the host's network",
                           "that gives up the network isolation the two networks were for: the app and Redis need "
                           "no more than a network they share, with Redis listening on it", code="host-network")
    if any(bindings for bindings in seen["cache"]["ports"].values()):
        return Verdict(False, f"{cache} publishes a port on the host: {seen['cache']['ports']}",
                       "Redis must not be reachable from outside: the app reaches it over a network they share, "
                       "with nothing published", code="cache-published")
    return None


def _not_ready(ready: dict | None, app: str, cache: str) -> Verdict:
    if ready is None:
        return Verdict(False, "the app does not answer on its port 8000",
                       f"read why: docker logs {app}", code="app-not-answering")
    body = ready["body"]
    if "Connection refused" in body:
        return Verdict(False, f"the app's /ready answers {ready['status']}: {body}",
                       "connection refused: the name resolved and the address answered, but nothing listens on "
                       "that port there. Walk the checklist from its third step: from the app's side, then from "
                       "the server's own: which addresses does the server listen on? (section 5 met this mistake "
                       "on the host)", code="connection-refused")
    if "Name or service not known" in body or "name resolution" in body:
        return Verdict(False, f"the app's /ready answers {ready['status']}: {body}",
                       f"the name {cache} is unknown where the app asks: are both on one user-defined network? "
                       "(the checklist's second step)", code="name-not-resolved")
    return Verdict(False, f"the app's /ready answers {ready['status']}: {body}",
                   "read the reason, then walk the checklist", code="not-ready")


def judge_app(seen: dict, app: str = "course07-app", cache: str = "course07-cache") -> Verdict:
    """Exercise 7.4: both run, on no host network, Redis published nowhere, and the app is ready."""
    for name, key in ((app, "app"), (cache, "cache")):
        if seen[key] is None or not seen[key]["running"]:
            return Verdict(False, f"{name} is not running",
                           f"run the exercise's setup cell again to start over; if you recreated {name}, start it "
                           "again with the same name", code=f"{key}-not-running")
    if (wrong := _shortcut(seen, app, cache)) is not None:
        return wrong
    if (seen["ready"] or {}).get("status") != 200:
        return _not_ready(seen["ready"], app, cache)
    return Verdict(True, f"{app} is ready: it reaches {cache} by name on a network they share, and Redis is "
                         "published nowhere")


@exercise("7.4")
def app_reaches_redis(app: str = "course07-app", cache: str = "course07-cache") -> Verdict:
    """Exercise 7.4 (chapter 07): the app's /ready says 200 again, without a shortcut that gives up isolation."""
    return judge_app(observe_app(app, cache), app, cache)
