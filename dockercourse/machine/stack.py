"""The course stack (compose.yaml): JupyterLab and a private Docker engine, for a learner with nothing but Docker.

On the host, ``make stack`` (``python -m dockercourse stack up``): the course's images are saved from the host's
engine to build/stack-images/ (the lab loads them into the private engine, so no registry is needed), the course
image is built, the port chosen, and the stack started; it prints the URL. ``make stack-down`` stops it and keeps
the learner's work; ``python -m dockercourse stack down --reset`` removes that too.

In the lab container, ``python -m dockercourse stack-lab`` (compose.yaml's command): the course's images into the
private engine — loaded from the archives in /images (what ``make stack`` wrote, or a workshop bundle, whose
room copy of the Python image it makes too), else pulled — then JupyterLab on chapter 00. It never stops the lab
from starting: what is missing, a chapter's first cell asks for again.

Used by: ``make stack``, ``make stack-down``, ``make stack-check``, compose.yaml, .devcontainer/devcontainer.json.
"""

import hashlib
import os
import secrets
import sys
import time
from pathlib import Path

from .. import REPO_DIR, CourseError
from ..course import LAB_PORT, port_taken
from ..engine import docker, require_engine
from ..manifest import image_names, inspect_image
from .images import STACK_ARCHIVE, image_archives

COMPOSE_FILE = REPO_DIR / "compose.yaml"
#: The stack's Compose project: compose.yaml's name, STACK_NAME or dockercourse (a test runs a second stack).
PROJECT_ENV, DEFAULT_PROJECT = "STACK_NAME", "dockercourse"
#: Where `make stack` saves the host's copies of the course's images for the private engine.
STACK_IMAGES = REPO_DIR / "build" / "stack-images"
STAMP = "images.ids"
#: The learner's files in the lab (the course, and what the chapters write there).
COURSE_IN_LAB = "/home/learner/course"
UP_TIMEOUT_S = 600
#: The ports `make stack` tries for JupyterLab, from LAB_PORT up, when another program holds it.
STACK_PORTS = range(LAB_PORT, LAB_PORT + 10)


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


# --- on the host ----------------------------------------------------------------------------------------------

def _ids(names: list[str]) -> str:
    """Which images exactly (their IDs): the saved archive is written again only when one of them changed."""
    return hashlib.sha256(" ".join(str((inspect_image(name) or {}).get("Id")) for name in names).encode()).hexdigest()


def save_images(directory: Path = STACK_IMAGES) -> Path:
    """`docker save` of the manifest's images from the host's engine, for the private engine; kept while unchanged."""
    names = image_names()
    absent = [name for name in names if inspect_image(name) is None]
    if absent:
        raise CourseError(f"the host's engine lacks {', '.join(absent)}: run `make images` first")
    archive, stamp = directory / STACK_ARCHIVE, directory / STAMP
    ids = _ids(names)
    if archive.exists() and stamp.exists() and stamp.read_text() == ids:
        print(f"stack: the course's images are saved already ({_mb(archive):.0f} MB, {archive.relative_to(REPO_DIR)})")
        return archive
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"stack: saving {len(names)} images from this machine's engine for the course's own engine …", flush=True)
    docker("save", "-o", str(archive), *names, timeout=1800)
    archive.chmod(0o644)  # `docker save -o` writes it for its owner only; the lab reads it as learner
    stamp.write_text(ids)
    print(f"stack: {_mb(archive):.0f} MB saved in {time.monotonic() - started:.0f} s")
    return archive


def free_port(wanted: int | None = None) -> int:
    """LAB_PORT, or the next free one; a port asked for explicitly must be free."""
    if wanted is not None:
        if port_taken(wanted):
            raise CourseError(f"port {wanted} is taken: choose another, e.g. `make stack LAB_PORT={wanted + 1}`")
        return wanted
    for port in STACK_PORTS:
        if not port_taken(port):
            return port
    raise CourseError(f"ports {STACK_PORTS.start}–{STACK_PORTS.stop - 1} are all taken: free one, or choose "
                      "another with `make stack LAB_PORT=…`")


def project() -> str:
    return os.environ.get(PROJECT_ENV) or DEFAULT_PROJECT


def compose(*args: str, env: dict[str, str] | None = None, timeout: float = UP_TIMEOUT_S, check: bool = True):
    """`docker compose` on the course stack's compose file."""
    return docker("compose", "-f", str(COMPOSE_FILE), "-p", project(), *args, env=env, timeout=timeout, check=check,
                  merge=True)


def _engine_refused() -> str | None:
    """Why the private engine is not running, when it is not (a policy that forbids privileged containers, say)."""
    listed = docker("ps", "--all", "--filter", f"label=com.docker.compose.project={project()}",
                    "--filter", "label=com.docker.compose.service=engine", "--format", "{{.ID}} {{.State}}",
                    check=False).stdout.split()
    if len(listed) == 2 and listed[1] == "running":
        return None
    if not listed:
        return "no engine container was created"
    logs = docker("logs", "--tail", "3", listed[0], check=False, merge=True).stdout.strip().splitlines()
    return logs[-1] if logs else f"it is {listed[1]}"


