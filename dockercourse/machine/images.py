"""``make images``: every manifest image present — already there, else pulled, else a stand-in.

Used by: ``make images`` (a step of ``make lab`` and ``make test``), ``start_chapter`` (a chapter's own
images, at its first cell), the stack's private engine.
"""

import fcntl
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .. import REPO_DIR, CourseError
from ..engine import docker
from ..manifest import MANIFEST, STANDIN_KEY_LABEL, Image, image_kind, image_labels, inspect_image, load_manifest
from .standins import build_standin, cache_dir, standin_tarball

PULL_TIMEOUT_S = 600
#: Docker Hub's registry API: reachable or not tells, before any engine runs, whether images can be pulled.
REGISTRY_PROBE = "https://registry-1.docker.io/v2/"
# Words in `docker pull`'s error that mean the registry answered "no such image" (a wrong name);
# any other failure means no registry is usable (offline, firewall, TLS proxy, rate limit).
#: The image archives a course stack is started with: `make stack`'s (stack.py) and a workshop bundle's (bundle.py).
STACK_ARCHIVE = "images.tar"
BUNDLE_ARCHIVE = "images.tar.gz"
#: Where a course stack keeps the archives its images were loaded from (compose.yaml sets it in the lab).
ARCHIVES_ENV = "DOCKERCOURSE_IMAGE_ARCHIVES"
#: `make lab` prepares the images the first chapters do not need in the background; its output goes here.
BACKGROUND_LOG = REPO_DIR / "build" / "images.log"
NAME_ERRORS = ("manifest unknown", "not found", "pull access denied", "unauthorized", "invalid reference format")


def pull_failure(error: str) -> str:
    """Classify `docker pull`'s last error line: "name" (the registry has no such image) or "offline"."""
    return "name" if any(sign in error.lower() for sign in NAME_ERRORS) else "offline"


def _pull(name: str) -> str | None:
    """Pull an image; None on success, else why no registry could serve it (a wrong name raises)."""
    result = docker("pull", "--quiet", name, timeout=PULL_TIMEOUT_S, check=False)
    if result.returncode == 0:
        return None
    error = ((result.stderr.strip() or result.stdout.strip()).splitlines() or ["no message"])[-1]
    if pull_failure(error) == "name":
        raise CourseError(f"`docker pull {name}` failed ({error}): check the name in {MANIFEST.name}")
    return error


def _lock_path() -> Path:
    return cache_dir().parent / "images.lock"


@contextmanager
def _one_at_a_time(wait_message: str):
    """Only one preparation of images at a time on this machine (`make lab`'s background one, a chapter's
    first cell, `make images`): the second waits, saying so, rather than building the same stand-in twice."""
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(wait_message, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def preparing() -> bool:
    """Another process is preparing images right now (`make lab`'s background preparation, say)."""
    path = _lock_path()
    if not path.exists():
        return False
    with path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _ensure_one(image: Image, offline: str | None) -> tuple[str, str | None]:
    """Make one image present; (where it came from, why no registry answers, or None while one may)."""
    local = inspect_image(image.name)
    kind = image_kind(local) if local is not None else None
    if kind == "official":
        return "official, present", offline
    # A stand-in or room copy left from an offline day is replaced as soon as a registry
    # answers; one failed pull is enough to know that none answers this time.
    reason = offline or _pull(image.name)
    why = "no registry answered the pull before it" if offline else reason
    if reason is None:
        if local is not None:
            docker("image", "rm", local["Id"], check=False)  # the copy it replaced
        return "official, pulled", None
    if kind == "room copy":
        return "room copy, present (no registry answers)", reason
    if local is None and _load_from_archives(image):
        return "loaded from the course's image archives (no registry answers)", reason
    if local is not None and image_labels(local).get(STANDIN_KEY_LABEL) == image.standin.cache_key():
        return "stand-in, present (no registry answers)", reason
    print(f"images: {image.name} cannot be pulled ({why})", flush=True)
    build_standin(image)
    if local is not None:  # the outdated stand-in, now untagged; kept if a container still uses it
        docker("image", "rm", local["Id"], check=False)
    return "stand-in, built (no registry answers)", reason


def image_archives(directory: str | Path | None) -> list[Path]:
    """The image archives in the folder a course stack was started with: `make stack`'s, or a workshop bundle's
    (which also holds course.tar.gz, the course's files: not images)."""
    if not directory:
        return []
    return [path for name in (STACK_ARCHIVE, BUNDLE_ARCHIVE) if (path := Path(directory) / name).is_file()]


def _load_from_archives(image: Image) -> bool:
    """In the course stack (compose.yaml sets ARCHIVES_ENV): load the archive the stack was started with, which
    holds the image (`make stack` saved it from the host's engine, or a workshop bundle brought it)."""
    for archive in image_archives(os.environ.get(ARCHIVES_ENV)):
        print(f"images: {image.name} is missing: loading {archive} …", flush=True)
        docker("load", "--quiet", "-i", str(archive), timeout=1800, check=False)
        if inspect_image(image.name) is not None:
            return True
    return False


def ensure_images(repositories: list[str] | None = None, table: bool = True) -> list[tuple[Image, str]]:
    """Make the manifest's images present (only these repositories', if given): local, else pulled, else a
    stand-in. Returns (image, where it came from)."""
    images = [image for image in load_manifest() if repositories is None or image.repository in repositories]
    outcome, offline = [], None
    with _one_at_a_time("images: another preparation of the course's images is running; waiting for it …"):
        for image in images:
            source, offline = _ensure_one(image, offline)
            outcome.append((image, source))
    if table:
        _print_table(outcome)
    return outcome


def registry_answers(timeout: float = 5) -> bool:
    """Docker Hub's registry answers HTTPS (any status: it asks for a login at /v2/), without asking the engine."""
    try:
        urllib.request.urlopen(REGISTRY_PROBE, timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
    return True


def prefetch_standins(repositories: list[str]) -> None:
    """Before an engine runs (`make lab` on a fresh machine installs one meanwhile): when no registry answers,
    build the stand-ins' root filesystems for these repositories, so that `make images` only imports them."""
    if registry_answers() or os.geteuid() != 0:
        return  # they will be pulled; or `make images` will say that stand-ins need root
    with _one_at_a_time("images: another preparation of the course's images is running; waiting for it …"):
        for image in load_manifest():
            if image.repository in repositories:
                standin_tarball(image)


def missing(repositories: list[str]) -> list[str]:
    """The manifest images of these repositories that the engine does not have."""
    return [image.name for image in load_manifest() if image.repository in repositories
            and inspect_image(image.name) is None]


def prepare_in_background(log: Path = BACKGROUND_LOG) -> subprocess.Popen:
    """Start `python -m dockercourse images` on its own (every manifest image), its output in `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", "dockercourse", "images"], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=REPO_DIR, start_new_session=True)


def _print_table(outcome: list[tuple[Image, str]]) -> None:
    """Each image, where it came from and its size as the engine reports it (.Size: the compressed content with
    the containerd image store, the unpacked layers with the classic one), beside the official download size."""
    width = max(len(image.name) for image, _ in outcome)
    print(f"{'image':<{width}} {'source':<40} {'.Size':>9} {'official gzip':>14}")
    for image, source in outcome:
        size_mb = inspect_image(image.name)["Size"] / 1e6
        official = f"{image.official_compressed_mb:.1f} MB" if image.official_compressed_mb else "unknown"
        print(f"{image.name:<{width}} {source:<40} {size_mb:6.1f} MB {official:>14}")
