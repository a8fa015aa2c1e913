"""The image manifest, and stand-ins for its images when no registry answers (``make images``).

Used by: ``make images`` (a step of ``make lab`` and ``make test``), the doctor (chapter 00),
the leak check, and the structure tests that keep every image name in the manifest.
"""

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import LABEL, PACKAGE_DIR, REPO_DIR, CourseError
from .engine import apt_install, docker

MANIFEST = PACKAGE_DIR / "images.toml"
COURSE_IMAGE_LOG = REPO_DIR / "build" / "course-image.log"
# Stand-ins carry these labels, not the course label itself: images and containers made FROM a
# stand-in inherit its labels, and a learner's own image must not look like the course's.
STANDIN_LABEL = f"{LABEL}.standin"
STANDIN_KEY_LABEL = f"{LABEL}.standin.key"  # the recipe's hash: a changed recipe means a rebuild
# A workshop room's copy of an image (``make bundle-load``): the bundle's image plus the room's
# pip configuration. Like a stand-in, it is replaced by the official image once a registry answers.
ROOM_LABEL = f"{LABEL}.room"
# The course image (top-level Dockerfile), tagged with the course's version from pyproject.toml.
COURSE_IMAGE_REPOSITORY = "dockercourse/lab"
COURSE_IMAGE_LABEL = f"{LABEL}.course-image"
# A hash of everything the course image is built from: the same hash means the same image, no rebuild.
COURSE_IMAGE_INPUTS_LABEL = f"{LABEL}.course-image.inputs"
# Bump when the way stand-ins are made changes (trimming, PEP 668, labels), to rebuild them all.
STANDIN_FORMAT = "2"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# The host's extra CA certificates (a TLS-inspecting proxy's, a company's) go into every
# stand-in, so `pip install` inside a build works behind such a proxy.
HOST_EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")
TRIMMED_DIRS = ["usr/share/doc", "usr/share/man", "usr/share/info", "var/lib/apt/lists", "var/cache/apt"]
PULL_TIMEOUT_S = 600
# Words in `docker pull`'s error that mean the registry answered "no such image" (a wrong name);
# any other failure means no registry is usable (offline, firewall, TLS proxy, rate limit).
NAME_ERRORS = ("manifest unknown", "not found", "pull access denied", "unauthorized", "invalid reference format")


@dataclass(frozen=True)
class Standin:
    debian: str
    packages: list[str]
    provides: str
    version_command: list[str]
    config: list[str]
    setup: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    # Paths (globs, relative to /) deleted after setup, links and files: e.g. the shells of a
    # shell-less image (chapter 09). Setup commands still run with the shell, before it goes.
    remove: list[str] = field(default_factory=list)

    def recipe(self) -> str:
        """One line that says how the stand-in is made (its label, and its cache key)."""
        removed = f"; removed {' '.join(self.remove)}" if self.remove else ""
        return (f"debootstrap --variant=minbase {self.debian} + {' '.join(self.packages)}{removed}; "
                f"provides {self.provides}; not the official image")

    def rootfs_key(self) -> str:
        """Hash of everything that goes into the root filesystem: names the cached tarball."""
        parts = [STANDIN_FORMAT, self.recipe(), *self.setup, json.dumps([self.links, self.files], sort_keys=True)]
        parts += [(PACKAGE_DIR / source).read_text() for source in sorted(self.files.values())]
        parts += [path.read_text() for path in host_certificates()]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]

    def cache_key(self) -> str:
        """Hash of the root filesystem and the image config: labels the imported stand-in."""
        return hashlib.sha256("\n".join([self.rootfs_key(), *self.config]).encode()).hexdigest()[:12]


def host_certificates() -> list[Path]:
    return sorted(HOST_EXTRA_CA_DIR.rglob("*.crt")) if HOST_EXTRA_CA_DIR.is_dir() else []


@dataclass(frozen=True)
class Image:
    name: str
    purpose: str
    official_compressed_mb: float | None
    standin: Standin
    # Why the tag names no version, for a publisher that tags none (the official image is pinned by digest).
    floating_tag: str | None = None


def load_manifest(path: Path = MANIFEST) -> list[Image]:
    data = tomllib.loads(path.read_text())
    return [Image(name=entry["name"], purpose=entry["purpose"],
                  official_compressed_mb=entry.get("official_compressed_mb"),
                  standin=Standin(**entry["standin"]), floating_tag=entry.get("floating_tag"))
            for entry in data["image"]]


def image_names() -> list[str]:
    return [image.name for image in load_manifest()]


def manifest_image(repository: str) -> Image:
    """The manifest's image of one repository, e.g. manifest_image("python")."""
    return next(image for image in load_manifest() if image.name.split(":")[0] == repository)


def inspect_image(name: str) -> dict | None:
    """`docker image inspect` of a local image, or None when the engine has no such image."""
    result = docker("image", "inspect", name, check=False)
    return json.loads(result.stdout)[0] if result.returncode == 0 else None


