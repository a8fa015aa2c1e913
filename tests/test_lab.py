"""`make lab` beside `make test`: the doctor accepts the course's own JupyterLab on LAB_PORT, still
reports a stranger there, and `make lab` then starts on the next free port.

Real servers, no mocks: a JupyterLab from the virtualenv and a plain `http.server`. No engine is
needed (the port check's `docker ps` answers nothing without one).
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from dockercourse import REPO_DIR
from dockercourse.course import LAB_PORT, port_taken
from dockercourse.machine.doctor import check_ports, course_ports
from dockercourse.machine.lab import FIRST_PAGE, LAB_PORTS, SETTINGS, course_lab, holder, is_jupyter, write_settings

pytestmark = pytest.mark.machine_wide  # LAB_PORT, which the doctor checks, is held and freed here

JUPYTER = Path(sys.executable).with_name("jupyter")
ROOT = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
START_S = 120  # JupyterLab starts in 2–3 s on a quiet machine, 20 s on a busy one


def started(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=REPO_DIR, env={**os.environ, **(env or {})}, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_for(condition, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        assert process.poll() is None, f"{what}: exited with {process.returncode}:\n{log.read_text()[-2000:]}"
        time.sleep(0.3)
    pytest.fail(f"{what}: not there after {START_S} s:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()  # JupyterLab stops cleanly on SIGTERM and removes its runtime file
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get(url: str, token: str) -> tuple[int, str, bytes]:
    """Status, final URL (after redirects) and body."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.url, response.read()


def jupyterlab(tmp_path: Path, root: Path, **env: str) -> subprocess.Popen:
    """A JupyterLab from the virtualenv on LAB_PORT, with `root` as its root."""
    return started([str(JUPYTER), "lab", "--no-browser", f"--port={LAB_PORT}", "--ServerApp.port_retries=0",
                    f"--ServerApp.root_dir={root}", *ROOT], tmp_path / "jupyterlab.log",
                   env={"JUPYTER_TOKEN": uuid.uuid4().hex, **env})


@pytest.fixture(scope="module")
def course_jupyterlab(tmp_path_factory):
    """A JupyterLab from the virtualenv on LAB_PORT with this repository as its root — or the one
    `make lab` already runs there (the very case this covers: `make test` while `make lab` is open)."""
    if port_taken(LAB_PORT):
        running = course_lab(LAB_PORT)
        assert running, f"port {LAB_PORT} is held by something other than the course's JupyterLab: free it"
        yield running
        return
    tmp_path = tmp_path_factory.mktemp("course-lab")
    lab = jupyterlab(tmp_path, REPO_DIR)
    try:
        yield wait_for(lambda: course_lab(LAB_PORT), lab, tmp_path / "jupyterlab.log", f"JupyterLab on {LAB_PORT}")
    finally:
        stop(lab)


@pytest.fixture
def lab_port_free():
    if port_taken(LAB_PORT):
        pytest.skip(f"port {LAB_PORT} is taken (`make lab` open?): this case needs it free")


@pytest.fixture
def stranger_on_lab_port(tmp_path, lab_port_free):
    """A plain web server on LAB_PORT: not Jupyter, not the course's."""
    log = tmp_path / "http-server.log"
    server = started([sys.executable, "-m", "http.server", str(LAB_PORT), "--bind", "127.0.0.1",
                      "--directory", str(tmp_path)], log)
    try:
        wait_for(lambda: port_taken(LAB_PORT), server, log, f"http.server on {LAB_PORT}")
        yield server
    finally:
        stop(server)


@pytest.mark.parametrize("case", ["another root", "another user or container"])
def test_other_jupyter_servers_on_the_lab_port(case, tmp_path, lab_port_free):
    """This user's Jupyter with another root is reported. One whose runtime file this user cannot see
    (another user's, or a container's such as the course image's with --network host) is let pass."""
    runtime = tmp_path / "runtime-of-another-user"
    lab = jupyterlab(tmp_path, tmp_path) if case == "another root" else \
        jupyterlab(tmp_path, REPO_DIR, JUPYTER_RUNTIME_DIR=str(runtime))
    try:
        wait_for(lambda: is_jupyter(LAB_PORT), lab, tmp_path / "jupyterlab.log", f"JupyterLab on {LAB_PORT}")
        check = check_ports([LAB_PORT])
        if case == "another root":
            assert holder(LAB_PORT) == "jupyter"
            assert not check.ok and f"`jupyter server stop {LAB_PORT}`" in check.fix, check
        else:
            assert holder(LAB_PORT) == "unseen"
            assert check.ok and "a JupyterLab of another user or container" in check.found, check
    finally:
        stop(lab)


