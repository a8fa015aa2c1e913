"""The workshop server end to end (`make workshop-check`): a hub for a roster of three learners and an instructor,
each learner logged in through the hub's REST API with the password of their card, each server a course stack of
its own; chapter 00 and its exercises' checkers to ✓ in each learner's lab against that learner's engine; the room
radar hearing only the learner who joined it; isolation between learners; a stopped (culled) server leaves nothing
but the learner's work; bad input — a roster with a repeated or empty name, a wrong password, the hub's port taken,
a learner over the memory cap — each one clear message, and the rest of the room carries on.
"""

import json
import re
import socket
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from dockercourse import CourseError
from dockercourse.course import WORKSHOP_PORT
from dockercourse.engine import docker
from dockercourse.machine.workshop import CAPS, pages_needed, read_roster
from dockercourse.machine.workshop.server import check_ready, make_cards, start_hub, stop_everything
from dockercourse.machine.workshop.spawner import CREATOR, learner_resources
from dockercourse.resources import labelled

pytestmark = pytest.mark.usefixtures("engine")

LEARNERS = ("ada", "bob", "cy")
HUB = f"http://127.0.0.1:{WORKSHOP_PORT}"
#: What each learner runs in their own lab, against their own engine: chapter 00, its three exercises solved after
#: their hints (every chapter runs in a stack in the offline check; what a room of them costs is `make
#: workshop-bench`'s). Chapter 01 beside it cost CI about a minute and a half and proved nothing more here.
CHAPTERS = "00"


def write_roster(path, rows: str):
    path.write_text(textwrap.dedent(rows).lstrip())
    return path


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    roster = write_roster(tmp_path_factory.mktemp("room") / "room.csv",
                          "name,role\nteacher,instructor\n" + "".join(f"{name},learner\n" for name in LEARNERS))
    passwords = make_cards(roster, HUB)
    hub = start_hub(roster, WORKSHOP_PORT, bind="127.0.0.1", idle_timeout_s=3600, foreground=False)
    try:
        wait_for(lambda: api("GET", "/")[0] == 200, 120, "the hub's API")
        yield roster, passwords
    finally:
        hub.terminate()
        hub.wait(timeout=60)
        stop_everything()
        for name in LEARNERS:
            docker("volume", "rm", learner_resources(name)["work"], check=False)


def wait_for(condition, timeout: float, what: str):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return
        time.sleep(1)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s (build/workshop/hub.log)")


