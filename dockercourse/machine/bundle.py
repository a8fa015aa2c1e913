"""The workshop bundle: the whole course for a room with no network, in one directory.

    make bundle [BUNDLE=dir]        on a machine with network (default: build/workshop-bundle)
    make bundle-load BUNDLE=dir     in the room, on each learner's machine, with no network

What a bundle holds is listed in ``ROOM_README`` below, which becomes its README.md.

Used by: ``make bundle``, ``make bundle-load``, ``make offline-check`` (tests/offline_check.sh).
"""

import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from .. import REPO_DIR, CourseError
from ..engine import docker, require_engine
from ..manifest import ROOM_LABEL, image_kind, image_names, inspect_image, manifest_image
from . import run_step
from .course_image import course_image_name
from .images import BUNDLE_ARCHIVE

CHECKSUMS = "SHA256SUMS"
COURSE_ARCHIVE = "course.tar.gz"
IMAGES_ARCHIVE = BUNDLE_ARCHIVE
HOST_WHEELS = "wheels/host"
IMAGE_WHEELS = "wheels/image"
REQUIREMENTS = ["requirements.txt", "sample_app/requirements.txt"]
# Learners' machines may run another Python than the bundling machine: wheels for these too.
HOST_PYTHONS = ["3.12", "3.13", "3.14"]
RETRY = "fix that, then run `make bundle` again"
# Inside the room copy of the Python image: where its wheels are, and pip told to use only them.
IMAGE_WHEEL_DIR = "/usr/local/share/dockercourse/wheels"
IMAGE_PIP_CONF = f"[global]\nno-index = true\nfind-links = {IMAGE_WHEEL_DIR}\n"

ROOM_README = """\
# Docker course: workshop bundle

Everything the course needs in a room with no network: no registry, no package index.
Made on {made} from the course at {revision}, on {platform_name}.

| file | what | size |
|---|---|---|
{rows}

## On each learner's machine (Linux x86_64, Docker Engine 26+ installed, Python 3.11+, make)

With this directory at, say, `/media/usb/workshop-bundle` (it may stay read-only):

```bash
tar -xzf /media/usb/workshop-bundle/course.tar.gz -C ~     # the course, in ~/dockercourse
cd ~/dockercourse
make bundle-load BUNDLE=/media/usb/workshop-bundle  # checks SHA256SUMS, loads the images, installs .venv
make doctor-workshop                                # a ready/FIX table for the day; exit code 0 = ready
make lab                                            # JupyterLab on chapter 00
```

`make bundle-load` loads the images below with `docker load`, then makes a **room copy** of
`{python_image}`: the same image plus `/etc/pip.conf` pointing pip at the wheels in
`{image_wheel_dir}` only, so the chapters' `docker build`s install the sample app's packages
without a package index. It carries the label `{room_label}`; `make images` on a machine that
reaches a registry replaces it with the official image. The course's virtualenv (`.venv`) is
installed from `wheels/host/` only, and keeps a `pip.conf` that says so.

Images in `images.tar.gz` (stand-ins are built from Debian packages when the bundling machine had
no registry; `docker image inspect` shows their `dockercourse.standin` label):

{images}

Wheels: `wheels/host/` for Python {host_pythons} on Linux x86_64 (`requirements.txt` and
`sample_app/requirements.txt`, with pip and setuptools); `wheels/image/` for the images' Python
{image_python}. On macOS or Windows, use the course image instead (README, "The course image").
"""


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _course_archive(destination: Path) -> str:
    """The course's files as they are now: what git tracks or would track (not what .gitignore ignores), and the
    slide decks (build/slides: the instructor presents from the bundle, offline)."""
    from ..tooling.slides import SLIDES_DIR, build

    build(SLIDES_DIR)
    if not (REPO_DIR / ".git").exists():
        raise CourseError("make bundle needs the course as a git checkout (it packs the files git knows)")
    listing = run_step(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], "`git ls-files`",
                       RETRY, cwd=REPO_DIR).stdout
    with tarfile.open(destination, "w:gz") as archive:
        for name in sorted(set(filter(None, listing.split("\0")))):
            if (REPO_DIR / name).is_file():  # a file deleted but not yet committed is listed too
                archive.add(REPO_DIR / name, arcname=f"dockercourse/{name}")
        archive.add(SLIDES_DIR, arcname=f"dockercourse/{SLIDES_DIR.relative_to(REPO_DIR).as_posix()}")
    return run_step(["git", "describe", "--always", "--dirty"], "`git describe`", RETRY, cwd=REPO_DIR).stdout.strip()


