"""The engine in a container (`make nbval-remote`): Docker Desktop's shape, started, used and removed."""

import json
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from dockercourse import LABEL
from dockercourse.course import DOCS_PORT, LAB_PORT, REMOTE_ENGINE_PORT, TEST_PORTS, chapter_ports, read_chapters
from dockercourse.engine import docker as docker_cli
from dockercourse.machine.remote_engine import CREATOR, SHARED, chapter_port_range, remote_engine, socket_path
from dockercourse.manifest import inspect_image, manifest_image
from dockercourse.resources import labelled


def docker(*args: str) -> str:
    """The docker CLI's output, stripped."""
    return docker_cli(*args).stdout.strip()


def test_the_remote_engines_port_is_clear_of_every_other_course_port():
    others = {LAB_PORT, DOCS_PORT, *TEST_PORTS}.union(*(chapter_ports(chapter) for chapter in range(30)))
    assert REMOTE_ENGINE_PORT not in others


def test_the_container_publishes_every_chapters_ports():
    ports = chapter_port_range()
    assert all(set(chapter.ports) <= set(ports) for chapter in read_chapters().values())
    assert len(ports) == 10 * len(read_chapters())


def test_the_engine_in_a_container_answers_runs_containers_and_is_removed_with_its_volume(engine):
    image = manifest_image("docker").name
    if inspect_image(image) is None:
        pytest.skip(f"{image} is not in the engine: run `make images`")
    name = f"dockercourse-remote-engine-tests-{uuid.uuid4().hex[:8]}"  # beside a running make nbval-remote
    api, published = TEST_PORTS[0], range(TEST_PORTS[1], TEST_PORTS[2])
    python = manifest_image("python").name
    shared = Path(SHARED) / f"{name}.txt"
    shared.write_text("written on the host\n")
    try:
        with remote_engine(port=api, ports=published, images=[python], name=name) as engine:
            outer = json.loads(docker("container", "inspect", name))[0]
            assert outer["HostConfig"]["Privileged"] and outer["HostConfig"]["PidMode"] == ""  # its own PIDs
            assert outer["Config"]["Labels"][LABEL] == CREATOR
            volume = next(mount for mount in outer["Mounts"] if mount["Destination"] == "/var/lib/docker")
            assert volume["Type"] == "volume" and volume["Name"] == name
            assert json.loads(docker("volume", "inspect", name))[0]["Labels"] == {LABEL: CREATOR}

            info = json.loads(engine.docker("info", "--format", "{{json .}}").stdout)
            assert info["ServerVersion"].startswith(manifest_image("docker").standin.provides)
            assert "io.containerd.snapshotter" in json.dumps(info["DriverStatus"])
            assert info["ID"] != json.loads(docker("info", "--format", "{{json .}}"))["ID"]  # another engine
            assert engine.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split() == [python]
            # Its Unix socket, on the host through /tmp, reaches the same engine.
            assert socket_path(name).is_socket()
            assert json.loads(docker("--host", engine.socket, "info", "--format", "{{json .ID}}")) == info["ID"]

            # A bind mount from /tmp shows the host's file; a published port answers on the host's 127.0.0.1.
            run = ["run", "--rm", "--label", f"{LABEL}={CREATOR}"]
            assert engine.docker(*run, "-v", f"{shared}:/shared.txt:ro", python, "cat", "/shared.txt").stdout \
                == "written on the host\n"
            engine.docker(*run, "-d", "--name", "web", "-p", f"{published.start}:8000", python,
                          "python", "-m", "http.server", "--directory", "/etc")
            for _ in range(40):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{published.start}/hostname", timeout=2) as reply:
                        body = reply.read().decode().strip()
                    break
                except OSError:
                    time.sleep(0.25)
            else:
                pytest.fail(f"nothing answered on 127.0.0.1:{published.start}, published by the inner engine")
            assert body == engine.docker("inspect", "--format", "{{.Config.Hostname}}", "web").stdout.strip()
    finally:
        shared.unlink()
    assert not socket_path(name).parent.exists()
    for kind in ("container", "volume"):
        assert docker_cli(kind, "inspect", name, check=False).returncode != 0, \
            f"the {kind} {name} is left behind"
    assert not [row for kind in ("container", "volume") for row in labelled(kind, CREATOR)
                if name in json.dumps(row)]
