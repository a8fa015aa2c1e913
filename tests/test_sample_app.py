"""The sample app's images and Compose stack against the real engine.

Everything here carries a per-session course label and is removed at the end; host ports come
from the tests' own range (dockercourse.course.TEST_PORTS).
"""

import json
import subprocess
import time
import urllib.request
import uuid

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.course import TEST_PORTS
from dockercourse.engine import docker as docker_cli
from dockercourse.resources import remove_labelled
from dockercourse.wait import wait_healthy, wait_http

pytestmark = pytest.mark.usefixtures("engine")

APP_DIR = REPO_DIR / "sample_app"
CREATOR = f"tests-app-{uuid.uuid4().hex[:6]}"
PORT = iter(TEST_PORTS[2:7])  # this module's share (dockercourse/ports.py)
BAD_INPUTS = [  # (content type, body, expected status, expected error)
    ("application/json", b"{not json", 400, "malformed JSON"),
    ("text/plain", b"by=1", 415, "unsupported media type"),
    ("application/json", b'{"by": 1, "pad": "' + b"x" * 2000 + b'"}', 413, "request entity too large"),
]


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return docker_cli(*args, check=check, timeout=600)


def request(url: str, method: str = "GET", body: bytes | None = None, content_type: str = "application/json"):
    """(status, parsed JSON or text) of one HTTP request."""
    outgoing = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(outgoing, timeout=5) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except json.JSONDecodeError:
        return status, text


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    yield
    remove_labelled(CREATOR)


@pytest.fixture(scope="module")
def image():
    """Build one of the sample app's Dockerfiles (once per module) and return its tag."""
    built = {}

    def build(variant: str) -> str:
        if variant not in built:
            dockerfile = {"reference": "Dockerfile"}.get(variant, f"Dockerfile.{variant}")
            tag = f"sample-app-test:{variant}"
            docker("build", "--quiet", "--label", f"{LABEL}={CREATOR}", "-f", str(APP_DIR / dockerfile),
                   "-t", tag, str(APP_DIR))
            built[variant] = tag
        return built[variant]

    return build


def run(image: str, *options: str) -> tuple[str, int]:
    """Start a container publishing the next test port; return its ID and the port."""
    port = next(PORT)
    container = docker("run", "-d", "--label", f"{LABEL}={CREATOR}", "-p", f"127.0.0.1:{port}:8000",
                       *options, image).stdout.strip()
    return container, port


def stop(container: str, timeout: int) -> tuple[float, int]:
    """`docker stop` with a kill timeout; the seconds it took and the container's exit code."""
    start = time.monotonic()
    docker("stop", "--timeout", str(timeout), container)
    seconds = time.monotonic() - start
    return seconds, int(docker("inspect", "--format", "{{.State.ExitCode}}", container).stdout)


def test_reference_runs_as_a_non_root_user(image):
    uid = docker("run", "--rm", "--label", f"{LABEL}={CREATOR}", "--entrypoint", "id", image("reference"), "-u")
    assert uid.stdout.strip() == "10001"


def test_reference_is_healthy_serves_and_stops_gracefully(image):
    container, port = run(image("reference"))
    wait_healthy(container, timeout=60)
    status, page = request(f"http://127.0.0.1:{port}/")
    assert status == 200 and f"container {container[:12]}" in page, "/ must show the container's hostname"
    assert request(f"http://127.0.0.1:{port}/api/visits", "POST") == (201, {"visits": 2, "counter": "memory"})
    for content_type, body, expected_status, expected_error in BAD_INPUTS:
        status, answer = request(f"http://127.0.0.1:{port}/api/visits", "POST", body, content_type)
        assert (status, answer["error"]) == (expected_status, expected_error)
    assert request(f"http://127.0.0.1:{port}/nope")[0] == 404
    assert request(f"http://127.0.0.1:{port}/api/visits", "DELETE")[0] == 405
    stdout = docker("logs", container).stdout  # `docker logs` keeps stdout and stderr apart
    assert stdout.count('"DELETE /api/visits" 405') == 1, "one log line per request, on stdout"
    assert stdout.count('"POST /api/visits" 201') == 1 and stdout.count('"GET /nope" 404') == 1
    seconds, exit_code = stop(container, timeout=10)
    assert exit_code == 0, "gunicorn should exit cleanly on SIGTERM"
    assert seconds < 5, f"docker stop took {seconds:.1f} s: SIGTERM should stop it well under the 10 s timeout"


