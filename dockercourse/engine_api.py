"""The Docker Engine API with nothing but Python's standard library: HTTP over the engine's Unix socket.

The engine's REST API is plain HTTP with JSON bodies. Only the connection differs from HTTP over TCP:
it goes to a Unix socket, so ``http.client`` needs a connection class whose ``connect()`` opens one.
The host name in the request is only sent as the ``Host`` header (``curl --unix-socket SOCKET
http://localhost/version`` does the same).

Which socket: the one the docker CLI uses, ``DOCKER_HOST`` if it is set, else the endpoint of the
active ``docker context`` (``engine_endpoint()``). Rootless Docker and Docker Desktop do not listen on
``/var/run/docker.sock``; their contexts name where they do.

Used by: chapter 03 (section 1: the REST API is just HTTP, and the CLI and the Docker SDK for Python send the
same requests; ``engine_endpoint()`` tells the SDK where the CLI's engine listens).
"""

import http.client
import json
import os
import socket
from urllib.parse import urlencode

from . import CourseError
from .engine import docker

#: Where a rootful engine on Linux listens (the default context's endpoint, ``unix:///var/run/docker.sock``).
DOCKER_SOCKET = "/var/run/docker.sock"


def engine_endpoint() -> str:
    """The endpoint the docker CLI talks to: ``DOCKER_HOST`` if set, else the active context's.

    The active context is the one ``docker context use`` chose (or ``DOCKER_CONTEXT`` names);
    ``docker context inspect`` without a name inspects it. Give the result to the Docker SDK for Python,
    ``docker.DockerClient(base_url=engine_endpoint())``: its ``docker.from_env()`` reads DOCKER_HOST
    but not the context. Used by: chapter 03 (section 1).
    """
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    return docker("context", "inspect", "--format", "{{.Endpoints.docker.Host}}", timeout=30).stdout.strip()


def engine_socket() -> str:
    """The path of the engine's Unix socket, from ``engine_endpoint()`` (``unix:///run/x.sock`` → ``/run/x.sock``).

    Raises CourseError when the endpoint is not a Unix socket (``tcp://…``, ``ssh://…``, a Windows
    named pipe). Used by: chapter 03 (``UnixHTTPConnection``, ``engine_get``).
    """
    endpoint = engine_endpoint()
    if not endpoint.startswith("unix://"):
        raise CourseError(f"the engine's endpoint is {endpoint}, not a Unix socket: "
                          "use the Docker SDK for Python or the docker CLI, which speak to it")
    return endpoint.removeprefix("unix://")


class UnixHTTPConnection(http.client.HTTPConnection):
    """An ``http.client`` connection to a Unix socket: send requests and read responses as over TCP."""

    def __init__(self, socket_path: str | None = None, timeout: float = 30):
        super().__init__("localhost", timeout=timeout)  # "localhost" is only sent as the Host header
        self.socket_path = socket_path or engine_socket()  # by default, the socket the docker CLI uses

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def engine_connection(timeout: float = 30) -> http.client.HTTPConnection:
    """An ``http.client`` connection to the engine the docker CLI uses (``engine_endpoint()``).

    A ``UnixHTTPConnection`` for a ``unix://`` endpoint (the usual case), a plain ``HTTPConnection``
    for ``tcp://host:port`` (an engine in a container or a VM, without TLS): the requests are the same.
    Raises CourseError for endpoints the standard library does not reach (``ssh://``, TLS, named pipes).
    Used by: ``engine_get`` (chapter 03, section 1).
    """
    endpoint = engine_endpoint()
    if endpoint.startswith("unix://"):
        return UnixHTTPConnection(endpoint.removeprefix("unix://"), timeout=timeout)
    if endpoint.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
        return http.client.HTTPConnection(endpoint.removeprefix("tcp://").rstrip("/"), timeout=timeout)
    raise CourseError(f"the engine's endpoint is {endpoint}: the standard library reaches a unix:// socket or "
                      "tcp:// without TLS; use the Docker SDK for Python or the docker CLI for it")


def engine_get(path: str, socket_path: str | None = None, **query) -> tuple[int, object]:
    """GET a path of the Engine API; return the HTTP status and the decoded JSON body.

    Keyword arguments become the query string; a dict or list value is sent as JSON, as the API
    wants its ``filters``: ``engine_get("/containers/json", filters={"label": ["dockercourse=03"]})``
    is ``docker ps --filter label=dockercourse=03``. It asks the engine at ``engine_endpoint()``, or the
    socket ``socket_path`` if given. Raises CourseError when nothing answers there.
    """
    if query:
        encoded = {key: json.dumps(value) if isinstance(value, (dict, list)) else value for key, value in query.items()}
        path = f"{path}?{urlencode(encoded)}"
    connection = UnixHTTPConnection(socket_path) if socket_path else engine_connection()
    where = f"unix://{socket_path}" if socket_path else engine_endpoint()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    except OSError as error:
        raise CourseError(f"no Docker engine answers at {where} ({error.strerror or error}): "
                          "check it with `docker context ls` and `python -m dockercourse doctor`") from None
    finally:
        connection.close()
    return response.status, json.loads(body) if body else None
