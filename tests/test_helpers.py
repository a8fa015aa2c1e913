"""The helper package: manifest, ports, engine messages, cleanup and leak check, stand-ins."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from dockercourse import LABEL, REPO_DIR, CourseError
from dockercourse.chapter import end_chapter
from dockercourse.course import DOCS_PORT, LAB_PORT, TEST_PORTS, chapter_ports
from dockercourse.engine import docker as docker_cli
from dockercourse.machine import engine_setup
from dockercourse.machine.doctor import run_checks
from dockercourse.machine.images import pull_failure
from dockercourse.manifest import HOST_EXTRA_CA_DIR, inspect_image, load_manifest, manifest_image, standin_recipe
from dockercourse.resources import leftovers, remove_labelled
from dockercourse.tooling.harness import STAGES

NO_ENGINE = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")
DEBIAN_RELEASES = ("bullseye", "bookworm", "trixie", "forky")


def course(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dockercourse", *args], capture_output=True, text=True,
                          cwd=REPO_DIR, env=env)


def docker(*args: str) -> str:
    """The docker CLI's output, stripped."""
    return docker_cli(*args).stdout.strip()


# --- the manifest -----------------------------------------------------------------------------

def test_manifest_pins_every_image_to_a_specific_tag():
    for image in load_manifest():
        name, _, tag = image.name.partition(":")
        assert tag and tag != "latest", f"{image.name}: pin a specific version tag"
        if image.floating_tag:  # a publisher with no version tags: the versions are in the repository's name
            assert re.search(r"\d", name.rsplit("/", 1)[-1]) and "digest" in image.floating_tag, \
                f"{image.name}: a floating tag needs the versions in the repository's name and a digest pin"
        else:
            assert re.search(r"\d", tag), f"{image.name}: pin a specific version tag"
        named_release = [release for release in DEBIAN_RELEASES if release in tag]
        assert not named_release or named_release == [image.standin.debian] or image.standin.other_release, \
            f"{image.name}: the tag names Debian {named_release}, so the stand-in must be built from it " \
            f"(or its other_release must say why it cannot be)"


def test_standin_keys_follow_the_recipe():
    standin = manifest_image("python").standin
    more_packages = replace(standin, packages=[*standin.packages, "curl"])
    other_config = replace(standin, config=[*standin.config, "ENV EXTRA=1"])
    assert more_packages.rootfs_key() != standin.rootfs_key(), "a new package means a new root filesystem"
    assert other_config.rootfs_key() == standin.rootfs_key(), "config alone reuses the cached root filesystem"
    assert other_config.cache_key() != standin.cache_key(), "but makes a new image"


@pytest.mark.parametrize("error, kind", [
    ('Error response from daemon: manifest for python:3.99 not found: manifest unknown', "name"),
    ("Error response from daemon: pull access denied for pyhton, repository does not exist", "name"),
    ('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host', "offline"),
    ('Get "https://registry-1.docker.io/v2/": net/http: request canceled (Client.Timeout exceeded)', "offline"),
    ("Get \"https://registry-1.docker.io/v2/\": tls: failed to verify certificate: x509: certificate signed "
     "by unknown authority", "offline"),
    ("toomanyrequests: You have reached your pull rate limit.", "offline"),
])
def test_pull_errors_are_told_apart(error, kind):
    assert pull_failure(error) == kind


# --- ports ------------------------------------------------------------------------------------

def test_chapter_port_ranges_are_disjoint_and_avoid_5000():
    ranges = [set(chapter_ports(chapter)) for chapter in range(20)]
    everything = set().union(*ranges)
    assert len(everything) == sum(map(len, ranges)), "two chapters share a port"
    assert 5000 not in everything | set(TEST_PORTS) | {LAB_PORT, DOCS_PORT}
    assert not (set(TEST_PORTS) | {LAB_PORT, DOCS_PORT}) & everything


# --- one clear line when no engine answers ----------------------------------------------------

