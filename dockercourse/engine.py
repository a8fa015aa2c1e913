"""Find a Docker engine, or bring one up from Debian's packages (``make engine``).

Used by: ``make engine`` (a step of ``make lab`` and ``make test``), the doctor (chapter 00),
and the tests' engine check.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from . import CourseError

GET_ENGINE_HINT = (
    "install Docker Desktop (macOS, Windows) or Docker Engine "
    "(Linux: https://docs.docker.com/engine/install/), start it, then run `make engine` again"
)
MIN_ENGINE_MAJOR = 26
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


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run the docker CLI and capture its output as text."""
    if shutil.which("docker") is None:
        raise CourseError(f"the `docker` command is not installed: {GET_ENGINE_HINT}")
    try:
        result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CourseError(f"`docker {' '.join(args)}` gave no answer in {timeout:.0f} s: "
                          "check the engine with `python -m dockercourse doctor`") from None
    if check and result.returncode != 0:
        # The CLI often ends with its usage ("Run 'docker run --help' for more information"): the cause is above.
        message = [line for line in (result.stderr.strip() or result.stdout.strip()).splitlines()
                   if line.strip() and not line.startswith(("Run 'docker ", "Usage: "))]
        raise CourseError(f"`docker {' '.join(args)}` failed: {message[-1] if message else 'no message'}")
    return result


def _ask_engine(timeout: float) -> tuple[str | None, str]:
    """(the engine's version or None, the client's error when there is none)."""
    if shutil.which("docker") is None:
        return None, "the docker command is not installed"
    try:
        result = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"],
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"no answer in {timeout:.0f} s"
    version = result.stdout.strip()
    if result.returncode == 0 and version:
        return version, ""
    return None, (result.stderr.strip().splitlines() or ["no message"])[-1]


def server_version(timeout: float = 10) -> str | None:
    """The engine's version if one answers, else None."""
    return _ask_engine(timeout)[0]


def _custom_endpoint() -> str | None:
    """The engine the client is pointed at, when it is not the local default socket."""
    if os.environ.get("DOCKER_HOST"):
        return f"DOCKER_HOST={os.environ['DOCKER_HOST']}"
    context = os.environ.get("DOCKER_CONTEXT")
    if context is None and shutil.which("docker"):
        context = subprocess.run(["docker", "context", "show"], capture_output=True, text=True).stdout.strip()
    return f"the docker context {context!r}" if context and context != "default" else None


def _no_engine_message(error: str) -> str:
    if "permission denied" in error.lower():
        return ("the Docker socket refused you (permission denied): add yourself to the docker group "
                "(`sudo usermod -aG docker $USER`, then log in again — root-equivalent) or run as root")
    where = _custom_endpoint()
    if where:
        return f"no Docker engine answers at {where} ({error}): start that engine, or unset it to use the local one"
    return f"no Docker engine answers ({error}): run `make engine` (or start Docker Desktop), then try again"


def require_engine() -> str:
    """Return the engine version, or fail with the one line that says how to get one."""
    version, error = _ask_engine(timeout=10)
    if version is None:
        raise CourseError(_no_engine_message(error))
    return version


def image_store() -> str:
    """"containerd" when the engine keeps images in containerd's store (Engine 29's and Docker Desktop's
    default), "classic" for dockerd's own graph driver (overlay2, the default before Engine 29).

    Used by: ``make engine``, the doctor (chapter 00), chapters 02 and 03.
    """
    status = docker("info", "--format", "{{json .DriverStatus}}").stdout
    return "containerd" if "io.containerd.snapshotter" in status else "classic"


def compose_version() -> str | None:
    """The `docker compose` plugin's version ("2.40.3", "5.5.0"), or None when the plugin is missing.

    Used by: ``make engine``, the doctor and chapter 00.
    """
    answer = docker("compose", "version", "--short", check=False)
    return answer.stdout.strip().removeprefix("v") or None if answer.returncode == 0 else None


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


APT_LOG = Path("/var/log/dockercourse-apt.log")


def _apt_get(arguments: list[str], purpose: str) -> None:
    """One apt-get command (as root); its output goes to APT_LOG, a failure ends in one line."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise CourseError(f"{purpose} needs `apt-get {' '.join(arguments)}` as root on Debian/Ubuntu: "
                          "run it (or install the same yourself), then try again")
    command = ["apt-get", *arguments]
    with APT_LOG.open("a") as log:
        if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                          env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")).returncode != 0:
            raise CourseError(f"`{' '.join(command)}` failed (for {purpose}): read {APT_LOG}, fix the "
                              "package source, then try again")


def apt_install(packages: list[str], purpose: str, update: bool = True) -> None:
    """Install Debian/Ubuntu packages (as root), with fresh package lists unless told otherwise.

    Used by: the engine (make engine), the stand-ins (debootstrap), the bench, the browser tests (chromium).
    """
    if update:
        _apt_get(["update", "-q"], purpose)
    _apt_get(["install", "-y", "-q", "--no-install-recommends", *packages], purpose)


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
    _apt_get(["update", "-q"], "the Docker engine")
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
    version, error = _ask_engine(timeout=10)
    if version is not None:
        return version
    if _custom_endpoint() or "permission denied" in error.lower():
        raise CourseError(_no_engine_message(error))  # installing a local engine would not help
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
    deadline = time.monotonic() + ENGINE_START_TIMEOUT_S
    while time.monotonic() < deadline:
        version = server_version(timeout=5)
        if version is not None:
            return version
        time.sleep(0.5)
    raise CourseError(f"dockerd did not answer within {ENGINE_START_TIMEOUT_S} s: "
                      f"read the end of {DOCKERD_LOG} for the reason")