def _labels(inspected: dict) -> dict:
    return (inspected.get("Config") or {}).get("Labels") or {}


def standin_recipe(inspected: dict) -> str | None:
    """How a local image was made if it is one of the course's stand-ins, else None."""
    return _labels(inspected).get(STANDIN_LABEL)


def image_kind(inspected: dict) -> str:
    """What a manifest image in the engine is: "official", "stand-in" or "room copy"."""
    labels = _labels(inspected)
    return "room copy" if ROOM_LABEL in labels else "stand-in" if STANDIN_LABEL in labels else "official"


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
    if previous is not None and _labels(previous).get(COURSE_IMAGE_INPUTS_LABEL) == inputs:
        print(f"course image: {name} is up to date (its inputs are unchanged), {previous['Size'] / 1e6:.0f} MB")
        return name
    print(f"course image: building {name} (log: {COURSE_IMAGE_LOG}) …", flush=True)
    COURSE_IMAGE_LOG.parent.mkdir(parents=True, exist_ok=True)
    with COURSE_IMAGE_LOG.open("w") as log:
        built = subprocess.run(["docker", "build", "--progress=plain", "--label", f"{COURSE_IMAGE_LABEL}={name}",
                                "--label", f"{COURSE_IMAGE_INPUTS_LABEL}={inputs}",
                                "-t", name, str(REPO_DIR)], stdout=log, stderr=subprocess.STDOUT)
    if built.returncode != 0:
        raise CourseError(f"`docker build -t {name} .` failed: read {COURSE_IMAGE_LOG}, fix the Dockerfile "
                          "or the network (pip needs a package index), then run `make course-image` again")
    built_image = inspect_image(name)
    if previous is not None and previous["Id"] != built_image["Id"]:
        docker("image", "rm", previous["Id"], check=False)  # the build it replaced, now untagged
    print(f"course image: {name}, {built_image['Size'] / 1e6:.0f} MB on disk")
    return name


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


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "dockercourse" / "standins"


def run_step(command: list[str], what: str, hint: str = "rerun `make images`",
             **options) -> subprocess.CompletedProcess:
    """Run one step of making images or a bundle; on failure, one line: what failed, its last words, the hint."""
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] or ["no message"]
        raise CourseError(f"{what} failed ({tail[0]}): {hint}")
    return result


def _ensure_debootstrap() -> None:
    if shutil.which("debootstrap"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise CourseError("building offline stand-ins needs root and `debootstrap` (Debian/Ubuntu): "
                          "run `sudo make images`, or go online so the official images can be pulled")
    apt_install(["debootstrap", "debian-archive-keyring"], "building offline stand-ins")


def _debootstrap_script(release: str) -> list[str]:
    """debootstrap's script argument: none for a release it knows, else sid's.

    An older debootstrap does not know a newer release's name (Debian 12's has no forky), but its
    scripts for trixie and testing are links to sid's, and so is every newer release's.
    """
    scripts = Path(os.environ.get("DEBOOTSTRAP_DIR", "/usr/share/debootstrap")) / "scripts"
    return [] if (scripts / release).exists() or not (scripts / "sid").exists() else ["sid"]


def _make_rootfs(standin: Standin, rootfs: Path) -> None:
    """debootstrap the stand-in's Debian release with its packages, then make it behave like the official image."""
    packages = ",".join(["ca-certificates", *standin.packages])
    run_step(["debootstrap", "--variant=minbase", f"--include={packages}", standin.debian, str(rootfs),
              DEBIAN_MIRROR, *_debootstrap_script(standin.debian)], f"debootstrap of Debian {standin.debian}",
             f"check that {DEBIAN_MIRROR} is reachable, then rerun `make images`")
    for certificate in host_certificates():
        shutil.copy(certificate, rootfs / "usr/local/share/ca-certificates" / certificate.name)
    run_step(["chroot", str(rootfs), "update-ca-certificates"], "update-ca-certificates in the stand-in")
    for command in standin.setup:
        run_step(["chroot", str(rootfs), "sh", "-c", command], f"`{command}` in the stand-in")
    # Official python images let pip install into the system interpreter; Debian's refuses (PEP 668).
    for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    for link, target in standin.links.items():
        (rootfs / link.lstrip("/")).symlink_to(target)
    for destination, source in standin.files.items():
        shutil.copy(PACKAGE_DIR / source, rootfs / destination.lstrip("/"))
    remove_paths(rootfs, standin.remove)
    for trimmed in TRIMMED_DIRS:
        for child in (rootfs / trimmed).glob("*"):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def remove_paths(rootfs: Path, patterns: list[str]) -> list[Path]:
    """Delete what the globs match inside rootfs (links themselves, not their targets); returns what went.

    A pattern that matches nothing is an error: the recipe names a path the packages no longer ship.
    """
    removed = []
    for pattern in patterns:
        matches = sorted(rootfs.glob(pattern.lstrip("/")))
        if not matches:
            raise CourseError(f"the stand-in has nothing at {pattern!r} to remove: fix `remove` in {MANIFEST.name}")
        for path in matches:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            removed.append(path)
    return removed


def _slug(image: Image) -> str:
    return image.name.replace(":", "_").replace("/", "_")


def _tarball_path(image: Image) -> Path:
    return cache_dir() / f"{_slug(image)}-{image.standin.rootfs_key()}.tar.gz"


def _standin_tarball(image: Image) -> Path:
    """The stand-in's root filesystem as a gzipped tar, built once per recipe and kept in the cache."""
    tarball = _tarball_path(image)
    if tarball.exists():
        return tarball
    for outdated in tarball.parent.glob(f"{_slug(image)}-*.tar.gz"):
        outdated.unlink()
    _ensure_debootstrap()
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tarball.parent) as work:
        rootfs = Path(work) / "rootfs"
        print(f"images: building a stand-in for {image.name} from Debian {image.standin.debian} "
              "packages (about a minute, once per machine) …", flush=True)
        _make_rootfs(image.standin, rootfs)
        partial = Path(work) / "rootfs.tar.gz"
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        with gzip.open(partial, "wb", compresslevel=6) as out:
            shutil.copyfileobj(tar.stdout, out)
        if tar.wait() != 0:
            raise CourseError(f"packing the stand-in for {image.name} failed: rerun `make images`")
        partial.replace(tarball)
    return tarball


