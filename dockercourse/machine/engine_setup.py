"""Find a Docker engine, or bring one up (``make engine``): Docker's packages where Docker's apt repository
answers, else the newest engine Debian carries; the containerd image store; dockerd started.

Used by: ``make engine`` (a step of ``make lab`` and ``make test``).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

from .. import CourseError
from ..engine import (
    GET_ENGINE_HINT,
    ask_engine,
    compose_version,
    custom_endpoint,
    docker,
    image_store,
    no_engine_message,
    server_version,
)
from ..wait import TimedOut, until
from .apt import APT_LOG, apt_get, apt_install

# A stopped engine older than this is upgraded by `make engine`; one that answers is used as it is.
CURRENT_ENGINE_MAJOR = 28
DOCKERD_LOG = Path("/var/log/dockerd.log")
DAEMON_JSON = Path("/etc/docker/daemon.json")
ENGINE_START_TIMEOUT_S = 60
# Docker's own packages, as Docker's install guide has them (https://docs.docker.com/engine/install/).
DOCKER_APT_URL = "https://download.docker.com/linux"
DOCKER_CE_PACKAGES = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin"]
DOCKER_APT_SOURCE = Path("/etc/apt/sources.list.d/docker.list")
DOCKER_APT_KEY = Path("/etc/apt/keyrings/docker.asc")
# Without Docker's repository, Debian testing carries the newest engine. A low pin keeps every other
# package on the host's release; packages are taken from testing only by name (docker.io/testing).
DEBIAN_TESTING_SOURCE = Path("/etc/apt/sources.list.d/dockercourse-testing.list")
DEBIAN_TESTING_PIN = Path("/etc/apt/preferences.d/dockercourse-testing")
DEBIAN_ENGINE_PACKAGES = ["docker.io", "docker-cli", "docker-buildx", "docker-compose", "containerd"]
# An earlier version of the course took the engine from Debian 13 this way; its files are replaced.
OLD_SOURCES = [Path("/etc/apt/sources.list.d/dockercourse-trixie.list"),
               Path("/etc/apt/preferences.d/dockercourse-trixie")]


def engine_summary() -> str:
    """One line with the version of every part of the engine, and its image store (``make engine``)."""
    server = json.loads(docker("version", "--format", "{{json .Server}}").stdout)
    parts = [f"{'Docker Engine' if component['Name'] == 'Engine' else component['Name']} {component['Version']}"
             for component in server.get("Components", []) if component["Name"] != "docker-init"]
    buildx = docker("buildx", "version", check=False).stdout.split()  # "github.com/docker/buildx 0.29.1 …"
    parts += [f"buildx {buildx[1] if len(buildx) > 1 else 'missing'}", f"Compose {compose_version() or 'missing'}"]
    return " · ".join(parts) + f" · {image_store()} image store"


def _os_release() -> dict[str, str]:
    path = Path("/etc/os-release")
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key: value.strip('"') for key, value in pairs}


def _installed_dockerd_major() -> int | None:
    if shutil.which("dockerd") is None:
        return None
    output = subprocess.run(["dockerd", "--version"], capture_output=True, text=True).stdout
    # "Docker version 28.5.2+dfsg4, build ..."
    try:
        return int(output.split()[2].split(".")[0])
    except (IndexError, ValueError):
        return None


def _docker_apt_answers(distro: str) -> bool:
    try:
        with urllib.request.urlopen(f"{DOCKER_APT_URL}/{distro}/gpg", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _install_docker_ce(distro: str, codename: str) -> None:
    """Docker's own packages from Docker's apt repository, as its install guide does."""
    DOCKER_APT_KEY.parent.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(f"{DOCKER_APT_URL}/{distro}/gpg", timeout=30) as response:
        DOCKER_APT_KEY.write_bytes(response.read())
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    DOCKER_APT_SOURCE.write_text(f"deb [arch={architecture} signed-by={DOCKER_APT_KEY}] "
                                 f"{DOCKER_APT_URL}/{distro} {codename} stable\n")
    print(f"engine: installing {', '.join(DOCKER_CE_PACKAGES)} from Docker's apt repository (log: {APT_LOG}) …",
          flush=True)
    apt_install(DOCKER_CE_PACKAGES, "the Docker engine")


def _would_replace_libc(packages: list[str]) -> bool:
    """True when installing these would upgrade the host's C library (or cannot be resolved at all)."""
    simulation = subprocess.run(["apt-get", "install", "-s", "-q", "--no-install-recommends", *packages],
                                capture_output=True, text=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return simulation.returncode != 0 or re.search(r"^Inst libc6\b", simulation.stdout, re.MULTILINE) is not None


def _install_debian_testing_engine() -> None:
    """The newest engine Debian carries: testing's, pinned low, without touching the host's libc."""
    for path in OLD_SOURCES:
        path.unlink(missing_ok=True)
    DEBIAN_TESTING_SOURCE.write_text("deb http://deb.debian.org/debian testing main\n")
    DEBIAN_TESTING_PIN.write_text("Package: *\nPin: release a=testing\nPin-Priority: 50\n")
    apt_get(["update", "-q"], "the Docker engine")
    packages = [f"{name}/testing" for name in DEBIAN_ENGINE_PACKAGES]
    # testing's runc is built against a newer libc than an older Debian has; the host's own runc serves then.
    runc = "runc/testing" if not _would_replace_libc([*packages, "runc/testing"]) else "runc"
    print(f"engine: Docker's apt repository does not answer; installing Debian testing's "
          f"{', '.join(packages)} and {runc} (log: {APT_LOG}) …", flush=True)
    apt_install([*packages, runc, "iptables", "ca-certificates"], "the Docker engine", update=False)


def _install_engine_packages(os_release: dict[str, str]) -> None:
    distro, codename = os_release.get("ID", ""), os_release.get("VERSION_CODENAME", "")
    if distro in ("debian", "ubuntu") and codename and _docker_apt_answers(distro):
        _install_docker_ce(distro, codename)
    elif distro == "debian":
        _install_debian_testing_engine()
    else:
        packages = ["docker.io", "docker-buildx", "docker-compose-v2"]
        print(f"engine: Docker's apt repository does not answer; installing {', '.join(packages)} "
              f"from the distribution (log: {APT_LOG}) …", flush=True)
        apt_install([*packages, "iptables", "ca-certificates"], "the Docker engine")


def _use_containerd_image_store() -> None:
    """The image store of a fresh Engine 29 and of Docker Desktop, for an engine the course starts itself."""
    config = json.loads(DAEMON_JSON.read_text() or "{}") if DAEMON_JSON.exists() else {}
    if config.get("features", {}).get("containerd-snapshotter") is not None:
        return  # the host's own choice stands
    config.setdefault("features", {})["containerd-snapshotter"] = True
    DAEMON_JSON.parent.mkdir(parents=True, exist_ok=True)
    DAEMON_JSON.write_text(json.dumps(config, indent=2) + "\n")


def _dockerd_running() -> bool:
    return any(Path(proc, "comm").read_text().strip() == "dockerd"
               for proc in Path("/proc").glob("[0-9]*") if Path(proc, "comm").exists())


def _start_dockerd() -> None:
    if _dockerd_running():
        return  # already started, maybe still coming up
    if Path("/run/systemd/system").is_dir():  # a systemd host: let it manage the service
        subprocess.run(["systemctl", "start", "docker"], capture_output=True)
        return
    print(f"engine: starting dockerd (log: {DOCKERD_LOG})", flush=True)
    with DOCKERD_LOG.open("ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)


def ensure_engine() -> str:
    """Use the engine that answers; else install and start one (Debian/Ubuntu, root). Returns its version."""
    version, error = ask_engine(timeout=10)
    if version is not None:
        return version
    if custom_endpoint() or "permission denied" in error.lower():
        raise CourseError(no_engine_message(error))  # installing a local engine would not help
    os_release = _os_release()
    debian_like = "debian" in (os_release.get("ID", "") + " " + os_release.get("ID_LIKE", ""))
    if platform.system() != "Linux" or not debian_like:
        raise CourseError(f"no Docker engine answers, and this is not a Debian or Ubuntu host: {GET_ENGINE_HINT}")
    if os.geteuid() != 0:
        raise CourseError("no Docker engine answers: start it (`sudo systemctl start docker`), "
                          "or run `sudo make engine` to install one, or " + GET_ENGINE_HINT)
    _use_containerd_image_store()  # before the packages: their install may start the engine
    major = _installed_dockerd_major()
    if major is None or major < CURRENT_ENGINE_MAJOR:
        _install_engine_packages(os_release)
    _start_dockerd()
    try:
        return until(lambda: server_version(timeout=5), ENGINE_START_TIMEOUT_S, every=0.5,
                     what="an answer from dockerd")
    except TimedOut:
        raise CourseError(f"dockerd did not answer within {ENGINE_START_TIMEOUT_S} s: "
                          f"read the end of {DOCKERD_LOG} for the reason") from None
