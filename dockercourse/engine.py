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


def server_version(timeout: float = 10) -> str | None:
    """The engine's version if one answers, else None."""
    if shutil.which("docker") is None:
        return None
    try:
        result = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"],
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    version = result.stdout.strip()
    return version if result.returncode == 0 and version else None


def require_engine() -> str:
    """Return the engine version, or fail with the one line that says how to get one."""
    version = server_version()
    if version is None:
        where = os.environ.get("DOCKER_HOST", "the default socket")
        raise CourseError(f"no Docker engine answers at {where}: run `make engine` "
                          "(or start Docker Desktop), then try again")
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


def _apt(*args: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(["apt-get", *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no message"]
        raise CourseError(f"`apt-get {' '.join(args)}` failed ({tail[0]}): fix the package "
                          "source or install Docker Engine by hand, then run `make engine`")


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
    print(f"engine: installing {', '.join(packages)} from the distribution's packages …", flush=True)
    _apt("update", "-q")
    _apt("install", "-y", "-q", "--no-install-recommends", *packages, "iptables", "ca-certificates")


def _start_dockerd() -> None:
    if subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True).returncode == 0:
        return  # already started, maybe still coming up
    print(f"engine: starting dockerd (log: {DOCKERD_LOG})", flush=True)
    with DOCKERD_LOG.open("ab") as log:
        subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True)


def ensure_engine() -> str:
    """Use the engine that answers; else install and start one (Debian/Ubuntu, root). Returns its version."""
    version = server_version()
    if version is not None:
        return version
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
