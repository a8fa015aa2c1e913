"""The doctor: is this machine ready for the course? (``python -m dockercourse doctor``)

Each check gives a status, what it found, and a one-line fix when it fails. The exit code is 0
only when every check passes. Chapter 00 runs the same commands visibly, then calls
``run_doctor`` as its summary. ``--workshop`` is the room preflight: the same checks and what a
whole day needs besides (Python, memory, the course's packages, pip inside a build), as a
red/green table.

Used by: chapter 00, ``make doctor``, ``make doctor-workshop``.
"""

import importlib.util
import os
import platform
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .. import LABEL, REPO_DIR, CourseError
from ..course import DOCS_PORT, LAB_PORT, port_taken, read_chapters
from ..engine import ask_engine, compose_version, docker, docker_clis, image_store, no_engine_message, version_key
from ..manifest import image_kind, inspect_image, load_manifest, manifest_image
from .course_image import course_image_name
from .lab import holder

#: The oldest engine the course supports (older ones lack what chapters use: BuildKit's defaults, Compose v2).
MIN_ENGINE_MAJOR = 26
MIN_FREE_DISK_GB = 5
# A whole day: JupyterLab and a kernel, a build, the Compose stack (web + Redis) and the
# chapters' containers (the OOM demo limits its own to 64 MB), with room to spare.
MIN_FREE_MEMORY_GB = 2
MIN_PYTHON = (3, 11)
# The `docker compose` plugin: v2 (2020–2025) and v5 (since December 2025) are the same CLI;
# v1 was the separate Python `docker-compose` program.
MIN_COMPOSE_MAJOR = 2


@dataclass
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""
    skipped: bool = False
    warning: bool = False  # passes, but something is worth fixing: the fix is printed as well


def _major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0


def check_engine() -> Check:
    version, error = ask_engine(timeout=10)
    if version is None:
        return Check("engine", False, "no engine answers", no_engine_message(error))
    client = docker("version", "--format", "{{.Client.Version}}", check=False).stdout.strip()
    components = docker("version", "--format", "{{range .Server.Components}}{{.Name}};{{end}}",
                        check=False).stdout
    if "Podman Engine" in components.split(";"):
        # Podman's Docker-compatible API gives Podman's own version: 4.x is not an old Docker.
        return Check("engine", False, f"client {client}, Podman {version} (its Docker-compatible API)",
                     "chapters 00–03 run on Podman; the rest need Docker Engine or Docker Desktop "
                     "(docs/setup.md, Podman)")
    ok = _major(version) >= MIN_ENGINE_MAJOR
    return Check("engine", ok, f"client {client}, server {version}, {image_store()} image store",
                 "" if ok else f"upgrade Docker Engine to {MIN_ENGINE_MAJOR} or newer")


def check_cli() -> Check:
    """Which `docker` runs: the first on PATH. A warning when an older one shadows the CLI installed with the
    engine (an old static binary in /usr/local/bin before the packages' /usr/bin/docker, say): the chapters
    and their stored outputs report the client that runs."""
    first, *others = docker_clis()
    newer = [(path, version) for path, version in others if version_key(version) > version_key(first[1])]
    found = f"{first[0]} {first[1]}, first on PATH"
    if not newer:
        return Check("docker CLI", True, found)
    path, version = max(newer, key=lambda item: version_key(item[1]))
    return Check("docker CLI", True, f"{found}; {path} {version} is newer", warning=True,
                 fix=f"the older client shadows the newer one: remove {first[0]}, or put {Path(path).parent} "
                     f"first on PATH (export PATH={Path(path).parent}:$PATH)")


def check_buildx() -> Check:
    result = docker("buildx", "version", check=False)
    ok = result.returncode == 0
    return Check("docker buildx", ok, result.stdout.strip().splitlines()[0] if ok else "missing",
                 "" if ok else "install the buildx plugin (Debian: docker-buildx; Docker Desktop has it)")


def check_compose() -> Check:
    """Compose is the `docker compose` plugin, major version 2 or newer: v2 and v5 are the same CLI.

    Used by: chapter 00 and the doctor.
    """
    version = compose_version()
    if version is None:
        return Check("docker compose", False, "missing", "install Compose, the `docker compose` plugin "
                     "(Debian: docker-compose; Docker Desktop has it)")
    ok = _major(version) >= MIN_COMPOSE_MAJOR
    return Check("docker compose", ok, f"Compose {version}",
                 "" if ok else f"upgrade Compose to {MIN_COMPOSE_MAJOR} or newer (Debian: docker-compose)")


def check_disk() -> Check:
    root = docker("info", "--format", "{{.DockerRootDir}}", check=False).stdout.strip()
    # Docker Desktop's data root lives inside its VM; then measure where the course lives.
    where = Path(root) if root and Path(root).exists() else REPO_DIR
    free_gb = shutil.disk_usage(where).free / 1e9
    ok = free_gb >= MIN_FREE_DISK_GB
    return Check("free disk", ok, f"{free_gb:.0f} GB free at {where}",
                 "" if ok else f"free at least {MIN_FREE_DISK_GB} GB (`docker system df`, then `make clean`)")


