"""dockercourse.engine_api: the Engine API over the Unix socket with the standard library, against the
real engine (its answers must be the ones the docker CLI gets)."""

import http.client
import json

import pytest

from dockercourse import LABEL, CourseError
from dockercourse.engine import docker
from dockercourse.engine_api import UnixHTTPConnection, engine_connection, engine_endpoint, engine_get, engine_socket
from dockercourse.manifest import manifest_image

PYTHON_IMAGE = manifest_image("python").name


def test_the_connection_speaks_plain_http_over_the_socket(engine):
    connection = UnixHTTPConnection()
    try:
        connection.request("GET", "/_ping")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"OK")
        assert response.getheader("Api-Version")
    finally:
        connection.close()


def test_engine_get_gives_the_version_the_cli_gets(engine):
    status, version = engine_get("/version")
    server = json.loads(docker("version", "--format", "{{json .Server}}").stdout)
    assert status == 200
    assert (version["ApiVersion"], version["Version"]) == (server["ApiVersion"], server["Version"])
    assert "containerd" in {component["Name"] for component in version["Components"]}


def test_engine_get_sends_filters_as_json_like_the_cli(engine, test_label):
    name = f"{test_label}-listed"
    docker("run", "-d", "--label", f"{LABEL}={test_label}", "--name", name, PYTHON_IMAGE, "sleep", "30")
    status, containers = engine_get("/containers/json", filters={"label": [f"{LABEL}={test_label}"]})
    assert status == 200
    assert [container["Names"] for container in containers] == [[f"/{name}"]]
    status, everything = engine_get("/containers/json", all=1, filters={"label": [f"{LABEL}={test_label}-none"]})
    assert (status, everything) == (200, [])


def test_engine_get_returns_the_engines_error_status(engine):
    status, body = engine_get("/containers/dockercourse-no-such-container/json")
    assert status == 404
    assert "dockercourse-no-such-container" in body["message"]


def test_engine_get_says_in_one_line_when_nothing_listens(tmp_path):
    with pytest.raises(CourseError, match=r"no Docker engine answers at unix://.*nowhere\.sock") as raised:
        engine_get("/version", socket_path=str(tmp_path / "nowhere.sock"))
    assert "\n" not in str(raised.value)


def test_engine_endpoint_is_docker_host_when_it_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/elsewhere.sock")
    assert engine_endpoint() == f"unix://{tmp_path}/elsewhere.sock"
    assert engine_socket() == f"{tmp_path}/elsewhere.sock"
    assert UnixHTTPConnection().socket_path == f"{tmp_path}/elsewhere.sock"
    with pytest.raises(CourseError, match=r"no Docker engine answers at unix://.*elsewhere\.sock"):
        engine_get("/version")  # the default socket follows DOCKER_HOST


def test_engine_endpoint_that_is_not_a_unix_socket_says_so(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert engine_endpoint() == "tcp://127.0.0.1:2375"
    with pytest.raises(CourseError, match=r"tcp://127\.0\.0\.1:2375, not a Unix socket"):
        engine_socket()
    # Over TCP without TLS (an engine in a container), the standard library's HTTPConnection reaches it.
    connection = engine_connection()
    assert type(connection) is http.client.HTTPConnection
    assert (connection.host, connection.port) == ("127.0.0.1", 2375)
    monkeypatch.setenv("DOCKER_HOST", "ssh://course@build-host")
    with pytest.raises(CourseError, match="ssh://course@build-host: the standard library reaches"):
        engine_connection()


def test_engine_get_reaches_an_engine_over_tcp(engine, monkeypatch):
    # The engine's API on a loopback TCP port, as an engine in a container publishes it (the remote CI
    # leg's DOCKER_HOST=tcp://…): here a small relay from a TCP port to the engine's socket.
    socket_path = engine_socket()
    expected = engine_get("/version", socket_path=socket_path)[1]["ApiVersion"]
    relay = (
        "import socket, threading\n"
        "server = socket.create_server(('127.0.0.1', 0)); print(server.getsockname()[1], flush=True)\n"
        "def pipe(a, b):\n"
        "    while data := a.recv(65536): b.sendall(data)\n"
        "    b.shutdown(socket.SHUT_WR)\n"
        "while True:\n"
        f"    client, _ = server.accept(); engine = socket.socket(socket.AF_UNIX); engine.connect({socket_path!r})\n"
        "    threading.Thread(target=pipe, args=(client, engine)).start()\n"
        "    threading.Thread(target=pipe, args=(engine, client)).start()\n")
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", relay], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
        status, version = engine_get("/version")
        assert (status, version["ApiVersion"]) == (200, expected)
    finally:
        process.kill()
        process.wait()


def test_engine_endpoint_without_docker_host_is_the_active_contexts(engine, monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    current = docker("context", "show").stdout.strip()
    endpoint = json.loads(docker("context", "inspect", current).stdout)[0]["Endpoints"]["docker"]["Host"]
    assert engine_endpoint() == endpoint
    # The Docker SDK for Python reaches the same engine through it, as chapter 03 shows.
    import docker as sdk

    client = sdk.DockerClient(base_url=engine_endpoint())
    try:
        assert client.version()["ApiVersion"] == engine_get("/version")[1]["ApiVersion"]
    finally:
        client.close()


def test_engine_endpoint_follows_docker_context(monkeypatch, tmp_path):
    # A context created in a scratch config directory, chosen by DOCKER_CONTEXT: no engine is needed.
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    docker("context", "create", "course-elsewhere", "--docker", f"host=unix://{tmp_path}/other.sock")
    monkeypatch.setenv("DOCKER_CONTEXT", "course-elsewhere")
    assert engine_endpoint() == f"unix://{tmp_path}/other.sock"
