"""The course image (the top-level Dockerfile): JupyterLab, the chapters and the helper package in one image,
rebuilt only when its inputs change (the files `docker build` sends and the base image, hashed into a label).

Used by: ``make course-image``, the bundle, the doctor's workshop table, tests/test_course_image.py.
"""

import hashlib
import os
import re
import tomllib
from pathlib import Path

from .. import LABEL, REPO_DIR, CourseError
from ..engine import docker
from ..manifest import image_labels, inspect_image

# The course image (top-level Dockerfile), tagged with the course's version from pyproject.toml.
COURSE_IMAGE_REPOSITORY = "dockercourse/lab"
COURSE_IMAGE_LABEL = f"{LABEL}.course-image"
# A hash of everything the course image is built from: the same hash means the same image, no rebuild.
COURSE_IMAGE_INPUTS_LABEL = f"{LABEL}.course-image.inputs"
COURSE_IMAGE_LOG = REPO_DIR / "build" / "course-image.log"


def course_image_name() -> str:
    with (REPO_DIR / "pyproject.toml").open("rb") as pyproject:
        version = tomllib.load(pyproject)["project"]["version"]
    return f"{COURSE_IMAGE_REPOSITORY}:{version}"


def _dockerignore_patterns(context: Path) -> list[re.Pattern] | None:
    """The context's .dockerignore as regular expressions over relative paths; None if it re-includes
    files (a `!` line), which this reading does not follow: then every file counts as an input."""
    lines = [line.strip() for line in (context / ".dockerignore").read_text().splitlines()]
    patterns = [line.strip("/") for line in lines if line and not line.startswith("#")]
    if any(pattern.startswith("!") for pattern in patterns):
        return None
    def component(part: str) -> str:
        return "(?:[^/]+/)*" if part == "**" else re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "/"
    return [re.compile("".join(component(part) for part in pattern.split("/"))) for pattern in patterns]


def build_inputs(context: Path = REPO_DIR) -> list[Path]:
    """The files `docker build` sends from `context` (what .dockerignore keeps), sorted."""
    patterns = _dockerignore_patterns(context) or []
    def ignored(relative: str) -> bool:  # a pattern that matches a directory also drops what is under it
        return any(pattern.fullmatch(relative + "/") for pattern in patterns)
    inputs = []
    for directory, subdirectories, files in os.walk(context):
        relative_dir = Path(directory).relative_to(context)
        subdirectories[:] = sorted(sub for sub in subdirectories if not ignored((relative_dir / sub).as_posix()))
        inputs += [relative_dir / file for file in files if not ignored((relative_dir / file).as_posix())]
    return sorted(inputs)


def course_image_inputs() -> str:
    """A hash of the course image's inputs: its build context's files and its base image."""
    digest = hashlib.sha256()
    for relative in build_inputs():
        digest.update(f"{relative.as_posix()}\0".encode() + (REPO_DIR / relative).read_bytes() + b"\0")
    base = re.search(r"^FROM\s+(\S+)", (REPO_DIR / "Dockerfile").read_text(), re.MULTILINE)
    digest.update(str((inspect_image(base.group(1)) or {}).get("Id")).encode())
    return digest.hexdigest()[:16]


def build_course_image() -> str:
    """Build the course image from the top-level Dockerfile unless its inputs are unchanged; returns its
    name. Prints its size."""
    name = course_image_name()
    previous = inspect_image(name)
    inputs = course_image_inputs()
    if previous is not None and image_labels(previous).get(COURSE_IMAGE_INPUTS_LABEL) == inputs:
        print(f"course image: {name} is up to date (its inputs are unchanged), {previous['Size'] / 1e6:.0f} MB")
        return name
    print(f"course image: building {name} (log: {COURSE_IMAGE_LOG}) …", flush=True)
    COURSE_IMAGE_LOG.parent.mkdir(parents=True, exist_ok=True)
    built = docker("build", "--progress=plain", "--label", f"{COURSE_IMAGE_LABEL}={name}",
                   "--label", f"{COURSE_IMAGE_INPUTS_LABEL}={inputs}", "-t", name, str(REPO_DIR),
                   merge=True, check=False, timeout=1800)
    COURSE_IMAGE_LOG.write_text(built.stdout)
    if built.returncode != 0:
        raise CourseError(f"`docker build -t {name} .` failed: read {COURSE_IMAGE_LOG}, fix the Dockerfile "
                          "or the network (pip needs a package index), then run `make course-image` again")
    built_image = inspect_image(name)
    if previous is not None and previous["Id"] != built_image["Id"]:
        docker("image", "rm", previous["Id"], check=False)  # the build it replaced, now untagged
    print(f"course image: {name}, {built_image['Size'] / 1e6:.0f} MB on disk")
    return name