def api(method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, object]:
    """The hub's REST API: (status, parsed JSON)."""
    request = urllib.request.Request(f"{HUB}/hub/api{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"token {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)


def log_in(name: str, password: str) -> tuple[int, str]:
    """A token of the learner's, asked with the password of their card (how a script logs in)."""
    status, answer = api("POST", f"/users/{name}/tokens", {"auth": {"username": name, "password": password}})
    return status, answer["token"] if status == 201 else ""


def start_server(name: str, token: str) -> float:
    started = time.monotonic()
    assert api("POST", f"/users/{name}/server", token=token)[0] in (201, 202)
    wait_for(lambda: (api("GET", f"/users/{name}", token=token)[1].get("servers", {}).get("", {}).get("ready")),
             600, f"{name}'s server")
    return time.monotonic() - started


def in_lab(name: str, *command: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """A command in the learner's lab container, as that learner, in the course's folder."""
    return docker("exec", "--user", "1000:1000", "-w", "/home/learner/course", learner_resources(name)["lab"],
                  *command, timeout=timeout, check=False, merge=True)


@pytest.fixture(scope="module")
def servers(room):
    _, passwords = room
    tokens = {}
    for name in LEARNERS:
        status, tokens[name] = log_in(name, passwords[name])
        assert status == 201, f"{name} could not log in: {status}"
    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        seconds = dict(zip(LEARNERS, pool.map(lambda name: start_server(name, tokens[name]), LEARNERS), strict=True))
    print(f"servers ready in {', '.join(f'{name} {s:.0f} s' for name, s in seconds.items())}")
    return tokens


# --- the room, without a hub ------------------------------------------------------------------------------

@pytest.mark.parametrize("rows, message", [
    ("name,role\nteacher,instructor\nada,learner\nAda,learner\n", "'ada' is already on line 3"),
    ("name,role\nteacher,instructor\n,learner\n", "line 3: the name is empty"),
    ("name\nada\n", "nobody has the role instructor"),
    ("login\nada\n", "with `name` among them"),
    ("name,role\nteacher,instructor\nada smith,learner\n", "cannot be a login"),
])
def test_a_roster_with_a_mistake_is_one_line_naming_it(tmp_path, rows, message):
    with pytest.raises(CourseError, match=message):
        read_roster(write_roster(tmp_path / "room.csv", rows))


def test_the_cards_are_an_a4_pdf_eight_to_a_page(tmp_path, monkeypatch):
    from dockercourse.machine import workshop

    monkeypatch.setattr(workshop, "ACCOUNTS", tmp_path / "accounts.json")
    names = "".join(f"learner{number},learner\n" for number in range(10))
    roster = write_roster(tmp_path / "room.csv", "name,role\nteacher,instructor\n" + names)
    pdf = tmp_path / "cards.pdf"
    passwords = workshop.make_accounts(read_roster(roster), tmp_path / "accounts.json")
    workshop.print_cards("http://workshop.example:8780", passwords, pdf)
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages == pages_needed(11) == 2, f"11 cards on {pages} page(s)"
    boxes = {tuple(round(float(number)) for number in box.split())
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes == {(0, 0, 595, 842)}, f"every page A4 (595 × 842 points): {boxes}"
    accounts = json.loads((tmp_path / "accounts.json").read_text())
    assert all(password not in json.dumps(accounts) for password in passwords.values()), "the hub keeps hashes only"
    assert oct((tmp_path / "accounts.json").stat().st_mode)[-3:] == "600" and oct(pdf.stat().st_mode)[-3:] == "600"


def test_a_taken_hub_port_is_one_line_saying_which(room):
    roster, _ = room
    with socket.socket() as held:
        held.bind(("0.0.0.0", WORKSHOP_PORT + 10))
        held.listen()
        with pytest.raises(CourseError, match=f"port {WORKSHOP_PORT + 10} is taken"):
            check_ready(roster, WORKSHOP_PORT + 10)


# --- the room, with the hub -------------------------------------------------------------------------------

def test_a_wrong_password_is_refused(room):
    assert log_in("ada", "not-the-password")[0] == 403
    assert log_in("mallory", "anything")[0] in (403, 404)


def test_each_learner_runs_chapters_in_a_stack_of_their_own(servers):
    def run(name):
        return name, in_lab(name, "env", f"CHAPTERS={CHAPTERS}", "python", "-m", "dockercourse.tooling.harness",
                            "nbval")

    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        for name, ran in pool.map(run, LEARNERS):
            summary = ran.stdout.strip().splitlines()[-1] if ran.stdout.strip() else ""
            assert ran.returncode == 0 and " 0 failed" in summary, f"{name}: {ran.stdout[-2500:]}"


def test_each_learners_server_answers_through_the_hub_as_that_learner_only(servers):
    for name in LEARNERS:
        request = urllib.request.Request(f"{HUB}/user/{name}/api/status",
                                         headers={"Authorization": f"token {servers[name]}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
    stranger = urllib.request.Request(f"{HUB}/user/bob/api/status",
                                      headers={"Authorization": f"token {servers['ada']}"})
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(stranger, timeout=30)


def test_learners_see_nothing_of_each_other_and_cannot_reach_each_other(servers):
    assert in_lab("bob", "docker", "run", "-d", "--name", "bobs-secret", "--label", "dockercourse=tests",
                  "-p", "8050:8000", "python:3.14-slim-trixie", "python", "-m", "http.server", "8000").returncode == 0
    try:
        for listing in (["ps", "-a"], ["image", "ls"], ["volume", "ls"], ["network", "ls"]):
            seen = in_lab("ada", "docker", *listing, "--format", "{{json .}}").stdout
            assert "bobs-secret" not in seen and "dockercourse-ws-bob" not in seen, listing
        bob_engine = docker("inspect", "--format", "{{json .NetworkSettings.Networks}}",
                            learner_resources("bob")["engine"]).stdout
        bob_address = next(iter(json.loads(bob_engine).values()))["IPAddress"]
        probe = (f"import socket\ntry:\n socket.create_connection(({bob_address!r}, 8050), timeout=3)\n print('open')\n"
                 "except OSError as error:\n print('closed', error)")
        assert in_lab("bob", "python", "-c", probe.replace(bob_address, "127.0.0.1")).stdout.startswith("open")
        assert in_lab("ada", "python", "-c", probe).stdout.startswith("closed"), "ada reached bob's published port"
        no_socket = [mount for name in LEARNERS for kind in ("lab", "engine")
                     for mount in json.loads(docker("inspect", "--format", "{{json .Mounts}}",
                                                    learner_resources(name)[kind]).stdout)
                     if mount["Type"] == "bind" and mount["Source"].endswith(".sock")]
        assert not no_socket, f"a learner container mounts a socket of the host: {no_socket}"
    finally:
        in_lab("bob", "docker", "rm", "-f", "bobs-secret")


def room_radar() -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{WORKSHOP_PORT + 4}/api/room", timeout=10) as answer:
        return json.loads(answer.read())


def test_a_learner_who_joins_the_room_radar_is_seen_by_login(servers):
    """The hub runs the radar as a service; a lab is offered its address and sends nothing until the learner
    joins; then a checker's ✗ reaches it, under the learner's login."""
    before = room_radar()
    assert in_lab("bob", "python", "-c", "from dockercourse.checks import ch00; print(ch00.engine_report(None))"
                  ).stdout.startswith("✗")
    assert room_radar()["events"] == before["events"], "bob did not join, yet the radar heard of him"
    joined = in_lab("ada", "python", "-m", "dockercourse", "radar", "join")
    assert "joined" in joined.stdout and " as ada;" in joined.stdout, joined.stdout
    try:
        assert in_lab("ada", "python", "-c", "from dockercourse.checks import ch00; print(ch00.engine_report(None))"
                      ).stdout.startswith("✗")
        after = room_radar()
        assert after["events"] == before["events"] + 1
        hints = {hint["hint"]: hint["learners"] for row in after["exercises"] if row["exercise"] == "0.1"
                 for hint in row["hints"]}
        assert hints.get("report missing", 0) >= 1, after
    finally:
        in_lab("ada", "python", "-m", "dockercourse", "radar", "leave")


def test_every_learner_is_capped_and_the_lab_is_not_privileged(servers):
    for name in LEARNERS:
        engine = json.loads(docker("inspect", learner_resources(name)["engine"]).stdout)[0]
        assert engine["HostConfig"]["Memory"] > 0 and engine["HostConfig"]["NanoCpus"] == int(
            CAPS["engine"]["cpus"] * 1e9)
        lab = json.loads(docker("inspect", learner_resources(name)["lab"]).stdout)[0]
        assert lab["HostConfig"]["Memory"] > 0 and not lab["HostConfig"]["Privileged"] and lab["Config"]["User"] == \
            "1000:1000"


def test_a_learner_over_the_memory_cap_is_stopped_and_the_room_carries_on(servers):
    hog = in_lab("cy", "python", "-c", "b = bytearray(3 * 1024**3); print('allocated')", timeout=120)
    assert "allocated" not in hog.stdout, "the lab's memory cap did not hold"
    assert api("GET", "/", token=servers["ada"])[0] == 200, "the hub carries on"
    for name in ("ada", "bob"):
        user = api("GET", f"/users/{name}", token=servers[name])[1]
        assert user["servers"][""]["ready"], f"{name}'s server carries on"


@pytest.mark.parametrize("name", ["bob", "cy"], ids=["running", "killed over its cap"])
def test_a_stopped_server_leaves_nothing_but_the_learners_work(servers, name):
    """What the idle culler does (DELETE /users/NAME/server), done now, to a server that runs and to one whose lab
    the kernel killed: the lab, the engine with every container it ran, the engine's data and the network go; the
    learner's work volume stays."""
    assert api("DELETE", f"/users/{name}/server", token=servers[name])[0] in (202, 204)
    wait_for(lambda: not api("GET", f"/users/{name}", token=servers[name])[1].get("servers"), 300,
             f"{name}'s server stopped")
    names = learner_resources(name)
    left = [row for kind in ("container", "network", "volume") for row in labelled(kind, CREATOR)
            if f"dockercourse-ws-{name}-" in json.dumps(row) or row.get("Name") == names["network"]]
    assert [row.get("Name") or row.get("Names") for row in left] == [names["work"]], f"left behind: {left}"


def test_the_idle_culler_watches_the_room(room):
    """The hub runs jupyterhub-idle-culler as a service (it stops idle servers as the test above did)."""
    roster, passwords = room
    status, token = log_in("teacher", passwords["teacher"])
    assert status == 201
    status, services = api("GET", "/services", token=token)
    assert status == 200 and "idle-culler" in services, services
