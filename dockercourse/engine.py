"""Find a Docker engine, or bring one up from Debian's packages (``make engine``).

Used by: ``make engine`` (a step of ``make lab`` and ``make test``), the doctor (chapter 00),
and the tests' engine check.
"""

import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

from . import CourseError

GET_ENGINE_HINT = (
    "install Docker Desktop (macOS, Windows) or Docker Engine "
    "(Linux: https://docs.docker.com/engine/install/), start it, then run `make engine` again"
)
MIN_ENGINE_MAJOR = 26
DOCKERD_LOG = Path("/var/log/dockerd.log")
ENGINE_START_TIMEOUT_S = 60
# On Debian 12 the engine comes from Debian 13 (trixie) with a low pin priority, so every
# other package stays on Debian 12: bookworm's own docker.io is 20.10 with no buildx.
TRIXIE_SOURCE = Path("/etc/apt/sources.list.d/dockercourse-trixie.list")
TRIXIE_PIN = Path("/etc/apt/preferences.d/dockercourse-trixie")


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
        message = (result.stderr.strip() or result.stdout.strip()).splitlines()
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
    # "Docker version 26.1.5+dfsg1, build ..."
    try:
        return int(output.split()[2].split(".")[0])
    except (IndexError, ValueError):
        return None


APT_LOG = Path("/var/log/dockercourse-apt.log")


def apt_install(packages: list[str], purpose: str) -> None:
    """Install Debian/Ubuntu packages (as root), with fresh package lists; apt's output goes to a log file.

    Used by: the engine (make engine), the stand-ins (debootstrap), the bench (ab), the browser tests (chromium).
    """
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise CourseError(f"{purpose} needs {', '.join(packages)}: install them (as root, on Debian/Ubuntu: "
                          f"apt-get install {' '.join(packages)}), then try again")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with APT_LOG.open("a") as log:
        for command in (["apt-get", "update", "-q"],
                        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]):
            if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env).returncode != 0:
                raise CourseError(f"`{' '.join(command)}` failed (for {purpose}): read {APT_LOG}, fix the "
                                  "package source, then try again")


def _install_engine_packages(os_release: dict[str, str]) -> None:
    distro, codename = os_release.get("ID"), os_release.get("VERSION_CODENAME")
    if distro == "debian" and codename == "bookworm":
        TRIXIE_SOURCE.write_text("deb http://deb.debian.org/debian trixie main\n")
        TRIXIE_PIN.write_text("Package: *\nPin: release n=trixie\nPin-Priority: 100\n")
        packages = ["docker.io/trixie", "docker-buildx/trixie", "docker-compose/trixie"]
    elif distro == "ubuntu":
        packages = ["docker.io", "docker-buildx", "docker-compose-v2"]
    else:
        packages = ["docker.io", "docker-buildx", "docker-compose"]
    print(f"engine: installing {', '.join(packages)} from the distribution's packages (log: {APT_LOG}) …",
          flush=True)
    apt_install([*packages, "iptables", "ca-certificates"], "the Docker engine")


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
    major = _installed_dockerd_major()
    if major is None or major < MIN_ENGINE_MAJOR:
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
