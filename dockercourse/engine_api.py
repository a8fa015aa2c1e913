"""The Docker Engine API with nothing but Python's standard library: HTTP over the engine's Unix socket.

The engine's REST API is plain HTTP with JSON bodies. Only the connection differs from HTTP over TCP:
it goes to a Unix socket, so ``http.client`` needs a connection class whose ``connect()`` opens one.
The host name in the request is only sent as the ``Host`` header (``curl --unix-socket SOCKET
http://localhost/version`` does the same).

Used by: chapter 03 (the REST API is just HTTP: the CLI and the Docker SDK for Python send the same
requests; Exercise 3.2 sends one with ``UnixHTTPConnection``).
"""

import http.client
import json
import socket
from urllib.parse import urlencode

from . import CourseError

#: Where a rootful engine on Linux listens (the default context's endpoint, ``unix:///var/run/docker.sock``).
DOCKER_SOCKET = "/var/run/docker.sock"


class UnixHTTPConnection(http.client.HTTPConnection):
    """An ``http.client`` connection to a Unix socket: send requests and read responses as over TCP."""

    def __init__(self, socket_path: str = DOCKER_SOCKET, timeout: float = 30):
        super().__init__("localhost", timeout=timeout)  # "localhost" is only sent as the Host header
        self.socket_path = socket_path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def engine_get(path: str, socket_path: str = DOCKER_SOCKET, **query) -> tuple[int, object]:
    """GET a path of the Engine API; return the HTTP status and the decoded JSON body.

    Keyword arguments become the query string; a dict or list value is sent as JSON, as the API
    wants its ``filters``: ``engine_get("/containers/json", filters={"label": ["dockercourse=03"]})``
    is ``docker ps --filter label=dockercourse=03``. Raises CourseError when nothing listens on the socket.
    """
    if query:
        encoded = {key: json.dumps(value) if isinstance(value, (dict, list)) else value for key, value in query.items()}
        path = f"{path}?{urlencode(encoded)}"
    connection = UnixHTTPConnection(socket_path)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except OSError as error:
        raise CourseError(f"no Docker engine answers at unix://{socket_path} ({error.strerror or error}): "
                          "check it with `docker context ls` and `python -m dockercourse doctor`") from None
    finally:
        connection.close()
    return response.status, json.loads(body) if body else None
