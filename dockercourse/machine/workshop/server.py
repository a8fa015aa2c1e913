"""Starting and stopping the workshop server: the hub, its proxy, the registry mirror; the cards.

    python -m dockercourse workshop-cards --roster room.csv [--url http://HOST:8780]
    python -m dockercourse workshop-server --roster room.csv
    python -m dockercourse workshop-server --stop           # every learner's engine and lab, the mirror

Used by: ``make workshop-cards``, ``make workshop-server``, tests/workshop/.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

from ... import LABEL, REPO_DIR, CourseError
from ...course import WORKSHOP_PORT, port_taken
from ...engine import docker, require_engine
from ...manifest import manifest_image
from ...resources import labelled
from .. import stack
from ..course_image import build_course_image
from ..images import registry_answers
from ..npm import npm_command
from . import (
    ACCOUNTS,
    CARDS_PDF,
    IDLE_TIMEOUT_S,
    WORKSHOP_DIR,
    make_accounts,
    pages_needed,
    print_cards,
    read_accounts,
    read_roster,
)
from .spawner import CREATOR

HUB_CONFIG = Path(__file__).with_name("hub_config.py")
MIRROR_CONFIG = Path(__file__).with_name("mirror-config.yml")
MIRROR = "dockercourse-ws-mirror"
PROXY_VERSION = "5.3.0"
HUB_LOG = WORKSHOP_DIR / "hub.log"


def room_address(port: int = WORKSHOP_PORT) -> str:
    """The address learners type: this machine's name on the room's network, and the hub's port."""
    return f"http://{socket.gethostname()}:{port}"


def make_cards(roster: Path, url: str | None = None) -> dict[str, str]:
    """New passwords for the roster (hashed for the hub), and the login cards' PDF; returns the passwords."""
    people = read_roster(roster)
    passwords = make_accounts(people)
    learners = {name: password for name, password in passwords.items()}
    print_cards(url or room_address(), learners)
    print(f"workshop: {len(people)} accounts in {ACCOUNTS.relative_to(REPO_DIR)} (hashed); their cards, "
          f"{pages_needed(len(people))} A4 page(s), in {CARDS_PDF.relative_to(REPO_DIR)} — the only copy of the "
          "passwords: print it, then delete it")
    return passwords


def proxy_command() -> str:
    """configurable-http-proxy, the hub's proxy, from npm (installed into build/npm/ on first use)."""
    return npm_command("configurable-http-proxy", PROXY_VERSION, "configurable-http-proxy",
                       "the workshop server (its proxy)")


def start_mirror(port: int) -> str:
    """The registry mirror (the manifest's registry image, as a pull-through cache of Docker Hub), on the hub's
    machine, when Docker Hub answers; returns the URL the learners' engines use, or "" with no mirror. The course's
    own images never need it: each learner's engine loads them from the archive on this machine's disk."""
    docker("rm", "--force", MIRROR, check=False)
    if not registry_answers():
        print("workshop: no registry answers, so no mirror: the learners' engines load the course's images from "
              f"{stack.STACK_IMAGES.relative_to(REPO_DIR)} (what else they pull fails until the network is back)")
        return ""
    docker("run", "--detach", "--name", MIRROR, "--label", f"{LABEL}={CREATOR}", "--restart", "unless-stopped",
           "-p", f"{port}:5000", "-v", f"{MIRROR_CONFIG}:/etc/distribution/config.yml:ro",
           manifest_image("registry").name)
    return f"port {port}, at each learner's network's gateway"


def check_ready(roster: Path, port: int) -> None:
    """What the hub needs, each missing piece one line: the accounts of this roster, a free port, an engine."""
    people = {person.name for person in read_roster(roster)}
    accounts = set(read_accounts())
    if people != accounts:
        raise CourseError(f"the accounts do not match {roster.name} ({len(people ^ accounts)} name(s) differ): run "
                          "`make workshop-cards ROSTER=…` again, and print the new cards")
    for taken in (candidate for candidate in range(port, port + 5) if port_taken(candidate)):
        raise CourseError(f"port {taken} is taken (the workshop server uses {port}–{port + 4}): stop what holds it "
                          f"(`ss -ltnp`), or choose another with WORKSHOP_PORT=…")
    require_engine()


def hub_environment(port: int, bind: str, idle_timeout_s: int, mirror: str) -> dict[str, str]:
    return {**os.environ, "WORKSHOP_PORT": str(port), "WORKSHOP_BIND": bind, "WORKSHOP_DIR": str(WORKSHOP_DIR),
            "WORKSHOP_ACCOUNTS": str(ACCOUNTS), "WORKSHOP_IMAGES": str(stack.STACK_IMAGES),
            "WORKSHOP_MIRROR": "1" if mirror else "", "WORKSHOP_PROXY": proxy_command(),
            "WORKSHOP_IDLE_TIMEOUT": str(idle_timeout_s), "PYTHONPATH": str(REPO_DIR)}


def start_hub(roster: Path, port: int = WORKSHOP_PORT, bind: str = "0.0.0.0", idle_timeout_s: int = IDLE_TIMEOUT_S,
              foreground: bool = True) -> subprocess.Popen | None:
    """Everything the room needs, then JupyterHub: in the foreground (`make workshop-server`; Ctrl-C stops it),
    or as a process whose output goes to build/workshop/hub.log (the tests)."""
    check_ready(roster, port)
    build_course_image()
    stack.save_images()
    mirror = start_mirror(port + 3)
    env = hub_environment(port, bind, idle_timeout_s, mirror)
    command = [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(HUB_CONFIG)]
    WORKSHOP_DIR.mkdir(parents=True, exist_ok=True)
    print(f"workshop: the hub on {room_address(port)} (learners log in with their cards; the roster's instructor "
          f"is its admin); mirror {mirror or 'none'}; idle servers stopped after {idle_timeout_s // 60} min; "
          f"the room radar on {room_address(port + 4)}", flush=True)
    if foreground:
        os.chdir(WORKSHOP_DIR)
        os.execve(command[0], command, env)
    with HUB_LOG.open("w") as log:
        return subprocess.Popen(command, env=env, cwd=WORKSHOP_DIR, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop_everything() -> int:
    """Every learner's lab and engine, their networks and engine volumes, the mirror: what the workshop made. The
    learners' work volumes stay (`make clean` removes them with everything else the course labelled)."""
    removed = 0
    for kind in ("container", "network", "volume"):
        for row in labelled(kind, CREATOR):
            name = row.get("Names") or row.get("Name") or row["ID"]
            if kind == "volume" and name.endswith("-work"):
                continue
            options = {"container": ["--force", "--volumes"], "volume": ["--force"]}.get(kind, [])
            docker(kind, "rm", *options, name, check=False)
            removed += 1
    kept = sum(row["Name"].endswith("-work") for row in labelled("volume", CREATOR))
    print(f"workshop: removed {removed} resource(s); the learners' work stays in {kept} volume(s)")
    return removed
