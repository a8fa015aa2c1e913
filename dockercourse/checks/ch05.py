"""Chapter 05's exercise checkers (Build and run).

Each checker observes, then judges (checks/common.py): ``observe_…`` asks the engine and returns a plain
record, ``judge_…`` words the verdict from that record alone, and the checker the notebook calls is the two
together. Each judges the end state, so any way of getting there passes.

- Exercise 5.1 (break-fix): a container created but never started, because another one holds its host port.
- Exercise 5.2 (open): how many gunicorn workers a running container has, and which user runs them.
- Exercise 5.3 (open): a release run on one host port, reachable from this machine only, with its version.
- Exercise 5.4 (break-fix): a container that exits at once, repaired with its other settings kept.
"""

import re

from ..engine import docker
from ..progress import exercise
from ..wait import TimedOut, get, until
from .common import Verdict, container_facts, judge_label

HOME_PAGE = re.compile(r"<h1>[^<]* container (\w+)</h1>.*?Version <strong>(.*?)</strong>", re.S)
#: Host addresses that mean "every address of this machine".
ALL_ADDRESSES = ("", "0.0.0.0", "::")


def _page(port: int, timeout: float) -> dict | None:
    """The home page on 127.0.0.1:PORT, as {"hostname", "version"} (both None when it is not the sample
    app's page); None when nothing answers within `timeout` seconds."""
    try:
        _, body = until(lambda: get(f"http://127.0.0.1:{port}/", timeout=3), timeout, every=0.5,
                        what=f"an answer on port {port}")
    except TimedOut:
        return None
    found = HOME_PAGE.search(body)
    return {"hostname": found[1], "version": found[2]} if found else {"hostname": None, "version": None}


