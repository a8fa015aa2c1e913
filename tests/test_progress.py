"""The learner's progress log (dockercourse/progress.py): what a checker writes, the table, reset, and that a
learner who did not join a radar sends nothing. The solved run of every chapter is checked by the harness's
nbval stage (tooling/harness.py: progress_recorded_wrong)."""

import ast
import importlib
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from dockercourse import PACKAGE_DIR, CourseError, progress
from dockercourse.__main__ import main
from dockercourse.checks.common import Verdict
from dockercourse.course import port_taken
from dockercourse.machine.lab import enable_lab_pages
from dockercourse.machine.lab_pages import SLIDES_PATH
from dockercourse.tooling.harness import progress_recorded_wrong
from dockercourse.tooling.slides import SLIDES_DIR
from dockercourse.wait import until


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(progress.DATA_ENV, str(tmp_path))
    monkeypatch.delenv(progress.RADAR_OFFER_ENV, raising=False)
    return tmp_path


def checker_modules():
    return [importlib.import_module(f"dockercourse.checks.{path.stem}")
            for path in sorted((PACKAGE_DIR / "checks").glob("ch*.py"))]


def test_every_exercise_has_one_recording_checker():
    recorded = [function.exercise for module in checker_modules() for function in vars(module).values()
                if callable(function) and hasattr(function, "exercise") and function.__module__ == module.__name__]
    assert sorted(recorded) == sorted(item.number for item in progress.course_exercises())