def _in_a_kernel() -> bool:
    """This runs in a Jupyter kernel (a chapter), not merely next to ipykernel (pytest with nbval imports it)."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    return bool(kernelapp and kernelapp.IPKernelApp.initialized())


def course_ports() -> list[int]:
    """Every host port the course publishes: each present chapter's range, the lab and the docs.

    In a chapter (a Jupyter kernel) the lab's own port is in use by the lab itself, so it is left out there.
    """
    own = [DOCS_PORT] + ([] if _in_a_kernel() else [LAB_PORT])
    return [port for chapter in read_chapters().values() for port in chapter.ports] + own


def _course_container_ports() -> dict[int, str]:
    """Host ports published by the course's own containers, with the container's name."""
    rows = docker("ps", "--filter", f"label={LABEL}", "--format", "{{.Names}} {{.Ports}}", check=False).stdout
    held = {}
    for row in rows.splitlines():
        name, _, ports = row.partition(" ")
        for port in re.findall(r":(\d+)->", ports):
            held[int(port)] = name
    return held


#: A port held by something else is looked at again after this long before the check fails.
FOREIGN_RECHECK_S = 1.0


def _holders(ports: list[int]) -> tuple[list[int], dict[int, str], str, list[int]]:
    """(the taken ports, the course's containers' ports, what holds LAB_PORT, the ports held by something else)."""
    taken = [port for port in ports if port_taken(port)]
    course = _course_container_ports()
    lab = holder(LAB_PORT) if LAB_PORT in taken and LAB_PORT not in course else ""
    ours = lab in ("course", "unseen")  # the course's JupyterLab; or one we cannot see into: see lab.holder
    return taken, course, lab, [port for port in taken if port not in course and not (ours and port == LAB_PORT)]


def check_ports(ports: list[int] | None = None) -> Check:
    """Free, or held by the course itself: its containers (another chapter running) or its own
    JupyterLab on LAB_PORT (`make lab` open while `make test` runs). Anything else fails.

    `ports`: only these (the tests); by default every course port.
    """
    ports = course_ports() if ports is None else ports
    taken, course, lab, foreign = _holders(ports)
    if foreign:  # a chapter's container may have started or gone between the two readings: look once more
        time.sleep(FOREIGN_RECHECK_S)
        taken, course, lab, foreign = _holders(ports)
    ours = lab in ("course", "unseen")
    found = f"{len(ports) - len(taken)} of {len(ports)} free"
    if taken and not foreign:
        holders = [f"the course's containers ({', '.join(sorted(set(course.values())))})"] \
            if set(taken) - {LAB_PORT} or not ours else []
        holders += {"course": ["the course's JupyterLab"],
                    "unseen": ["a JupyterLab of another user or container (the course image's?)"]}.get(lab, [])
        found += f"; the rest held by {' and '.join(holders)}"
    fix = ""
    if foreign:
        found += f"; taken by something else: {foreign}"
        fix = ("find what holds them (`docker ps`; outside Docker `lsof -i :PORT` on macOS and Linux, `ss -ltnp` on "
               "Linux), stop it or run `make clean`")
        if lab == "jupyter":
            fix += (f"; on {LAB_PORT}, a Jupyter server not started by `make lab` in this checkout: "
                    f"`jupyter server list`, `jupyter server stop {LAB_PORT}`")
    return Check("ports", not foreign, found, fix)


def check_images() -> list[Check]:
    """Each manifest image: present (official, stand-in or room copy), being prepared in the background
    (`make lab` started that: not a failure, a chapter that needs it waits), or missing."""
    from .images import BACKGROUND_LOG, preparing

    checks, busy = [], None
    for image in load_manifest():
        inspected = inspect_image(image.name)
        if inspected is not None:
            kind = {"stand-in": "stand-in (built offline)", "room copy": "room copy (pip from the bundle)"}
            checks.append(Check(f"image {image.name}", True, f"present, {kind.get(image_kind(inspected), 'official')}"))
            continue
        busy = preparing() if busy is None else busy
        if busy:
            checks.append(Check(f"image {image.name}", True, f"being prepared in the background "
                                f"(log: {BACKGROUND_LOG.relative_to(REPO_DIR)})", skipped=True))
        else:
            checks.append(Check(f"image {image.name}", False, "missing", "run `make images`"))
    return checks


def check_container() -> Check:
    """A first container: the host's and the container's kernel release, side by side."""
    image = manifest_image("python").name
    result = docker("run", "--rm", "--label", f"{LABEL}=doctor", image, "uname", "-r", check=False)
    if result.returncode != 0:
        return Check("first container", False, result.stderr.strip()[-120:], "run `make images`, then retry")
    return Check("first container", True, f"host kernel {platform.release()}, container kernel {result.stdout.strip()}")


def check_python() -> Check:
    found = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    wanted = ".".join(map(str, MIN_PYTHON))
    return Check("python", ok, f"Python {found} ({sys.executable})",
                 "" if ok else f"install Python {wanted}+, then run make with PYTHON=python{wanted}")


def check_memory() -> Check:
    """Memory available to containers: the host's on Linux, the VM's with Docker Desktop."""
    engine_total_gb = int(docker("info", "--format", "{{.MemTotal}}", check=False).stdout.strip() or 0) / 1e9
    meminfo = Path("/proc/meminfo")
    if meminfo.exists() and engine_total_gb and "desktop" not in docker(
            "info", "--format", "{{.OperatingSystem}}", check=False).stdout.lower():
        available_kb = int(re.search(r"MemAvailable:\s+(\d+)", meminfo.read_text()).group(1))
        free_gb, where = available_kb * 1024 / 1e9, f"available of {engine_total_gb:.1f} GB"
    else:
        free_gb, where = engine_total_gb, "given to Docker's VM"
    ok = free_gb >= MIN_FREE_MEMORY_GB
    return Check("free memory", ok, f"{free_gb:.1f} GB {where}",
                 "" if ok else f"free at least {MIN_FREE_MEMORY_GB} GB: close other programs "
                               "(Docker Desktop: Settings → Resources → Memory)")


def check_packages() -> Check:
    """The course's Python packages: in .venv, or (the course image) in the Python running this."""
    if (REPO_DIR / ".venv" / ".installed").exists():
        return Check("course packages", True, ".venv installed")
    if all(importlib.util.find_spec(module) for module in ("jupyterlab", "nbval", "docker")):
        return Check("course packages", True, f"installed for {sys.executable}")
    return Check("course packages", False, "no .venv",
                 "run `make lab` (online) or `make bundle-load BUNDLE=…` (in the room)")