@pytest.mark.parametrize("command", [["engine"], ["doctor"], ["images"], ["clean"], ["leaks"]])
def test_no_engine_means_one_line_not_a_traceback(command):
    result = course(*command, env=NO_ENGINE)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 1
    assert "Traceback" not in output
    assert "no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock" in output
    assert "start that engine, or unset it" in output, "a pointed-at engine is not installed locally"
    assert len(output.splitlines()) <= 3, output


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess:
    """pytest with the course's plugin on a directory of its own, with no engine."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "dockercourse.tooling.pytest_plugin",
                           "-p", "no:cacheprovider", *options, str(directory)], capture_output=True, text=True,
                          env=NO_ENGINE, cwd=directory)


def write_tests_needing_an_engine(directory: Path) -> None:
    """One test that asks for the engine fixture (as the course's tests do), one marked by hand, one needing none."""
    (directory / "conftest.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.fixture
        def engine():
            return "docker"

        @pytest.fixture
        def test_label(engine):
            return "tests-x"
    """))
    (directory / "test_some.py").write_text(textwrap.dedent("""
        import pytest

        def test_by_fixture(test_label):
            pass

        @pytest.mark.engine
        def test_by_hand():
            pass

        def test_no_engine():
            pass
    """))


def test_pytest_stops_with_one_line_when_tests_need_an_engine(tmp_path):
    write_tests_needing_an_engine(tmp_path)
    result = run_pytest(tmp_path)
    assert result.returncode == 3
    assert "no Docker engine answers" in result.stdout and "start that engine" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_tests_that_need_no_engine_run_with_no_engine(tmp_path):
    """`make check`'s selection: a test that uses the engine fixture, even through another fixture, is marked
    `engine` by the plugin, so `-m "not engine"` leaves it out and the rest runs with no engine."""
    write_tests_needing_an_engine(tmp_path)
    result = run_pytest(tmp_path, "-m", "not engine", "-rA")
    assert result.returncode == 0, result.stdout
    assert "PASSED test_some.py::test_no_engine" in result.stdout and "2 deselected" in result.stdout


# --- against the engine -----------------------------------------------------------------------

def test_engine_command_uses_the_running_engine(engine):
    result = course("engine")
    assert result.returncode == 0
    # Every part's version and the image store: what a closing note and a bug report need; then the client that
    # runs (a warning where an older one shadows a newer one on PATH).
    assert re.fullmatch(r"engine: Docker Engine \d+\.\d+\S* · containerd \d\S* · runc \d\S* · buildx \S+ · "
                        r"Compose \d\S* · (containerd|classic) image store\n"
                        r"engine: the docker CLI that runs: /\S+/docker \d+\.\d+\S*.*\n", result.stdout), result.stdout


def test_the_course_engine_gets_the_containerd_image_store_and_keeps_the_hosts_settings(tmp_path, monkeypatch):
    daemon_json = tmp_path / "daemon.json"
    monkeypatch.setattr(engine_setup, "DAEMON_JSON", daemon_json)
    daemon_json.write_text('{"log-driver": "local"}')
    engine_setup._use_containerd_image_store()
    assert json.loads(daemon_json.read_text()) == {"log-driver": "local", "features": {"containerd-snapshotter": True}}
    daemon_json.write_text('{"features": {"containerd-snapshotter": false}}')  # the host chose the classic store
    engine_setup._use_containerd_image_store()
    assert json.loads(daemon_json.read_text()) == {"features": {"containerd-snapshotter": False}}
    daemon_json.unlink()
    engine_setup._use_containerd_image_store()
    assert json.loads(daemon_json.read_text()) == {"features": {"containerd-snapshotter": True}}


@pytest.mark.machine_wide
def test_doctor_passes_on_this_machine(engine):
    failed = [check for check in run_checks() if not check.ok]
    assert not failed, failed


@pytest.mark.skipif(not shutil.which("podman"), reason="Podman is not installed (it is not part of CI)")
def test_the_doctor_names_podman_instead_of_asking_for_a_docker_upgrade(tmp_path):
    socket = tmp_path / "podman.sock"
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{socket}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        result = course("doctor", env={**os.environ, "DOCKER_HOST": f"unix://{socket}"})
    finally:
        service.terminate()
        service.wait(timeout=10)
    assert "Podman 4" in result.stdout or "Podman 5" in result.stdout, result.stdout
    assert "chapters 00–03 run on Podman" in result.stdout
    assert "upgrade Docker" not in result.stdout


def test_cleanup_removes_exactly_one_creators_resources(engine, test_label):
    other = f"{test_label}-other"
    docker("volume", "create", "--label", f"{LABEL}={test_label}", f"{test_label}-data")
    docker("network", "create", "--label", f"{LABEL}={test_label}", f"{test_label}-net")
    docker("create", "--label", f"{LABEL}={test_label}", "--network", f"{test_label}-net",
           "-v", f"{test_label}-data:/data", manifest_image("python").name, "true")
    docker("volume", "create", "--label", f"{LABEL}={other}", f"{other}-data")
    try:
        left = "\n".join(leftovers())
        assert f"volume {test_label}-data" in left and f"network {test_label}-net" in left
        assert f"created by {LABEL}={test_label}" in left
        assert remove_labelled(test_label) == 3
        left = "\n".join(leftovers())
        assert f"volume {test_label}-data " not in left and f"network {test_label}-net " not in left
        assert f"created by {LABEL}={test_label})" not in left, "a container was left"
        assert f"volume {other}-data" in left, "another creator's volume must survive"
    finally:
        remove_labelled(other)


def test_end_chapter_reports_nothing_left(engine, test_label, capsys):
    docker("create", "--label", f"{LABEL}={test_label}", manifest_image("python").name, "true")
    end_chapter(test_label)
    assert capsys.readouterr().out == f"nothing labelled {LABEL}={test_label} remains\n"


# --- the stand-ins (skipped where the official images were pulled) ----------------------------

def standin_or_skip(name: str) -> dict:
    inspected = inspect_image(name)
    if inspected is None or standin_recipe(inspected) is None:
        pytest.skip(f"{name} is the official image here, not a stand-in")
    return inspected


def test_python_standin_behaves_like_the_official_image(engine, test_label):
    image = manifest_image("python")
    inspected = standin_or_skip(image.name)
    assert inspected["Config"]["Cmd"] == ["python3"]
    assert "LANG=C.UTF-8" in inspected["Config"]["Env"]
    script = ("python --version; pip --version >/dev/null && echo pip ok; "
              "ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null || echo pip may install; "
              "ls /usr/share/doc | wc -l")
    output = docker("run", "--rm", "--label", f"{LABEL}={test_label}", image.name, "sh", "-c", script).splitlines()
    assert output[0].startswith(f"Python {image.standin.provides}.")
    assert output[1:] == ["pip ok", "pip may install", "0"]


def test_standins_trust_the_hosts_extra_certificates(engine, test_label):
    host_certificates = sorted(HOST_EXTRA_CA_DIR.glob("*.crt"))
    if not host_certificates:
        pytest.skip(f"this host has no extra CA certificates in {HOST_EXTRA_CA_DIR}")
    for image in load_manifest():
        standin_or_skip(image.name)
        bundle = docker("run", "--rm", "--label", f"{LABEL}={test_label}", "--entrypoint", "cat", image.name,
                        "/etc/ssl/certs/ca-certificates.crt")
        for certificate in host_certificates:
            body = "".join(certificate.read_text().split("-----")[2].split())
            assert body[:200] in "".join(bundle.split()), f"{image.name} does not trust {certificate.name}"


def pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/six/", timeout=10)
        return True
    except OSError:
        return False


def test_pip_install_works_in_a_build_on_the_python_standin(engine, test_label, tmp_path):
    image = manifest_image("python")
    standin_or_skip(image.name)
    if not pypi_reachable():
        pytest.skip("PyPI is not reachable from this machine")
    (tmp_path / "Dockerfile").write_text(f"FROM {image.name}\nRUN pip install --no-cache-dir six==1.16.0\n")
    tag = f"dockercourse-{test_label}:pip"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", tag, str(tmp_path))
    assert docker("run", "--rm", "--label", f"{LABEL}={test_label}", tag,
                  "python", "-c", "import six; print(six.__version__)") == "1.16.0"


def test_redis_standin_serves_other_containers(engine, test_label):
    redis = manifest_image("redis")
    standin_or_skip(redis.name)
    network, server = f"{test_label}-net", f"{test_label}-redis"
    docker("network", "create", "--label", f"{LABEL}={test_label}", network)
    docker("run", "-d", "--label", f"{LABEL}={test_label}", "--network", network, "--name", server, redis.name)
    ping = subprocess.run(["docker", "run", "--rm", "--label", f"{LABEL}={test_label}", "--network", network,
                           "--entrypoint", "sh", redis.name, "-c",
                           f"for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -h {server} ping && exit; sleep 0.5; done"],
                          capture_output=True, text=True)
    assert ping.stdout.strip().endswith("PONG"), ping.stdout + ping.stderr
    # Like the official image, the entrypoint drops root before starting the server (PID 1).
    assert docker("exec", server, "stat", "-c", "%U", "/proc/1") == "redis"


def test_every_stage_is_documented_in_the_makefile():
    makefile = Path(REPO_DIR / "Makefile").read_text()
    for stage in STAGES:
        assert re.search(rf"^[a-z ]*\b{stage}\b[a-z ]*:", makefile, re.M), f"make {stage} is missing"


def test_registry_standin_serves_the_registry_api(engine, test_label):
    import time
    import urllib.error

    registry = manifest_image("registry")
    inspected = standin_or_skip(registry.name)
    # Like the official image: `registry serve /etc/distribution/config.yml` on :5000, data in a volume.
    assert inspected["Config"]["Entrypoint"] == ["/entrypoint.sh"]
    assert inspected["Config"]["Cmd"] == ["/etc/distribution/config.yml"]
    assert "5000/tcp" in inspected["Config"]["ExposedPorts"] and "/var/lib/registry" in inspected["Config"]["Volumes"]
    name = f"{test_label}-registry"
    docker("run", "-d", "--rm", "--label", f"{LABEL}={test_label}", "--name", name, "-p", "127.0.0.1::5000",
           registry.name)
    address = docker("port", name, "5000/tcp").splitlines()[0]
    for _ in range(50):
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=2) as response:
                assert response.status == 200
                assert response.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"the registry stand-in did not answer on {address}: " + docker("logs", "--tail", "5", name))


def test_a_course_error_in_a_notebook_is_one_line_not_a_traceback():
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(cells=[new_code_cell(
        "from dockercourse import CourseError\nraise CourseError('no engine answers: run `make engine`')")])
    with pytest.raises(CellExecutionError):
        NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    [error] = notebook.cells[0].outputs
    assert error.traceback == ["\x1b[31mCourseError: no engine answers: run `make engine`\x1b[0m"]


def test_a_failing_docker_command_names_its_cause_not_the_usage_hint():
    """The CLI ends with "Run 'docker run --help' …" after its usage: the error names the line above."""
    from dockercourse.engine import docker

    with pytest.raises(CourseError, match=r"`docker run --nope` failed: unknown flag: --nope$"):
        docker("run", "--nope")