def up(port: int | None = None) -> str:
    """Start the stack (building the course image if its inputs changed); returns JupyterLab's URL."""
    from .course_image import build_course_image

    require_engine()
    save_images()
    build_course_image()
    port = free_port(port)
    if port != LAB_PORT:
        print(f"stack: port {LAB_PORT} is taken; JupyterLab is on {port} (LAB_PORT={port})", flush=True)
    token = secrets.token_hex(24)
    started = time.monotonic()
    env = {"LAB_PORT": str(port), "JUPYTER_TOKEN": token, "STACK_IMAGES": str(STACK_IMAGES)}
    result = compose("up", "--detach", "--wait", "--no-build", env=env, check=False)
    if result.returncode != 0:
        refused = _engine_refused()
        if refused and ("privileged" in result.stdout.lower() or "privileged" in refused.lower()):
            raise CourseError("the course's engine needs a privileged container, which this Docker forbids "
                              f"({refused}): use a machine or VM of your own, or see docs/setup-stack.md (Sysbox)")
        last = (result.stdout.strip().splitlines() or ["no message"])[-1]
        raise CourseError(f"the stack did not come up ({refused or last}): read `docker compose logs`, fix, "
                          "then `make stack` again")
    url = f"http://127.0.0.1:{port}/lab/tree/notebooks/00-preflight.ipynb?token={token}"
    print(f"stack: up in {time.monotonic() - started:.0f} s — open {url}")
    return url


def down(reset: bool = False) -> None:
    """Stop the stack; the learner's work stays in its volume unless `reset`."""
    compose("down", *(["--volumes"] if reset else []), check=True)
    kept = "; your work is kept (`stack down --reset` removes it)"
    print("stack: stopped" + ("; the course's work and engine reset" if reset else kept))


# --- in the lab ------------------------------------------------------------------------------------------------

def load_images(source: Path) -> list[str]:
    """The manifest's images into the engine DOCKER_HOST names: from the archives in `source`, else pulled.
    Returns the ones still missing (never raises: the lab starts anyway, and a chapter's first cell asks again)."""
    names = image_names()
    missing = [name for name in names if inspect_image(name) is None]
    if not missing:
        print("stack: the course's images are in the engine")
        return []
    for archive in image_archives(source):
        started = time.monotonic()
        print(f"stack: loading {len(missing)} image(s) from {archive.name} ({_mb(archive):.0f} MB) …", flush=True)
        loaded = docker("load", "--quiet", "-i", str(archive), timeout=1800, check=False)
        if loaded.returncode != 0:
            print(f"stack: {archive.name} could not be loaded: {loaded.stderr.strip()[-200:]}", flush=True)
            continue
        print(f"stack: loaded in {time.monotonic() - started:.0f} s", flush=True)
        _room_copy_if_bundle(source)
        missing = [name for name in names if inspect_image(name) is None]
        if not missing:
            return []
    for name in list(missing):
        if docker("pull", "--quiet", name, timeout=600, check=False).returncode == 0:
            missing.remove(name)
    if missing:
        print(f"stack: {', '.join(missing)} could not be loaded or pulled: start the stack with `make stack` "
              "(it saves this machine's images for it), or with a workshop bundle (STACK_IMAGES=BUNDLE)")
    return missing


def _room_copy_if_bundle(source: Path) -> None:
    """A workshop bundle also brings the Python packages for the chapters' builds: make the room copy here too."""
    from .bundle import CHECKSUMS, IMAGE_WHEELS, room_copy

    if (source / CHECKSUMS).exists() and (source / IMAGE_WHEELS).is_dir():
        print(f"stack: the room copy of the Python image (pip from the bundle's wheels only): {room_copy(source)}")


def stack_lab(images: Path) -> int:
    """compose.yaml's lab (and a workshop learner's): the images into the private engine, then this process becomes
    JupyterLab (jupyterhub-singleuser under a workshop's hub)."""
    started = time.monotonic()
    try:
        require_engine()
        load_images(images)
    except CourseError as error:  # the lab starts anyway: chapter 00's doctor says what is wrong
        print(f"stack: {error}", flush=True)
    if os.environ.get("JUPYTERHUB_API_TOKEN"):  # a workshop server's learner: the hub logs in and proxies
        command = ["jupyterhub-singleuser", "--ip=0.0.0.0", "--port=8888", f"--ServerApp.root_dir={COURSE_IN_LAB}",
                   "--SingleUserNotebookApp.default_url=/lab/tree/notebooks/00-preflight.ipynb"]
        print(f"stack: ready in {time.monotonic() - started:.0f} s, for the workshop's hub", flush=True)
        os.execvp(command[0], command)
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    port = os.environ.get("LAB_PORT", str(LAB_PORT))
    print(f"stack: ready in {time.monotonic() - started:.0f} s — open "
          f"http://127.0.0.1:{port}/lab/tree/notebooks/00-preflight.ipynb?token={token}", flush=True)
    command = ["jupyter", "lab", "--no-browser", "--ip=0.0.0.0", "--port=8888",
               f"--ServerApp.root_dir={COURSE_IN_LAB}", "--LabApp.default_url=/lab/tree/notebooks/00-preflight.ipynb"]
    sys.stdout.flush()
    os.execvpe(command[0], command, {**os.environ, "JUPYTER_TOKEN": token})