def check_course_image() -> Check:
    """Optional: only learners who run the course in its container need it."""
    name = course_image_name()
    present = inspect_image(name) is not None
    return Check(f"image {name}", True, "present (optional)" if present else "absent (optional: the course "
                 "in a container, `make course-image`)", skipped=not present)


def check_pip_in_build() -> Check:
    """A build that installs the sample app's requirements, uncached: the packages must come from
    somewhere (a package index, or the room copy's wheels), which is what an offline room lacks."""
    dockerfile = f"FROM {manifest_image('python').name}\nCOPY requirements.txt .\n" \
                 "RUN pip install --no-cache-dir --dry-run --quiet -r requirements.txt\n"
    result = docker("build", "--no-cache", "--quiet", "--label", f"{LABEL}=doctor", "-f", "-",
                    str(REPO_DIR / "sample_app"), input=dockerfile, timeout=300, check=False)
    if result.returncode == 0:
        docker("image", "rm", result.stdout.strip(), check=False)
        return Check("pip in a build", True, "the sample app's requirements install")
    error = (result.stderr.strip().splitlines() or ["no message"])[-1]
    return Check("pip in a build", False, error[-100:],
                 "no package index answers: run `make bundle-load BUNDLE=…` with the workshop bundle")


def run_checks(workshop: bool = False) -> list[Check]:
    engine = check_engine()
    if not engine.ok and engine.found == "no engine answers":
        return [engine]
    checks = [engine, check_cli(),
              check_buildx(), check_compose(),
              check_disk(), check_ports(), *check_images()]
    if workshop:
        checks[4:4] = [check_python(), check_memory(), check_packages()]
        checks.append(check_course_image())
    if all(check.ok for check in checks):
        checks.append(check_container())
        if workshop:
            checks.append(check_pip_in_build())
    else:
        checks.append(Check("first container", True, "runs once the checks above pass", skipped=True))
    return checks


def _print_table(checks: list[Check]) -> None:
    """The room preflight's table: green for ready, red with its fix otherwise."""
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    paint = {"ready": "32", "FIX": "31", "WARN": "33", "—": "2"}
    print(f"{'':2}{'check':<32} {'status':<6} found / fix")
    for check in checks:
        status = "—" if check.skipped else "WARN" if check.warning else "ready" if check.ok else "FIX"
        shown = f"\033[{paint[status]}m{status:<6}\033[0m" if color else f"{status:<6}"
        print(f"{'':2}{check.name:<32} {shown} {check.found}")
        if not check.ok or check.warning:
            print(f"{'':2}{'':<32} {'':<6} → {check.fix}")


def run_doctor(workshop: bool = False) -> int:
    """Print one line per check and a fix under each failure; 0 when all pass."""
    try:
        checks = run_checks(workshop)
    except CourseError as error:
        checks = [Check("engine", False, str(error), "run `make engine`")]
    failed = sum(not check.ok for check in checks)
    if workshop:
        _print_table(checks)
        print("doctor: ready for the workshop" if not failed else f"doctor: NOT ready, {failed} row(s) to fix")
        return 0 if not failed else 1
    for check in checks:
        status = "skip" if check.skipped else "warn" if check.warning else "ok  " if check.ok else "FAIL"
        print(f"{status}  {check.name:<32} {check.found}")
        if not check.ok or check.warning:
            print(f"      fix: {check.fix}")
    print("doctor: all checks passed" if not failed else f"doctor: {failed} check(s) failed")
    return 0 if not failed else 1
