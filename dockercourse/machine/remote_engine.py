"""A second Docker engine in a container: the shape of Docker Desktop, for ``make nbval-remote``.

On Docker Desktop the engine runs in a VM: its processes and its /var/lib/docker are not the notebook
host's, published ports arrive on 127.0.0.1, and only shared folders (/tmp among them) can be bind-mounted.
An engine in a privileged container (the manifest's docker:NN-dind) has the same shape: its own PID
namespace, its own /var/lib/docker (a volume), its API and the chapters' ports published on 127.0.0.1,
/tmp shared (its Unix socket appears there too). ``remote_engine()`` starts one, loads the manifest's
images into it, and always removes it; the chapters then run with DOCKER_HOST pointing at it.

Publishing the chapters' ports from the container differs from Docker Desktop in two ways that chapters
notice: the host's ports are taken for the whole run (the doctor and chapter 05 see them held), and a
chapter's `-p 127.0.0.1:PORT:…` binds the container's own loopback, which the host cannot reach (chapters
03 and 04). Running the chapters in the container's network namespace (``--netns``, what
``make nbval-remote`` does) has neither difference.

Used by: ``make nbval-remote`` (``python -m dockercourse remote-engine COMMAND…``) and
tests/test_remote_engine.py.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import LABEL, CourseError
from ..course import REMOTE_ENGINE_PORT, read_chapters
from ..engine import docker
from ..manifest import image_names, manifest_image
from ..wait import TimedOut, until

#: The label's value on the container and its volume: `make clean` and the leak check find them.
CREATOR = "remote"
NAME = "dockercourse-remote-engine"  # the container's and its volume's name (the tests use their own)
API_PORT = 2375  # the docker-in-docker image's plain-TCP API port (no TLS)
SHARED = "/tmp"  # Docker Desktop shares /tmp (with /Users, /Volumes, …); the chapters bind-mount only there
START_TIMEOUT_S = 90
LOAD_TIMEOUT_S = 900
#: Set in the environment of what runs against the engine in a container (tests/harness.py reads it).
REMOTE_ENGINE_ENV = "DOCKERCOURSE_REMOTE_ENGINE"


def socket_path(name: str = NAME) -> Path:
    """Where the engine's Unix socket appears on the host: in shared /tmp, as Docker Desktop's is in the home."""
    return Path(SHARED) / name / "docker.sock"


@dataclass(frozen=True)
class RemoteEngine:
    host: str  # DOCKER_HOST for it: "tcp://127.0.0.1:8375"
    name: str = NAME  # its container's and its volume's

    @property
    def socket(self) -> str:
        """Its Unix socket as a DOCKER_HOST: "unix:///tmp/dockercourse-remote-engine/docker.sock"."""
        return f"unix://{socket_path(self.name)}"

    def env(self) -> dict[str, str]:
        """This process's environment, with the docker client pointed at the engine in the container."""
        env = {key: value for key, value in os.environ.items() if key not in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY")}
        return dict(env, DOCKER_HOST=self.host, **{REMOTE_ENGINE_ENV: self.name})

    def docker(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        """The docker CLI against the engine in the container."""
        return docker("--host", self.host, *args, timeout=timeout, check=check)


def chapter_port_range() -> range:
    """Every present chapter's host ports, as one range (00–06: 8000–8069): the container publishes them all."""
    ranges = [chapter.ports for chapter in read_chapters().values()]
    if not ranges:
        raise CourseError("no chapter notebooks in notebooks/: nothing to run against the engine in a container")
    return range(min(r.start for r in ranges), max(r.stop for r in ranges))


def image() -> str:
    """The manifest's docker-in-docker image (docker:NN-dind)."""
    return manifest_image("docker").name


def remove(name: str = NAME) -> None:
    """Remove the container and its volume (a leftover of an interrupted run, too); fail if either remains."""
    docker("container", "rm", "--force", "--volumes", name, check=False)
    docker("volume", "rm", "--force", name, check=False)
    shutil.rmtree(socket_path(name).parent, ignore_errors=True)
    left = [kind for kind in ("container", "volume") if docker(kind, "inspect", name, check=False).returncode == 0]
    if left:
        raise CourseError(f"could not remove the engine in a container ({' and '.join(left)} {name}): "
                          f"run `docker rm -f {name}; docker volume rm {name}`")


def start(port: int = REMOTE_ENGINE_PORT, ports: range | None = None, name: str = NAME) -> RemoteEngine:
    """Start the engine in a privileged container; its API on 127.0.0.1:port, `ports` (every chapter's) beside it."""
    ports = chapter_port_range() if ports is None else ports
    published = [f"127.0.0.1:{ports.start}-{ports.stop - 1}:{ports.start}-{ports.stop - 1}"] if ports else []
    docker("volume", "create", "--label", f"{LABEL}={CREATOR}", name)
    socket_path(name).parent.mkdir(parents=True, exist_ok=True)
    started = docker(
        "run", "--detach", "--privileged", "--name", name, "--label", f"{LABEL}={CREATOR}",
        # Its own PID namespace (the default: no --pid host) and its own /var/lib/docker.
        "--volume", f"{name}:/var/lib/docker", "--volume", f"{SHARED}:{SHARED}",
        "--publish", f"127.0.0.1:{port}:{API_PORT}", *(f"--publish={spec}" for spec in published),
        # The image's entrypoint adds these to dockerd's own: a Unix socket too, on the host through /tmp.
        image(), f"--host=unix://{socket_path(name)}", check=False)
    if started.returncode != 0:
        error = (started.stderr.strip().splitlines() or ["no message"])[0].removeprefix("docker: ")
        remove(name)
        hint = ("something on this host holds one of those ports: stop it (`ss -ltnp`), then retry"
                if "allocated" in error or "address already in use" in error else "run `make images`, then retry")
        raise CourseError(f"the engine in a container did not start ({error}): {hint}")
    return RemoteEngine(f"tcp://127.0.0.1:{port}", name)


def wait_until_answers(engine: RemoteEngine, timeout: float = START_TIMEOUT_S) -> str:
    """Poll the engine's API until it answers; returns its version."""
    def version() -> str | None:
        answer = engine.docker("version", "--format", "{{.Server.Version}}", timeout=10, check=False)
        return answer.stdout.strip() if answer.returncode == 0 and answer.stdout.strip() else None

    def stopped() -> bool:
        running = docker("container", "inspect", "--format", "{{.State.Running}}", engine.name, check=False)
        return running.stdout.strip() != "true"

    try:
        return until(version, timeout, every=0.5, what="an answer from the engine in a container", give_up=stopped)
    except TimedOut:
        pass
    logs = docker("logs", "--tail", "5", engine.name, check=False, merge=True)
    last = (logs.stdout.strip().splitlines() or ["no log"])[-1]
    raise CourseError(f"the engine in a container did not answer at {engine.host} within {timeout:.0f} s "
                      f"(its log ends: {last}): read `docker logs {engine.name}`")


def load_images(engine: RemoteEngine, names: list[str]) -> None:
    """`docker save -o … NAMES`, then `DOCKER_HOST=… docker load -i …`: the host's images, into the engine in the
    container (through a file in its shared /tmp, which is removed)."""
    with tempfile.TemporaryDirectory(dir=SHARED) as directory:
        archive = str(Path(directory) / "images.tar")
        try:
            docker("save", "-o", archive, *names, timeout=LOAD_TIMEOUT_S)
            engine.docker("load", "--quiet", "-i", archive, timeout=LOAD_TIMEOUT_S)
        except CourseError as error:
            raise CourseError(f"loading {', '.join(names)} into the engine in a container failed ({error}): "
                              "run `make images`, then retry") from None


@contextmanager
def remote_engine(port: int = REMOTE_ENGINE_PORT, ports: range | None = None,
                  images: list[str] | None = None, name: str = NAME) -> Iterator[RemoteEngine]:
    """Start the engine in a container, load the images (the manifest's by default), yield it; always remove it.

    `ports`: the host ports it publishes besides its API, every chapter's by default (range(0): none).
    """
    remove(name)  # a leftover of an interrupted run holds the ports
    clock = time.monotonic()
    try:
        engine = start(port, ports, name)
        version = wait_until_answers(engine)
        print(f"remote engine: Docker Engine {version} at {engine.host} ({image()}), "
              f"up in {time.monotonic() - clock:.1f} s", flush=True)
        clock = time.monotonic()
        names = image_names() if images is None else images
        load_images(engine, names)
        print(f"remote engine: {len(names)} image(s) loaded in {time.monotonic() - clock:.1f} s", flush=True)
        yield engine
    finally:
        remove(name)


def in_network_namespace(engine: RemoteEngine, command: list[str]) -> list[str]:
    """The command, run in the engine container's network namespace (Linux, root: nsenter).

    There 127.0.0.1:2375 is the engine's API and 127.0.0.1:PORT whatever its containers publish, as on
    Docker Desktop, where a host port is taken only while a container publishes it. The host's own
    ports stay free, so this works while something on the host holds a chapter's port.
    """
    pid = docker("container", "inspect", "--format", "{{.State.Pid}}", engine.name).stdout.strip()
    return ["nsenter", f"--net=/proc/{pid}/ns/net", "--", *command]


def run_against_remote_engine(command: list[str], netns: bool = False, socket: bool = False) -> int:
    """Run a command with DOCKER_HOST at a fresh engine in a container; print the times; leave nothing behind.

    netns: run it in the container's network namespace instead of publishing every chapter's port.
    socket: DOCKER_HOST is the engine's Unix socket in /tmp (Docker Desktop's kind of endpoint), not its TCP port.
    """
    clock = time.monotonic()
    with remote_engine(ports=range(0) if netns else None) as engine:
        host = engine.socket if socket else f"tcp://127.0.0.1:{API_PORT}" if netns else engine.host
        print(f"remote engine: running `{' '.join(command)}` with DOCKER_HOST={host}"
              f"{' in its network namespace' if netns else ''}", flush=True)
        ran = time.monotonic()
        code = subprocess.run(in_network_namespace(engine, command) if netns else command,
                              env=dict(engine.env(), DOCKER_HOST=host)).returncode  # the command's own, not docker
        finished = time.monotonic()
    print(f"remote engine: `{' '.join(command)}` took {finished - ran:.0f} s, exit code {code}; "
          f"{time.monotonic() - clock:.0f} s in all, engine and volume removed", flush=True)
    return code