def _last_log_line(name: str) -> str:
    lines = [line.strip() for line in docker("logs", "--tail", "20", name, check=False, merge=True).stdout
             .splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _first_failure(*judgements) -> Verdict | None:
    """The first Verdict the judgements return, called in turn (None means "no objection"; the last one passes).
    A failing Verdict is falsy, so `a or b` would skip it: compare with None."""
    for judgement in judgements:
        verdict = judgement()
        if verdict is not None:
            return verdict
    return None


def _bindings(facts: dict) -> list[dict]:
    """Every published port of a container as {"container", "address", "host"}."""
    return [{"container": port, "address": address, "host": host}
            for port, pairs in facts["ports"].items() for address, host in pairs]


# --- Exercise 5.1 · the port is taken -------------------------------------------------------------------

def observe_shop(name: str = "ch05-shop", port: int = 8054, timeout: float = 20) -> dict:
    """The container, what publishes host port PORT now, and what answers there."""
    facts = container_facts(name)
    holders = docker("ps", "--filter", f"publish={port}", "--format", "{{.Names}}", check=False).stdout.split()
    seen = {"name": name, "port": port, "facts": facts, "holders": holders, "page": None, "last_log": ""}
    if facts is not None and facts["running"]:
        seen["page"] = _page(port, timeout)
    elif facts is not None and facts["status"] == "exited":
        seen["last_log"] = _last_log_line(name)
    return seen


def judge_shop(seen: dict, version: str = "1.0.0", creator: str = "05") -> Verdict:
    """Exercise 5.1: the container runs, publishes host port PORT, and it is what answers there."""
    name, facts = seen["name"], seen["facts"]
    if facts is None:
        return Verdict(False, f"there is no container named {name}",
                       "the exercise's first cell creates it: run that cell again, then repair what stops it",
                       code="no-container")
    unlabelled = judge_label(facts, creator)
    if unlabelled is not None:
        return unlabelled
    if not facts["running"]:
        return _judge_shop_not_running(seen)
    return _judge_shop_answers(seen, version)


def _judge_shop_not_running(seen: dict) -> Verdict:
    name, port, facts = seen["name"], seen["port"], seen["facts"]
    others = [holder for holder in seen["holders"] if holder != name]
    if facts["status"] == "created" and others:
        return Verdict(False, f"{name} was created but never started: host port {port} is taken",
                       "'port is already allocated' means another container publishes that host port (section 4): "
                       "`docker ps` lists what runs and what it publishes; decide what to do with the holder, "
                       f"then get {name} itself running", code="port-held-by-another-container")
    if facts["status"] == "created":
        return Verdict(False, f"{name} was created but is not running: host port {port} is free now",
                       "a created container keeps its whole configuration, ports and settings included "
                       "(chapter 02, section 5: the life cycle)", code="created-not-started")
    return Verdict(False, f"{name} is {facts['status']} (exit code {facts['exit_code']}): "
                          f"{seen['last_log'] or 'no logs'}", f"read `docker logs {name}`", code="stopped")


def _judge_shop_answers(seen: dict, version: str) -> Verdict:
    name, port, facts, page = seen["name"], seen["port"], seen["facts"], seen["page"]
    if not any(binding["host"] == str(port) for binding in _bindings(facts)):
        return Verdict(False, f"{name} runs, but does not publish host port {port}",
                       f"its users' bookmarks point at port {port}: publish the app's port there",
                       code="wrong-host-port")
    if page is None or page["hostname"] is None:
        return Verdict(False, f"nothing answers with the sample app's home page on port {port}",
                       f"read `docker logs {name}`: did the app start?", code="no-answer")
    if page["hostname"] != facts["id"][:12]:
        return Verdict(False, f"port {port} answers, but from container {page['hostname']}, not from {name}",
                       f"{name} itself must answer there", code="another-container-answers")
    if page["version"] != version:
        return Verdict(False, f"{name} answers on port {port}, but shows version {page['version']!r}",
                       "keep the settings the colleague's command gave it", code="settings-lost")
    return Verdict(True, f"{name} runs and answers on port {port} with version {version}")


@exercise("5.1")
def shop_answers_on_port(name: str = "ch05-shop", port: int = 8054, version: str = "1.0.0",
                         creator: str = "05") -> Verdict:
    """Exercise 5.1 (chapter 05): the container the colleague created runs, and answers on its host port."""
    return judge_shop(observe_shop(name, port), version, creator)


# --- Exercise 5.2 · look inside ---------------------------------------------------------------------------

def observe_inside(name: str = "ch05-peek") -> dict:
    """How many gunicorn workers the container runs (its gunicorn processes but the master) and its user."""
    facts = container_facts(name)
    seen = {"name": name, "exists": facts is not None, "running": bool(facts and facts["running"])}
    if not seen["running"]:
        return seen
    top = docker("top", name, "-o", "pid,args", check=False).stdout.splitlines()[1:]
    uid = docker("exec", name, "id", "-u", check=False).stdout.strip()
    seen.update(workers=sum("gunicorn" in line for line in top) - 1, uid=uid)
    return seen


def _as_number(answer) -> int | None:
    """An answer as a number: 3, "3", ["3"] (what `x = !cmd` captures), "uid=20001(…) gid=…" (`id`'s line)."""
    if isinstance(answer, (list, tuple)):
        answer = answer[0] if len(answer) == 1 else None
    if isinstance(answer, bool) or answer is None:
        return None
    text = str(answer).strip()
    found = re.fullmatch(r"(?:uid=)?(\d+)(?:\(.*)?", text.split()[0] if text else "")
    return int(found[1]) if found else None


def judge_inside(seen: dict, workers=None, user=None) -> Verdict:
    """Exercise 5.2: `workers` and `user` are what runs in the container."""
    name = seen["name"]
    if not seen["running"]:
        return Verdict(False, f"{name} is not running", "run the exercise's first cell again: it starts it",
                       code="no-container")
    if workers is None and user is None:
        return Verdict(False, "no answer yet: workers and user are None",
                       "section 5's commands show a running container's processes and run commands in it; gunicorn "
                       "runs one master process and its workers", code="no-answer")
    passed = f"{name} runs {seen['workers']} gunicorn workers, as uid {seen['uid']}"
    return _first_failure(lambda: _judge_workers(seen, workers), lambda: _judge_user(seen, user),
                          lambda: Verdict(True, passed))


def _judge_workers(seen: dict, workers) -> Verdict | None:
    given = _as_number(workers)
    if given is None:
        return Verdict(False, f"workers = {workers!r} is not a number",
                       "count the worker processes and give the count, e.g. workers = 5", code="workers-not-a-number")
    if given == seen["workers"] + 1:
        return Verdict(False, f"{given} counts the master too",
                       "one of gunicorn's processes is the master, which starts the workers and is not one",
                       code="counted-master")
    if given != seen["workers"]:
        return Verdict(False, f"{given} is not the number of workers {seen['name']} runs",
                       "look at the processes in the running container, not at the chapter's defaults",
                       code="wrong-workers")
    return None


def _judge_user(seen: dict, user) -> Verdict | None:
    given = _as_number(user)
    if given is None:
        return Verdict(False, f"user = {user!r} is not a user ID", "give the number, e.g. user = 4242",
                       code="user-not-a-number")
    if str(given) != seen["uid"]:
        return Verdict(False, f"{given} is not the user the app runs as in {seen['name']}",
                       "the image's USER is only a default: ask the running container itself", code="wrong-user")
    return None


@exercise("5.2")
def looked_inside(name: str = "ch05-peek", workers=None, user=None) -> Verdict:
    """Exercise 5.2 (chapter 05): the number of gunicorn workers and the user ID, found in the running container."""
    return judge_inside(observe_inside(name), workers, user)


# --- Exercise 5.3 · a release on this machine only --------------------------------------------------------

def observe_release(name: str = "ch05-ex3", port: int = 8058, image: str = "course05/sample-app:1.0.0",
                    timeout: float = 20) -> dict:
    """The container, the ID of the image it should run, and what answers on 127.0.0.1:PORT."""
    facts = container_facts(name)
    wanted = docker("image", "inspect", "--format", "{{.Id}}", image, check=False).stdout.strip()
    seen = {"name": name, "port": port, "image": image, "image_id": wanted, "facts": facts, "page": None,
            "last_log": ""}
    if facts is not None and facts["running"] and any(binding["host"] == str(port) for binding in _bindings(facts)):
        seen["page"] = _page(port, timeout)
    elif facts is not None and not facts["running"]:
        seen["last_log"] = _last_log_line(name)
    return seen


def judge_release(seen: dict, version: str = "1.0.0", creator: str = "05") -> Verdict:
    """Exercise 5.3: the release, running, published on 127.0.0.1:PORT only, showing its version."""
    name, facts = seen["name"], seen["facts"]
    if facts is None:
        return Verdict(False, f"there is no container named {name} yet",
                       "write the `docker run` of sections 2 and 6 in the cell above: the name, the chapter's "
                       "label, the release's image", code="no-container")
    return _first_failure(lambda: judge_label(facts, creator), lambda: _judge_release_image(seen),
                          lambda: _judge_release_running(seen), lambda: _judge_release_ports(seen),
                          lambda: _judge_release_page(seen, version))


def _judge_release_image(seen: dict) -> Verdict | None:
    if seen["facts"]["image_id"] != seen["image_id"]:
        return Verdict(False, f"{seen['name']} runs {seen['facts']['image']}, not the release {seen['image']}",
                       "run the release's tag", code="wrong-image")
    return None


def _judge_release_running(seen: dict) -> Verdict | None:
    facts = seen["facts"]
    if not facts["running"]:
        return Verdict(False, f"{seen['name']} is {facts['status']} (exit code {facts['exit_code']}): "
                              f"{seen['last_log'] or 'no logs'}",
                       "read its logs (section 5): whatever follows the image name is the command run in the "
                       "container", code="stopped")
    return None


def _judge_release_ports(seen: dict) -> Verdict | None:
    name, port, bindings = seen["name"], str(seen["port"]), _bindings(seen["facts"])
    if not bindings:
        return Verdict(False, f"{name} publishes no port, so nothing outside it can reach the app",
                       "EXPOSE in the Dockerfile only documents a port; publishing is `docker run`'s job (section 2)",
                       code="not-published")
    on_port = [binding for binding in bindings if binding["host"] == port]
    if not on_port:
        return _judge_other_port(name, port, bindings)
    if any(binding["address"] in ALL_ADDRESSES for binding in on_port):
        return Verdict(False, f"port {port} is published on every address of this machine: other machines on "
                              "its network can reach it",
                       "the release must be reachable from this machine only: section 2's table has the form of "
                       "-p for that", code="published-on-all-interfaces")
    return None


def _judge_other_port(name: str, port: str, bindings: list[dict]) -> Verdict:
    published = ", ".join(f"{b['address'] or '*'}:{b['host']} → {b['container']}" for b in bindings)
    if any(binding["container"].split("/")[0] == port for binding in bindings):
        return Verdict(False, f"host port {port} is not published: {name} publishes {published}",
                       "-p takes the host's side first, then the container's", code="ports-reversed")
    return Verdict(False, f"host port {port} is not published: {name} publishes {published}",
                   f"publish the app's port on the host's port {port}", code="wrong-host-port")


def _judge_release_page(seen: dict, version: str) -> Verdict | None:
    name, port, page = seen["name"], seen["port"], seen["page"]
    if page is None:
        listens = "127.0.0.1" in " ".join(seen["facts"]["command"])
        return Verdict(False, f"nothing answers on http://127.0.0.1:{port}/",
                       "the app must listen on every address inside the container (section 3)" if listens else
                       f"`docker logs {name}` says whether the app started, and on which port it listens",
                       code="listens-on-loopback-inside" if listens else "no-answer")
    if page["version"] is None:
        return Verdict(False, f"port {port} answers, but not with the sample app's home page",
                       "the app's own port must be the container's side of -p", code="not-the-app")
    if page["version"] != version:
        return Verdict(False, f"the page shows version {page['version']!r}, not {version!r}",
                       "the version on the page comes from the configuration of section 6's table",
                       code="version-not-set" if page["version"] == "dev" else "wrong-version")
    return Verdict(True, f"{name} answers on http://127.0.0.1:{port}/ only, with version {version}")


@exercise("5.3")
def release_on_loopback(name: str = "ch05-ex3", port: int = 8058, version: str = "1.0.0",
                        image: str = "course05/sample-app:1.0.0", creator: str = "05") -> Verdict:
    """Exercise 5.3 (chapter 05): the release runs, on host port PORT of this machine only, showing its version."""
    return judge_release(observe_release(name, port, image), version, creator)


# --- Exercise 5.4 · the container that exits at once -------------------------------------------------------

def observe_repaired(name: str = "ch05-mystery", timeout: float = 30) -> dict:
    """The container, once its healthcheck has settled (healthy, unhealthy, or it stopped), and its last log line."""
    def settled() -> dict | None:
        facts = container_facts(name)
        if facts is None or not facts["running"] or facts["health"] in ("healthy", "unhealthy", None):
            return {"facts": facts}
        return None

    try:
        seen = until(settled, timeout, every=0.5, what=f"container {name}'s health")
    except TimedOut:
        seen = {"facts": container_facts(name)}
    facts = seen["facts"]
    seen.update(name=name, last_log=_last_log_line(name) if facts is not None and not facts["running"] else "")
    return seen


def judge_repaired(seen: dict, settings: dict[str, str], creator: str = "05") -> Verdict:
    """Exercise 5.4: the container runs and is healthy, with the settings it was given, but the broken one."""
    name, facts = seen["name"], seen["facts"]
    if facts is None:
        return Verdict(False, f"there is no container named {name}",
                       f"start it again under the same name, {name}, once its configuration is repaired",
                       code="no-container")
    unlabelled = judge_label(facts, creator)
    if unlabelled is not None:
        return unlabelled
    if not facts["running"]:
        why = "the program itself failed" if facts["exit_code"] == 1 else "it stopped"
        return Verdict(False, f"{name} exited with code {facts['exit_code']}: {why}",
                       "section 10's checklist: what did the program say last before it stopped? Read a traceback "
                       "from its last line up; then repair the configuration and run it again under the same name",
                       code="exits-at-once")
    if facts["health"] != "healthy":
        return Verdict(False, f"{name} runs, but its health is {facts['health']!r}",
                       f"`docker inspect {name}` keeps the last probes' output (.State.Health.Log)",
                       code="not-healthy")
    lost = {key: facts["env"].get(key) for key, value in settings.items() if facts["env"].get(key) != value}
    if lost:
        return Verdict(False, f"{name} runs, but without the colleague's settings: "
                              f"{', '.join(f'{key}={value!r}' for key, value in lost.items())}",
                       "repair only the setting that stops it; keep the others", code="settings-lost")
    return Verdict(True, f"{name} runs and is healthy, with the colleague's settings")


@exercise("5.4")
def mystery_repaired(name: str = "ch05-mystery", settings: dict[str, str] | None = None,
                     creator: str = "05") -> Verdict:
    """Exercise 5.4 (chapter 05): the container that exited at once runs and is healthy, its other settings kept."""
    wanted = settings if settings is not None else {"APP_VERSION": "2.0", "LOG_LEVEL": "INFO", "MAX_BODY_BYTES": "4096"}
    return judge_repaired(observe_repaired(name), wanted, creator)
