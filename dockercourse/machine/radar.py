"""The room radar (``make radar``): the instructor's live view of which exercise the room is on, and why it is stuck.

Learners who join (``python -m dockercourse radar join URL``; progress.py) send each checker verdict here: a
learner id (random, or the room's login), the exercise, ✓/✗ and the mistake's name. The dashboard (``/``) polls
``/api/room`` every two seconds: per exercise how many reached it and solved it, the hints the room is on now
("9 learners: published on all interfaces"), and who has been on one exercise longer than ``--stuck-minutes``.

Built for a room's network with no internet and with machines that may send anything: only the standard
library; an event is taken only when every field is valid (400 otherwise), bodies over MAX_BODY bytes are
refused unread (413), each address may send RATE_LIMIT events per RATE_WINDOW_S (429); nothing a request does
stops the service. Events are kept in SQLite, so a restart keeps the room's history.
"""

import json
import re
import socket
import sqlite3
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..progress import CODE, course_exercises, data_dir

DASHBOARD = Path(__file__).with_name("radar.html")
MAX_BODY = 1024  # bytes: an event is about 150
RATE_LIMIT, RATE_WINDOW_S = 30, 10.0
LEARNER = re.compile(r"^[0-9a-f]{32}$")
#: A login name as JupyterHub allows it, or none.
NAME = re.compile(r"^[\w.@+-]{0,40}$")
FIELDS = {"learner", "name", "exercise", "ok", "code"}
REQUEST_TIMEOUT_S = 5  # a client that stops sending mid-request lets go of its thread after this


def invalid(event: object, exercises: set[str]) -> str | None:
    """Why `event` is not an event the radar takes, or None when it is."""
    if not isinstance(event, dict) or set(event) != FIELDS:
        return f"an event is a JSON object with exactly the fields {sorted(FIELDS)}"
    if not isinstance(event["learner"], str) or not LEARNER.match(event["learner"]):
        return "learner: 32 hexadecimal digits"
    if not isinstance(event["name"], str) or not NAME.match(event["name"]):
        return "name: up to 40 letters, digits or . @ + - _"
    if event["exercise"] not in exercises:
        return "exercise: one of the course's exercises, as \"5.1\""
    if not isinstance(event["ok"], bool):
        return "ok: true or false"
    code = event["code"]
    named = isinstance(code, str) and len(code) <= 64 and CODE.match(code) is not None
    if (code != "") if event["ok"] else not named:
        return "code: \"\" for a ✓, the mistake's kebab-case name (up to 64 characters) for a ✗"
    return None


class Store:
    """The room's events in SQLite: appended, never rewritten."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, learner TEXT NOT NULL, "
                                "name TEXT NOT NULL, exercise TEXT NOT NULL, ok INTEGER NOT NULL, code TEXT NOT NULL, "
                                "received REAL NOT NULL)")
        self.lock = threading.Lock()

    def add(self, event: dict, received: float) -> None:
        with self.lock:
            self.connection.execute("INSERT INTO events (learner, name, exercise, ok, code, received) VALUES "
                                    "(?, ?, ?, ?, ?, ?)", (event["learner"], event["name"], event["exercise"],
                                                           int(event["ok"]), event["code"], received))

    def events(self) -> list[tuple]:
        """(learner, name, exercise, ok, code, received), oldest first."""
        with self.lock:
            return self.connection.execute("SELECT learner, name, exercise, ok, code, received FROM events "
                                           "ORDER BY id").fetchall()

    def close(self) -> None:
        self.connection.close()


def words(code: str) -> str:
    """A mistake's name as the dashboard says it: "published-on-all-interfaces" → "published on all interfaces"."""
    return code.replace("-", " ")