def _save_images(destination: Path, names: list[str]) -> None:
    """`docker save` of every image, gzip-compressed (`docker load` reads it as it is)."""
    tar = destination.with_suffix("")  # images.tar beside images.tar.gz, removed once compressed
    try:
        docker("save", "-o", str(tar), *names, timeout=1800)
        run_step(["gzip", "-1", "--force", str(tar)], f"gzip {tar.name}", "check the free disk space, then run "
                 "`make bundle` again")
        destination.chmod(0o644)  # `docker save -o` writes for its owner only; a stack's lab reads it as learner
    except CourseError as error:
        raise CourseError(f"`docker save {' '.join(names)}` failed ({error}): check the free disk space, "
                          "then run `make bundle` again") from None
    finally:
        tar.unlink(missing_ok=True)


def _platform_options() -> list[str]:
    from packaging.tags import platform_tags  # the venv's packaging; bundling runs in .venv

    return [option for tag in platform_tags() for option in ("--platform", tag)]


def _download_wheels(destination: Path, requirements: list[str], python: str | None, extra: list[str]) -> None:
    """pip download of binary wheels for one Python (None: the running one) into destination."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(destination)]
    if python is not None:
        command += ["--only-binary=:all:", "--python-version", python, *_platform_options()]
    for requirement in requirements:
        command += ["-r", str(REPO_DIR / requirement)]
    run_step([*command, *extra], f"pip download for Python {python or sys.version.split()[0]}", RETRY)


def image_python() -> str:
    """The Python version inside the course's images, from the manifest's Python image tag."""
    return re.search(r":(\d+\.\d+)", manifest_image("python").name).group(1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _checksums(directory: Path) -> dict[str, str]:
    """SHA-256 of every file in the bundle, by its path inside it."""
    return {path.relative_to(directory).as_posix(): _sha256(path)
            for path in sorted(directory.rglob("*")) if path.is_file() and path.name != CHECKSUMS}


def _image_rows(names: list[str]) -> str:
    rows = []
    for name in names:
        inspected = inspect_image(name)
        kind = "course image" if name == course_image_name() else image_kind(inspected)
        rows.append(f"- `{name}` ({kind}, {inspected['Size'] / 1e6:.0f} MB on disk)")
    return "\n".join(rows)


def make_bundle(directory: Path) -> None:
    """Write the bundle to a fresh directory (built beside it, so a failure leaves no half bundle).

    Only a new or empty directory, or an earlier bundle (it has SHA256SUMS), is replaced."""
    started = time.monotonic()
    if directory.exists() and any(directory.iterdir()) and not (directory / CHECKSUMS).exists():
        raise CourseError(f"{directory} holds other files, which make bundle would replace: "
                          "choose a new or empty directory (BUNDLE=…)")
    names = [*image_names(), course_image_name()]
    missing = [name for name in names if inspect_image(name) is None]
    if missing:
        raise CourseError(f"the engine lacks {', '.join(missing)}: run `make images course-image` first")
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    print(f"bundle: the course's files → {COURSE_ARCHIVE}", flush=True)
    revision = _course_archive(partial / COURSE_ARCHIVE)
    print(f"bundle: docker save {' '.join(names)} → {IMAGES_ARCHIVE}", flush=True)
    _save_images(partial / IMAGES_ARCHIVE, names)
    pythons = [None, *[python for python in HOST_PYTHONS if not sys.version.startswith(python + ".")]]
    host_python = sys.version.split()[0]
    print(f"bundle: wheels for Python {host_python}, {', '.join(pythons[1:])} → {HOST_WHEELS}", flush=True)
    for python in pythons:
        _download_wheels(partial / HOST_WHEELS, REQUIREMENTS, python, ["pip", "setuptools"])
    # The shell-less (distroless) base's Python is Debian 13's (its manifest entry says which): chapter 09 installs
    # wheels for it in a build stage.
    image_pythons = sorted({image_python(), manifest_image("gcr.io/distroless/python3-debian13").standin.provides})
    print(f"bundle: wheels for the images' Python {', '.join(image_pythons)} → {IMAGE_WHEELS}", flush=True)
    for python in image_pythons:  # the slim base's; the shell-less base's (chapter 09 builds for it)
        _download_wheels(partial / IMAGE_WHEELS, ["sample_app/requirements.txt", "sample_app/requirements-metrics.txt",
                                                  "sample_app/requirements-test.txt"], python, ["uv==0.13.9"])
    parts = [(COURSE_ARCHIVE, "the course (notebooks, sample app, Makefile, helper package, slides)"),
             (IMAGES_ARCHIVE, "`docker save` of the images below, gzip-compressed"),
             (HOST_WHEELS, "wheels for the course's virtualenv"),
             (IMAGE_WHEELS, "wheels for `pip install` inside the images")]
    rows = "\n".join(f"| `{name}` | {what} | {_size(partial / name) / 1e6:.1f} MB |" for name, what in parts)
    (partial / "README.md").write_text(ROOM_README.format(
        made=time.strftime("%Y-%m-%d"), revision=revision, platform_name=f"Linux {os.uname().machine}",
        rows=rows, python_image=manifest_image("python").name, image_wheel_dir=IMAGE_WHEEL_DIR,
        room_label=ROOM_LABEL, images=_image_rows(names), host_pythons=", ".join([host_python, *pythons[1:]]),
        image_python=image_python()))
    sums = _checksums(partial)
    (partial / CHECKSUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    for name, _ in [*parts, ("README.md", ""), (CHECKSUMS, "")]:
        print(f"  {name:<16} {_size(directory / name) / 1e6:8.1f} MB")
    print(f"bundle: {directory} ({_size(directory) / 1e6:.0f} MB, {len(sums) + 1} files) "
          f"written in {time.monotonic() - started:.0f} s")


def verify_bundle(directory: Path) -> None:
    """Every file listed in SHA256SUMS is there, unchanged."""
    listing = directory / CHECKSUMS
    if not listing.exists():
        raise CourseError(f"{directory} has no {CHECKSUMS}: point BUNDLE at the directory `make bundle` wrote")
    expected = dict(reversed(line.split("  ", 1)) for line in listing.read_text().splitlines() if line)
    # Only the listed files: the course may be unpacked beside them, with its .venv.
    damaged = sorted(name for name, digest in expected.items()
                     if not (directory / name).is_file() or _sha256(directory / name) != digest)
    if damaged:
        raise CourseError(f"{len(damaged)} file(s) of the bundle are missing or damaged ({damaged[0]}, …): "
                          "copy the bundle again")


def room_copy(directory: Path) -> str:
    """Rebuild the Python image as the room copy: pip inside builds installs from the bundle's wheels only."""
    name = manifest_image("python").name
    with tempfile.TemporaryDirectory() as context:
        shutil.copytree(directory / IMAGE_WHEELS, Path(context, "wheels"))
        Path(context, "pip.conf").write_text(IMAGE_PIP_CONF)
        Path(context, "Dockerfile").write_text(
            f"FROM {name}\nCOPY wheels/ {IMAGE_WHEEL_DIR}/\nCOPY pip.conf /etc/pip.conf\n"
            f'LABEL {ROOM_LABEL}="pip installs from {IMAGE_WHEEL_DIR} only (/etc/pip.conf)"\n')
        docker("build", "--quiet", "-t", name, context, timeout=300)
    return name


def load_bundle(directory: Path) -> None:
    """Check the bundle, load its images, and make the room copy of the Python image."""
    started = time.monotonic()
    require_engine()
    print(f"bundle-load: checking {CHECKSUMS} …", flush=True)
    verify_bundle(directory)
    print(f"bundle-load: docker load -i {IMAGES_ARCHIVE} …", flush=True)
    loaded = docker("load", "--quiet", "-i", str(directory / IMAGES_ARCHIVE), timeout=900).stdout
    for line in loaded.splitlines():
        print(f"  {line}")
    python = room_copy(directory)
    print(f"bundle-load: {python} is now the room copy (pip from {IMAGE_WHEEL_DIR} only; "
          "`make images` on a network replaces it)")
    print(f"bundle-load: images ready in {time.monotonic() - started:.0f} s")
