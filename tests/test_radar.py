"""The room radar (dockercourse/machine/radar.py): three simulated learners joined through the real client
(progress.join, progress.record), the dashboard in Chromium, bad and oversized events refused with nothing
stored, the rate cap, and a restart that keeps the events. The dashboard's screenshot (build/test-results/
screenshots/radar.png) is the instructor guide's picture."""

import http.client
import json
import socket
import threading

import pytest

from dockercourse import progress
from dockercourse.checks.common import Verdict
from dockercourse.machine.radar import MAX_BODY, Radar, RateLimit, Store, room
from tests.browser import chromium, screenshot


def start(database, rate: RateLimit | None = None, stuck_minutes: float = 10) -> tuple[Radar, str]:
    radar = Radar(("127.0.0.1", 0), Store(database), stuck_minutes, rate)
    threading.Thread(target=radar.serve_forever, daemon=True).start()
    return radar, f"http://127.0.0.1:{radar.server_address[1]}"


def stop(radar: Radar) -> None:
    radar.shutdown()
    radar.server_close()
    radar.store.close()


@pytest.fixture
def radar(tmp_path):
    server, url = start(tmp_path / "radar.sqlite")
    yield server, url
    stop(server)


def post(url: str, body: bytes, headers: dict | None = None) -> int:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("POST", "/api/events", body=body, headers={"Content-Type": "application/json",
                                                                      **(headers or {})})
        return connection.getresponse().status
    except (ConnectionResetError, BrokenPipeError):
        return 0  # refused unread: the radar closed the connection before the whole body was sent
    finally:
        connection.close()


def room_now(url: str) -> dict:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("GET", "/api/room")
    return json.loads(connection.getresponse().read())


#: Three learners, as their checkers' verdicts: (learner's data directory, name, exercise, ok, code).
ROOM = [("ana", "ana", "5.1", False, "port-taken"), ("ana", "ana", "5.1", True, ""),
        ("ana", "ana", "7.2", False, "published-on-all-interfaces"),
        ("anonymous", "", "7.2", False, "not-published"),
        ("anonymous", "", "7.2", False, "published-on-all-interfaces"),
        ("chen", "chen", "7.2", False, "published-on-all-interfaces")]


def learners_join(url: str, tmp_path, monkeypatch) -> dict:
    """Each simulated learner's data directory, joined to the radar with the real `radar join`."""
    directories = {}
    for directory, name in {(row[0], row[1]) for row in ROOM}:
        directories[directory] = tmp_path / directory
        monkeypatch.setenv(progress.DATA_ENV, str(directories[directory]))
        progress.join(url, name)
    return directories


def verdict_from(directory, ok: bool, code: str, exercise: str, directories, monkeypatch) -> None:
    monkeypatch.setenv(progress.DATA_ENV, str(directories[directory]))
    progress.record(exercise, Verdict(True, "fine") if ok else Verdict(False, "not yet", "a hint", code=code))


def test_three_learners_on_the_dashboard(tmp_path, monkeypatch):
    server, url = start(tmp_path / "radar.sqlite", stuck_minutes=0)  # everyone unsolved counts as stuck
    directories = learners_join(url, tmp_path, monkeypatch)
    for directory, _, exercise, ok, code in ROOM:
        verdict_from(directory, ok, code, exercise, directories, monkeypatch)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url + "/")
        page.wait_for_function("document.getElementById('summary').textContent.startsWith('3 learners')")
        assert page.locator("#summary").inner_text() == "3 learners joined · 6 checker verdicts"
        assert page.locator("#top li").first.inner_text() == "3 learners: published on all interfaces (exercise 7.2)"
        rows = page.locator("#exercises tr")
        assert rows.count() == 2
        assert rows.nth(0).locator("td").all_inner_texts()[:3] == ["5.1 · The shop will not start", " 1", " 1"]
        cells = rows.nth(1).locator("td").all_inner_texts()
        assert cells[:3] == ["7.2 · A port open to the café", " 3", " 0"]
        assert cells[3] == "3 · published on all interfaces"
        # Live: chen solves 7.2; the page shows it without a reload.
        verdict_from("chen", True, "", "7.2", directories, monkeypatch)
        page.wait_for_function("document.querySelectorAll('#exercises tr')[1].children[2].textContent.trim() === '1'",
                               timeout=6000)
        assert page.locator("#top li").first.inner_text() == "2 learners: published on all interfaces (exercise 7.2)"
        stuck = page.locator("#stuck li").all_inner_texts()
        assert len(stuck) == 2 and "ana: exercise 7.2, 0 min, hint: published on all interfaces" in stuck
        screenshot(page, "radar")
        assert errors == []
    stop(server)


