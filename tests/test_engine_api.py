"""dockercourse.engine_api: the Engine API over the Unix socket with the standard library, against the
real engine (its answers must be the ones the docker CLI gets)."""

import json

import pytest

from dockercourse import LABEL, CourseError
from dockercourse.engine import docker
from dockercourse.engine_api import UnixHTTPConnection, engine_get
from dockercourse.images import manifest_image

PYTHON_IMAGE = manifest_image("python").name


@pytest.mark.engine
def test_the_connection_speaks_plain_http_over_the_socket():
    connection = UnixHTTPConnection()
    try:
        connection.request("GET", "/_ping")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"OK")
        assert response.getheader("Api-Version")
    finally:
        connection.close()


@pytest.mark.engine
def test_engine_get_gives_the_version_the_cli_gets():
    status, version = engine_get("/version")
    server = json.loads(docker("version", "--format", "{{json .Server}}").stdout)
    assert status == 200
    assert (version["ApiVersion"], version["Version"]) == (server["ApiVersion"], server["Version"])
    assert "containerd" in {component["Name"] for component in version["Components"]}


@pytest.mark.engine
def test_engine_get_sends_filters_as_json_like_the_cli(test_label):
    name = f"{test_label}-listed"
    docker("run", "-d", "--label", f"{LABEL}={test_label}", "--name", name, PYTHON_IMAGE, "sleep", "30")
    status, containers = engine_get("/containers/json", filters={"label": [f"{LABEL}={test_label}"]})
    assert status == 200
    assert [container["Names"] for container in containers] == [[f"/{name}"]]
    status, everything = engine_get("/containers/json", all=1, filters={"label": [f"{LABEL}={test_label}-none"]})
    assert (status, everything) == (200, [])


@pytest.mark.engine
def test_engine_get_returns_the_engines_error_status():
    status, body = engine_get("/containers/dockercourse-no-such-container/json")
    assert status == 404
    assert "dockercourse-no-such-container" in body["message"]


def test_engine_get_says_in_one_line_when_nothing_listens(tmp_path):
    with pytest.raises(CourseError, match=r"no Docker engine answers at unix://.*nowhere\.sock") as raised:
        engine_get("/version", socket_path=str(tmp_path / "nowhere.sock"))
    assert "\n" not in str(raised.value)