def build_standin(image: Image) -> None:
    """Import the stand-in under a candidate tag, check its version, then give it the official name."""
    tarball = _standin_tarball(image)
    changes = [*image.standin.config, f"LABEL {STANDIN_LABEL}={json.dumps(image.standin.recipe())}",
               f"LABEL {STANDIN_KEY_LABEL}={image.standin.cache_key()}"]
    arguments = [argument for change in changes for argument in ("--change", change)]
    candidate = f"dockercourse-standin-candidate:{image.standin.cache_key()}"
    docker("import", *arguments, str(tarball), candidate, timeout=300)
    try:
        _check_version(image, candidate)
        docker("tag", candidate, image.name)
    finally:
        docker("image", "rm", candidate, check=False)  # only the candidate tag; the image stays if tagged


def _check_version(image: Image, tag: str) -> None:
    result = docker("run", "--rm", "--entrypoint", image.standin.version_command[0],
                    tag, *image.standin.version_command[1:], check=False)
    output = (result.stdout + result.stderr).strip()
    # "Python 3.13.5", "Redis server v=8.0.2 …", "registry … v2.8.3+ds1": the major.minor, then a dot.
    if not re.search(rf"(?<![\d.]){re.escape(image.standin.provides)}\.\d", output):
        raise CourseError(f"the stand-in for {image.name} reports {output[-120:]!r}, not "
                          f"{image.standin.provides}: fix its packages in {MANIFEST.name}")


def standin_compressed_mb(image: Image) -> float | None:
    tarball = _tarball_path(image)
    return tarball.stat().st_size / 1e6 if tarball.exists() else None


def ensure_images() -> list[tuple[Image, str]]:
    """Make every manifest image present: local, else pulled, else a stand-in. Returns (image, source)."""
    outcome, offline = [], None
    for image in load_manifest():
        local = inspect_image(image.name)
        kind = image_kind(local) if local is not None else None
        if kind == "official":
            outcome.append((image, "official, present"))
            continue
        # A stand-in or room copy left from an offline day is replaced as soon as a registry
        # answers; one failed pull is enough to know that none answers this time.
        reason = "no registry answered the pull before it"
        if offline is None:
            offline = reason = _pull(image.name)
        if offline is None:
            outcome.append((image, "official, pulled"))
            if local is not None:
                docker("image", "rm", local["Id"], check=False)  # the copy it replaced
        elif kind == "room copy":
            outcome.append((image, "room copy, present (no registry answers)"))
        elif local is not None and _labels(local).get(STANDIN_KEY_LABEL) == image.standin.cache_key():
            outcome.append((image, "stand-in, present (no registry answers)"))
        else:
            print(f"images: {image.name} cannot be pulled ({reason})", flush=True)
            build_standin(image)
            if local is not None:  # the outdated stand-in, now untagged; kept if a container still uses it
                docker("image", "rm", local["Id"], check=False)
            outcome.append((image, "stand-in, built (no registry answers)"))
    _print_table(outcome)
    return outcome


def _print_table(outcome: list[tuple[Image, str]]) -> None:
    print(f"{'image':<26} {'source':<40} {'on disk':>8} {'gzip':>8} {'official gzip':>14}")
    for image, source in outcome:
        size_mb = inspect_image(image.name)["Size"] / 1e6
        standin_gz = standin_compressed_mb(image) if source.startswith("stand-in") else None
        official = f"{image.official_compressed_mb:.1f} MB" if image.official_compressed_mb else "unknown"
        gz = f"{standin_gz:.1f} MB" if standin_gz else "-"
        print(f"{image.name:<26} {source:<40} {size_mb:6.1f} MB {gz:>8} {official:>14}")