def test_every_failing_verdict_names_its_mistake():
    """The code is what the log and the radar count: a ✗ without one would be counted as nothing."""
    unnamed = []
    for path in sorted((PACKAGE_DIR / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Verdict" and node.args \
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value is False \
                    and not any(keyword.arg == "code" for keyword in node.keywords) \
                    and not any(isinstance(argument, ast.Starred) for argument in node.args):
                unnamed.append(f"{path.name}:{node.lineno}")
    assert not unnamed, f"failing verdicts without code=: {unnamed}"


def test_a_checker_appends_one_record_per_verdict(data):
    @progress.exercise("5.1")
    def checker(ok):
        return Verdict(True, "fine") if ok else Verdict(False, "the port is taken", "free it", code="port-taken")

    assert not checker(False) and checker(True)
    lines = (data / progress.LOG_NAME).read_text().splitlines()
    assert [{key: value for key, value in json.loads(line).items() if key != "at"} for line in lines] == [
        {"exercise": "5.1", "ok": False, "code": "port-taken"}, {"exercise": "5.1", "ok": True, "code": ""}]
    assert checker.exercise == "5.1" and checker.__name__ == "checker"


def test_a_log_that_cannot_be_written_costs_the_record_not_the_verdict(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(progress.DATA_ENV, str(tmp_path / "file" / "under-a-file"))
    verdict = Verdict(False, "no", "hint", code="port-taken")
    assert progress.exercise("5.1")(lambda: verdict)() is verdict


FIXTURE_LOG = """\
{"exercise": "0.1", "ok": false, "code": "client-version", "at": "2026-12-01T09:00:00+00:00"}
{"exercise": "0.1", "ok": true, "code": "", "at": "2026-12-01T09:04:30+00:00"}
{"exercise": "0.2", "ok": false, "code": "port-still-published", "at": "2026-12-01T09:10:00+00:00"}
not a record: a torn line
{"exercise": "0.2", "ok": false, "code": "bystander-stopped", "at": "2026-12-01T09:17:00+00:00"}
"""


def test_the_table_from_a_log(data):
    (data / progress.LOG_NAME).write_text(FIXTURE_LOG)
    assert len(progress.read_log()) == 4  # the torn line left out
    assert progress.show("00").splitlines() == [
        "Progress in chapter 00: 1 of 3 exercises solved, 1 tried, ⏱ 11 min on them",
        "Chapter 00",
        "  0.1   ✓ solved     What is this engine?  ⏱ 4 min",
        "  0.2   ✗ tried      Who holds the port?  ⏱ 7 min  last hint: bystander-stopped",
        "  0.3   · not tried  Which Python is in the container?",
        "Resume here: Exercise 0.2 · Who holds the port? — "
        "notebooks/00-preflight.ipynb#Exercise-0.2-·-Who-holds-the-port?",
    ]
    whole = progress.show()
    assert whole.startswith(f"Progress: 1 of {len(progress.course_exercises())} exercises solved, 1 tried")
    assert "Chapter 12" in whole


def test_make_progress_prints_the_table(data, capsys):
    (data / progress.LOG_NAME).write_text(FIXTURE_LOG)
    assert main(["progress", "--chapter", "00"]) == 0
    assert "Resume here: Exercise 0.2" in capsys.readouterr().out


def test_reset_asks_first(data, capsys):
    log = data / progress.LOG_NAME
    log.write_text(FIXTURE_LOG)
    with pytest.raises(CourseError, match="kept"):
        progress.reset(confirmed=False)
    assert log.read_text() == FIXTURE_LOG
    assert main(["progress", "reset"]) == 1  # no terminal to answer on: nothing deleted
    assert log.exists() and "answer y" in capsys.readouterr().err
    assert main(["progress", "reset", "--yes"]) == 0 and not log.exists()


def test_the_harness_finds_a_solved_run_that_recorded_wrong(tmp_path):
    chapter_00 = [item.number for item in progress.course_exercises() if item.chapter == "00"]
    right = [{"exercise": number, "ok": ok, "code": "" if ok else "some-mistake", "at": "2026-12-01T09:00:00+00:00"}
             for number in chapter_00 for ok in (False, True)]
    log = tmp_path / progress.LOG_NAME
    log.write_text("".join(json.dumps(record) + "\n" for record in right))
    assert progress_recorded_wrong(tmp_path, {"00"}) == []
    assert progress_recorded_wrong(tmp_path, {"00", "01"})  # chapter 01 ran and recorded nothing
    log.write_text("".join(json.dumps({**record, "code": ""}) + "\n" for record in right))
    assert progress_recorded_wrong(tmp_path, {"00"})  # a ✗ whose hint is not named


def _listening() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.5)
    return listener


def test_a_learner_who_did_not_join_sends_nothing(data, monkeypatch):
    listener = _listening()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    monkeypatch.setenv(progress.RADAR_OFFER_ENV, url)  # the workshop server offers a radar: offering is not joining
    progress.record("5.1", Verdict(False, "taken", "free it", code="port-taken"))
    with pytest.raises(TimeoutError):
        listener.accept()
    # The control: once joined (as `radar join` writes it), the same call connects.
    (data / progress.RADAR_NAME).write_text(json.dumps({"url": url, "learner": "0" * 32, "name": ""}))
    listener.settimeout(progress.SEND_TIMEOUT_S + 2)
    sender = threading.Thread(target=progress.record, args=("5.1", Verdict(True, "fine")))
    sender.start()
    connection, _ = listener.accept()
    assert b"POST /api/events" in connection.recv(4096)
    connection.close()
    sender.join()
    listener.close()


def test_joining_needs_an_address_and_a_radar(data):
    with pytest.raises(CourseError, match="which radar"):
        progress.join(None)
    listener = _listening()
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    with pytest.raises(CourseError, match="nothing answers"):
        progress.join(f"http://127.0.0.1:{port}")
    assert progress.joined() is None
    assert "had not joined" in progress.leave()


def test_the_course_pages_in_a_jupyter_server(data, tmp_path):
    """A real Jupyter server with the extension enabled as `make lab` enables it: the progress page reads the log
    when opened, links each exercise into JupyterLab, and asks for the token like every page of the server; the
    slides are served as pages of their own."""
    enable_lab_pages(tmp_path / "config")
    (data / progress.LOG_NAME).write_text(FIXTURE_LOG)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1",
                               "--ServerApp.token=secret", "--ServerApp.open_browser=False",
                               f"--ServerApp.root_dir={tmp_path}", "--ServerApp.base_url=/user/ada/",
                               *(["--allow-root"] if os.geteuid() == 0 else [])],
                              env={**os.environ, "JUPYTER_CONFIG_PATH": str(tmp_path / "config")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: port_taken(port), 60, every=0.5, what="the Jupyter server")
        url = f"http://127.0.0.1:{port}/user/ada/{progress.PAGE_PATH}"
        with urllib.request.urlopen(url, timeout=10) as answer:  # no token: the server's login page
            assert "/login" in answer.url and "exercises solved" not in answer.read().decode()
        with urllib.request.urlopen(url + "?token=secret", timeout=10) as answer:
            page = answer.read().decode()
        assert "1 of 42 exercises solved, 1 tried" in page
        assert 'Resume here: <a href="/user/ada/lab/tree/notebooks/00-preflight.ipynb#Exercise-0.2-' in page
        assert "last hint: bystander-stopped" in page
        (data / progress.LOG_NAME).write_text(FIXTURE_LOG + FIXTURE_LOG.splitlines()[1].replace("0.1", "0.2") + "\n")
        with urllib.request.urlopen(url + "?token=secret", timeout=10) as answer:
            assert "2 of 42 exercises solved, 0 tried" in answer.read().decode()  # opened again: read again
        # The decks' page: served without /files/'s sandbox, so a deck loads reveal.js beside it.
        SLIDES_DIR.mkdir(parents=True, exist_ok=True)
        deck = SLIDES_DIR / f"test-{os.getpid()}.html"
        deck.write_text("<p>a deck</p>")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/user/ada/{SLIDES_PATH}/{deck.name}?token=secret",
                                        timeout=10) as answer:
                assert answer.read() == b"<p>a deck</p>"
                assert "sandbox" not in answer.headers["Content-Security-Policy"]
        finally:
            deck.unlink()
    finally:
        server.terminate()
        server.wait(timeout=30)