def test_reference_runs_read_only_with_a_tmpfs(image):
    container, port = run(image("reference"), "--read-only", "--tmpfs", "/tmp")
    wait_healthy(container, timeout=60)
    assert request(f"http://127.0.0.1:{port}/api/visits", "POST")[0] == 201


def test_naive_image_is_not_graceful(image):
    """Shell-form CMD and the dev server: SIGTERM does nothing, docker stop must kill (exit 137)."""
    container, port = run(image("naive"))
    assert wait_http(f"http://127.0.0.1:{port}/health")[0] == 200
    kill_timeout = 3
    seconds, exit_code = stop(container, timeout=kill_timeout)
    assert exit_code == 137, "killed by SIGKILL after the timeout"
    assert seconds >= kill_timeout


def test_naive_image_runs_as_root(image):
    uid = docker("run", "--rm", "--label", f"{LABEL}={CREATOR}", "--entrypoint", "id", image("naive"), "-u")
    assert uid.stdout.strip() == "0"


def test_multistage_image_serves_as_the_reference_does(image):
    container, port = run(image("multistage"), "--read-only", "--tmpfs", "/tmp")
    wait_healthy(container, timeout=60)
    assert request(f"http://127.0.0.1:{port}/ready") == (200, {"status": "ready", "counter": "memory"})


# --- Compose ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose():
    """`docker compose` on the sample app's compose.yaml, as its own project on a test port."""
    project, port = f"{CREATOR}-stack", next(PORT)
    env = {"WEB_PORT": str(port), "DOCKERCOURSE_LABEL": CREATOR, "APP_VERSION": "test"}

    def run_compose(*args: str) -> subprocess.CompletedProcess:
        return docker_cli("compose", "-p", project, "-f", str(APP_DIR / "compose.yaml"), *args, env=env, timeout=600)

    run_compose.url = f"http://127.0.0.1:{port}"
    yield run_compose
    run_compose("down", "--volumes", "--rmi", "local")


def web_started_at(compose) -> str:
    container = compose("ps", "-q", "web").stdout.strip()
    return docker("inspect", "--format", "{{.State.StartedAt}} {{.RestartCount}}", container).stdout.strip()


def test_compose_stack_keeps_data_recovers_from_redis_and_down_v_deletes(compose):
    compose("up", "-d", "--wait", "--build")
    visits = f"{compose.url}/api/visits"
    assert request(visits) == (200, {"visits": 0, "counter": "redis"})
    request(visits, "POST")
    request(visits, "POST")

    compose("down")  # containers and network go; the named volume stays
    compose("up", "-d", "--wait")
    assert request(visits)[1]["visits"] == 2, "the count must survive down + up"

    before = web_started_at(compose)
    compose("stop", "redis")
    status, answer = request(f"{compose.url}/ready")
    assert status == 503 and answer["reason"].startswith("redis unreachable")
    assert request(f"{compose.url}/health")[0] == 200, "liveness must not depend on Redis"
    compose("start", "redis")
    compose("up", "-d", "--wait")
    assert request(f"{compose.url}/ready")[0] == 200
    assert request(visits)[1]["visits"] == 2
    assert web_started_at(compose) == before, "web must recover without a restart"

    compose("down", "--volumes")  # the warning in chapter 06: this deletes the data
    compose("up", "-d", "--wait")
    assert request(visits)[1]["visits"] == 0, "down -v must have removed the data"
