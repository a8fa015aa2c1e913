"""The doctor: is this machine ready for the course? (``python -m dockercourse doctor``)

Each check gives a status, what it found, and a one-line fix when it fails. The exit code is 0
only when every check passes. Chapter 00 runs the same commands visibly, then calls
``run_doctor`` as its summary.

Used by: chapter 00, ``make doctor``.
"""

import platform
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from . import LABEL, REPO_DIR, CourseError
from .engine import MIN_ENGINE_MAJOR, docker, server_version
from .images import inspect_image, load_manifest, standin_recipe
from .ports import DOCS_PORT, LAB_PORT, chapter_ports

MIN_FREE_DISK_GB = 5


@dataclass
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""


def _major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0


def check_engine() -> Check:
    version = server_version()
    if version is None:
        return Check("engine", False, "no engine answers", "run `make engine` (or start Docker Desktop)")
    client = docker("version", "--format", "{{.Client.Version}}", check=False).stdout.strip()
    ok = _major(version) >= MIN_ENGINE_MAJOR
    return Check("engine", ok, f"client {client}, server {version}",
                 "" if ok else f"upgrade Docker Engine to {MIN_ENGINE_MAJOR} or newer")


def check_plugin(plugin: str, fix: str) -> Check:
    result = docker(plugin, "version", check=False)
    found = result.stdout.strip().splitlines()[0] if result.returncode == 0 else "missing"
    return Check(f"docker {plugin}", result.returncode == 0, found, "" if result.returncode == 0 else fix)


def check_disk() -> Check:
    root = docker("info", "--format", "{{.DockerRootDir}}", check=False).stdout.strip()
    # Docker Desktop's data root lives inside its VM; then measure where the course lives.
    where = Path(root) if root and Path(root).exists() else REPO_DIR
    free_gb = shutil.disk_usage(where).free / 1e9
    ok = free_gb >= MIN_FREE_DISK_GB
    return Check("free disk", ok, f"{free_gb:.0f} GB free at {where}",
                 "" if ok else f"free at least {MIN_FREE_DISK_GB} GB (`docker system df`, then `make clean`)")


def course_ports() -> list[int]:
    """Every host port the course publishes: each present chapter's range, the lab and the docs."""
    chapters = sorted({int(path.name[:2]) for path in (REPO_DIR / "notebooks").glob("[0-9][0-9]-*.ipynb")})
    return [port for chapter in chapters for port in chapter_ports(chapter)] + [LAB_PORT, DOCS_PORT]


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def check_ports() -> Check:
    taken = [port for port in course_ports() if _port_taken(port)]
    ports = course_ports()
    found = f"{len(ports) - len(taken)} of {len(ports)} free" + (f"; taken: {taken}" if taken else "")
    return Check("ports", not taken, found,
                 "find what holds them (`docker ps`, `ss -ltnp`), stop it or run `make clean`" if taken else "")


def check_images() -> list[Check]:
    checks = []
    for image in load_manifest():
        inspected = inspect_image(image.name)
        if inspected is None:
            checks.append(Check(f"image {image.name}", False, "missing", "run `make images`"))
        else:
            kind = "stand-in (built offline)" if standin_recipe(inspected) else "official"
            checks.append(Check(f"image {image.name}", True, f"present, {kind}"))
    return checks


def check_container() -> Check:
    """A first container: the host's and the container's kernel release, side by side."""
    image = load_manifest()[0].name
    result = docker("run", "--rm", "--label", f"{LABEL}=doctor", image, "uname", "-r", check=False)
    if result.returncode != 0:
        return Check("first container", False, result.stderr.strip()[-120:], "run `make images`, then retry")
    return Check("first container", True, f"host kernel {platform.release()}, container kernel {result.stdout.strip()}")


def run_checks() -> list[Check]:
    engine = check_engine()
    if not engine.ok and engine.found == "no engine answers":
        return [engine]
    checks = [engine,
              check_plugin("buildx", "install the buildx plugin (Debian: docker-buildx; Docker Desktop has it)"),
              check_plugin("compose", "install Compose v2 (Debian: docker-compose; Docker Desktop has it)"),
              check_disk(), check_ports(), *check_images()]
    if all(check.ok for check in checks):
        checks.append(check_container())
    return checks


def run_doctor() -> int:
    """Print one line per check and a fix under each failure; 0 when all pass."""
    try:
        checks = run_checks()
    except CourseError as error:
        checks = [Check("engine", False, str(error), "run `make engine`")]
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<32} {check.found}")
        if not check.ok:
            print(f"      fix: {check.fix}")
    failed = sum(not check.ok for check in checks)
    print("doctor: all checks passed" if not failed else f"doctor: {failed} check(s) failed")
    return 0 if not failed else 1