def room(events: list[tuple], now: float, stuck_minutes: float) -> dict:
    """The dashboard's view of the room from its events (see the module's docstring)."""
    tries: dict[tuple[str, str], list[tuple]] = {}
    names, latest = {}, {}
    for event in events:
        learner, name, exercise = event[0], event[1], event[2]
        tries.setdefault((learner, exercise), []).append(event)
        names[learner] = name or f"learner {learner[:6]}"
        latest[learner] = exercise
    solved = {key for key, events_of in tries.items() if any(event[3] for event in events_of)}
    current_hint = {key: events_of[-1][4] for key, events_of in tries.items() if key not in solved}
    rows = []
    for item in course_exercises():
        reached = [learner for (learner, exercise) in tries if exercise == item.number]
        if not reached:
            continue
        hints = Counter(code for (_, exercise), code in current_hint.items() if exercise == item.number)
        rows.append({"exercise": item.number, "title": item.title, "reached": len(reached),
                     "solved": sum((learner, item.number) in solved for learner in reached),
                     "hints": [{"hint": words(code), "learners": count} for code, count in hints.most_common()]})
    everywhere = Counter((exercise, code) for (_, exercise), code in current_hint.items())
    stuck = []
    for learner, exercise in latest.items():
        since = tries[(learner, exercise)][0][5]
        if (learner, exercise) not in solved and now - since > stuck_minutes * 60:
            stuck.append({"who": names[learner], "exercise": exercise, "minutes": int((now - since) // 60),
                          "hint": words(current_hint[(learner, exercise)])})
    return {"learners": len(names), "events": len(events), "stuck_minutes": stuck_minutes, "exercises": rows,
            "top_hints": [{"exercise": exercise, "hint": words(code), "learners": count}
                          for (exercise, code), count in everywhere.most_common(5)],
            "stuck": sorted(stuck, key=lambda row: -row["minutes"])}


@dataclass
class RateLimit:
    """At most `limit` events per `window` seconds from one address."""

    limit: int = RATE_LIMIT
    window: float = RATE_WINDOW_S

    def __post_init__(self):
        self.seen: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allows(self, address: str, now: float) -> bool:
        with self.lock:
            recent = self.seen.setdefault(address, deque())
            while recent and now - recent[0] > self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True


class Radar(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: Store, stuck_minutes: float, rate: RateLimit | None = None):
        self.store, self.stuck_minutes, self.rate = store, stuck_minutes, rate or RateLimit()
        self.exercises = {item.number for item in course_exercises()}
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    server: Radar
    timeout = REQUEST_TIMEOUT_S

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value).encode())

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/":
            self._send(HTTPStatus.OK, DASHBOARD.read_bytes(), "text/html; charset=utf-8")
        elif self.path == "/api/hello":
            self._json(HTTPStatus.OK, {"radar": "dockercourse"})
        elif self.path == "/api/room":
            self._json(HTTPStatus.OK, room(self.server.store.events(), time.time(), self.server.stuck_minutes))
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": "no such page: / is the dashboard"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/api/events":
            return self._json(HTTPStatus.NOT_FOUND, {"error": "events go to /api/events"})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._json(HTTPStatus.LENGTH_REQUIRED, {"error": "send a Content-Length"})
        if length > MAX_BODY or length < 0:
            self.close_connection = True  # the body is not read
            return self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"an event is at most {MAX_BODY} bytes"})
        if not self.server.rate.allows(self.client_address[0], time.monotonic()):
            self.close_connection = True
            return self._json(HTTPStatus.TOO_MANY_REQUESTS, {"error": f"at most {RATE_LIMIT} events per "
                                                                      f"{RATE_WINDOW_S:.0f} s from one machine"})
        try:
            event = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "the body is not JSON"})
        why = invalid(event, self.server.exercises)
        if why:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": why})
        self.server.store.add(event, time.time())
        self._json(HTTPStatus.CREATED, {"taken": True})

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        """Quiet: the dashboard's polling would fill the terminal."""


def room_address() -> str:
    """This machine's address on the room's network (the one a default route would use; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def serve(port: int, host: str = "0.0.0.0", database: Path | None = None, stuck_minutes: float = 10) -> None:
    """Run the radar until interrupted."""
    database = database or data_dir() / "radar.sqlite"
    store = Store(database)
    radar = Radar((host, port), store, stuck_minutes)
    url = f"http://{room_address() if host == '0.0.0.0' else host}:{radar.server_address[1]}"
    print(f"radar: the dashboard is {url}/ ; learners join with: python -m dockercourse radar join {url}\n"
          f"radar: events are kept in {database} (Ctrl-C stops; starting again keeps them)", flush=True)
    try:
        radar.serve_forever()
    finally:
        radar.server_close()
        store.close()