def test_a_stranger_on_the_lab_port_is_reported_and_make_lab_moves_on(stranger_on_lab_port, tmp_path):
    check = check_ports([LAB_PORT])
    assert not check.ok and check.found.endswith(f"taken by something else: [{LAB_PORT}]"), check
    assert course_lab(LAB_PORT) is None
    expected = next(port for port in LAB_PORTS if not port_taken(port))
    log = tmp_path / "make-lab.log"
    lab = started([sys.executable, "-m", "dockercourse", "lab"], log)  # what `make lab` runs
    try:
        server = wait_for(lambda: course_lab(expected), lab, log, f"`make lab` on {expected}")
        lines = log.read_text().splitlines()
        assert lines[0] == f"lab: port {LAB_PORT} is held by another program; JupyterLab starts on {expected}"
        url = f"http://127.0.0.1:{expected}/lab/tree/{FIRST_PAGE}?token={server['token']}"
        assert lines[1] == f"lab: JupyterLab on the course's root, chapter 00 at {url}"
        base, token = f"http://127.0.0.1:{expected}", server["token"]
        # The course's root: the chapters and the sample app side by side; `/` opens chapter 00.
        assert Path(server["root_dir"]).resolve() == REPO_DIR.resolve()
        listing = {item["name"] for item in json.loads(get(f"{base}/api/contents/", token)[2])["content"]}
        assert {"notebooks", "sample_app"} <= listing
        assert get(f"{base}/", token)[1].startswith(f"{base}/lab/tree/{FIRST_PAGE}")
        # No "Would you like to get notified about official Jupyter news?": the default is "false" (Never).
        settings = json.loads(get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)[2])
        assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"
    finally:
        stop(lab)
    assert not port_taken(expected), "`make lab` left its JupyterLab running"


def test_settings_are_merged_into_overrides_json(tmp_path):
    overrides = tmp_path / "overrides.json"
    theme = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    notification = {"@jupyterlab/apputils-extension:notification": {"checkForUpdates": False}}
    overrides.write_text(json.dumps({**theme, **notification}))
    assert write_settings(tmp_path) == overrides
    written = json.loads(overrides.read_text())
    assert written == {**theme, "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, **SETTINGS[
        "@jupyterlab/apputils-extension:notification"]}}, "the learner's own overrides must stay"
    write_settings(tmp_path)
    assert json.loads(overrides.read_text()) == written, "a second run changes nothing"


# The course's JupyterLab, shared by the tests below (module scope: it stays up to the end of the file).

def test_the_doctor_accepts_the_courses_jupyterlab_on_the_lab_port(course_jupyterlab):
    assert LAB_PORT in course_ports(), "the doctor checks the lab's port outside a notebook"
    alone = check_ports([LAB_PORT])
    assert alone.ok, alone
    assert alone.found == "0 of 1 free; the rest held by the course's JupyterLab"
    # The whole check: whatever else holds a course port here, the lab's port is not counted against it.
    whole = check_ports()
    assert f"{LAB_PORT}" not in whole.found, whole


def test_the_doctor_finds_the_lab_without_jupyter_installed(course_jupyterlab):
    """`make doctor` runs outside the virtualenv: it asks the virtualenv's `jupyter --runtime-dir`."""
    code = ("import sys; sys.modules['jupyter_core'] = None\n"  # as if Jupyter were not installed
            "from dockercourse.machine.lab import course_lab; from dockercourse.course import LAB_PORT\n"
            "print(course_lab(LAB_PORT)['pid'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_DIR, timeout=60)
    assert result.stdout.strip() == str(course_jupyterlab["pid"]), result.stderr


def test_make_lab_points_at_the_courses_running_jupyterlab(course_jupyterlab):
    result = subprocess.run([sys.executable, "-m", "dockercourse", "lab"], capture_output=True, text=True,
                            cwd=REPO_DIR, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("lab: the course's JupyterLab already runs"), result.stdout
    assert f":{LAB_PORT}/lab/tree/{FIRST_PAGE}?token={course_jupyterlab['token']}" in result.stdout