def test_who_is_stuck_and_for_how_long():
    """The room from recorded events (no server): ana has been on 7.2 for 25 minutes, chen solved it."""
    now = 10_000.0
    events = [("a" * 32, "ana", "7.2", 0, "not-published", now - 25 * 60),
              ("a" * 32, "ana", "7.2", 0, "published-on-all-interfaces", now - 60),
              ("c" * 32, "chen", "7.2", 0, "not-published", now - 30 * 60), ("c" * 32, "chen", "7.2", 1, "", now),
              ("b" * 32, "", "5.1", 0, "port-taken", now - 11 * 60)]
    seen = room(events, now, stuck_minutes=10)
    assert seen["stuck"] == [{"who": "ana", "exercise": "7.2", "minutes": 25, "hint": "published on all interfaces"},
                             {"who": "learner bbbbbb", "exercise": "5.1", "minutes": 11, "hint": "port taken"}]
    assert seen["learners"] == 3 and seen["exercises"][1]["solved"] == 1


GOOD = {"learner": "f" * 32, "name": "", "exercise": "5.1", "ok": False, "code": "port-taken"}
BAD_EVENTS = {
    "not JSON": b"{not json",
    "not UTF-8": b"\xff\xfe\x00garbage",
    "a list": b"[1, 2]",
    "a field missing": json.dumps({key: value for key, value in GOOD.items() if key != "code"}).encode(),
    "a field more": json.dumps({**GOOD, "hint": "rm -rf /"}).encode(),
    "a learner id that is not one": json.dumps({**GOOD, "learner": "'; DROP TABLE events; --"}).encode(),
    "markup as a name": json.dumps({**GOOD, "name": "<script>alert(1)</script>"}).encode(),
    "an unknown exercise": json.dumps({**GOOD, "exercise": "99.9"}).encode(),
    "ok as text": json.dumps({**GOOD, "ok": "false"}).encode(),
    "a ✗ without its mistake": json.dumps({**GOOD, "code": ""}).encode(),
    "a ✓ with a mistake": json.dumps({**GOOD, "ok": True}).encode(),
    "a mistake that is not a name": json.dumps({**GOOD, "code": "Port Taken!"}).encode(),
    "a mistake too long": json.dumps({**GOOD, "code": "a" * 65}).encode(),
}


@pytest.mark.parametrize("body", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_bad_event_is_refused_and_nothing_stored(radar, body):
    server, url = radar
    assert post(url, body) == 400
    assert server.store.events() == []


def test_an_oversized_or_lengthless_event_is_refused_unread(radar):
    server, url = radar
    assert post(url, json.dumps({**GOOD, "name": "x" * MAX_BODY}).encode()) in (413, 0)
    assert post(url, b"x" * 10_000_000) in (413, 0)  # 10 MB: refused before it is read
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:  # no Content-Length at all
        raw.sendall(b"POST /api/events HTTP/1.1\r\nHost: radar\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.0 411")
    assert server.store.events() == []
    assert post(url, json.dumps(GOOD).encode()) == 201  # and it still takes a good one
    assert len(server.store.events()) == 1


def test_a_flood_from_one_machine_is_capped(tmp_path):
    server, url = start(tmp_path / "radar.sqlite", RateLimit(limit=5, window=60))
    try:
        answers = [post(url, json.dumps(GOOD).encode()) for _ in range(8)]
        assert answers == [201] * 5 + [429] * 3
        assert len(server.store.events()) == 5
    finally:
        stop(server)


def test_a_restart_keeps_the_events(tmp_path):
    database = tmp_path / "radar.sqlite"
    server, url = start(database)
    assert post(url, json.dumps(GOOD).encode()) == 201
    assert post(url, json.dumps({**GOOD, "ok": True, "code": ""}).encode()) == 201
    before = room_now(url)
    stop(server)
    server, url = start(database)
    try:
        after = room_now(url)
        assert after["events"] == 2 and after["exercises"] == before["exercises"]
        assert after["exercises"][0]["solved"] == 1
    finally:
        stop(server)


def test_the_dashboard_says_when_the_radar_is_gone(tmp_path):
    server, url = start(tmp_path / "radar.sqlite")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_function("document.getElementById('summary').textContent.startsWith('0 learners')")
        stop(server)
        page.wait_for_selector("#updated.offline", timeout=6000)
        assert "does not answer" in page.locator("#updated").inner_text()
