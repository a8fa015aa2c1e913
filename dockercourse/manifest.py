"""The image manifest (``images.toml``): every image the course uses, pinned; read here and nowhere else.

Each image's stand-in recipe (how ``make images`` builds it from Debian's packages when no registry
answers) is part of its entry; building one is machine setup (``dockercourse.machine.standins``).

Used by: the checkers and chapters that name an image (``manifest_image("python").name``), the doctor,
``make images``, the bundle, the structure tests that keep every image name in the manifest.
"""

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import LABEL, PACKAGE_DIR, CourseError
from .engine import docker

MANIFEST = PACKAGE_DIR / "images.toml"
# The files a recipe copies into a stand-in (entrypoints, configs), relative to the package.
STANDIN_FILES = PACKAGE_DIR / "machine"
# Stand-ins carry these labels, not the course label itself: images and containers made FROM a
# stand-in inherit its labels, and a learner's own image must not look like the course's.
STANDIN_LABEL = f"{LABEL}.standin"
STANDIN_KEY_LABEL = f"{LABEL}.standin.key"  # the recipe's hash: a changed recipe means a rebuild
# A workshop room's copy of an image (``make bundle-load``): the bundle's image plus the room's
# pip configuration. Like a stand-in, it is replaced by the official image once a registry answers.
ROOM_LABEL = f"{LABEL}.room"
# Bump when the way stand-ins are made changes (trimming, PEP 668, labels), to rebuild them all.
STANDIN_FORMAT = "2"
# The host's extra CA certificates (a TLS-inspecting proxy's, a company's) go into every
# stand-in, so `pip install` inside a build works behind such a proxy.
HOST_EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")


#: The host's apt settings for reaching its package mirror that a stand-in copies: a mirror that serves a
#: snapshot of Debian (a company's artifact registry, this course's CI) has Release files past their
#: Valid-Until date, which apt then accepts only when told to, on the host and so inside the stand-in.
HOST_APT_CONF = Path("/etc/apt/apt.conf.d")
HOST_APT_SETTINGS = re.compile(r'^\s*Acquire::Check-(Valid-Until|Date)\s+"?false"?\s*;', re.M)


def host_certificates() -> list[Path]:
    return sorted(HOST_EXTRA_CA_DIR.rglob("*.crt")) if HOST_EXTRA_CA_DIR.is_dir() else []


def host_apt_settings() -> list[str]:
    """The host's apt settings that a stand-in copies (HOST_APT_SETTINGS), as lines."""
    files = sorted(path for path in HOST_APT_CONF.glob("*") if path.is_file()) if HOST_APT_CONF.is_dir() else []
    return sorted({match.group(0).strip() for path in files
                   for match in HOST_APT_SETTINGS.finditer(path.read_text(errors="replace"))})


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
    # Why the stand-in is built from another Debian release than the one its tag names (empty: the same one).
    other_release: str = ""

    def recipe(self) -> str:
        """One line that says how the stand-in is made (its label, and its cache key)."""
        removed = f"; removed {' '.join(self.remove)}" if self.remove else ""
        return (f"debootstrap --variant=minbase {self.debian} + {' '.join(self.packages)}{removed}; "
                f"provides {self.provides}; not the official image")

    def rootfs_key(self) -> str:
        """Hash of everything that goes into the root filesystem: names the cached tarball."""
        parts = [STANDIN_FORMAT, self.recipe(), *self.setup, json.dumps([self.links, self.files], sort_keys=True)]
        parts += [(STANDIN_FILES / source).read_text() for source in sorted(self.files.values())]
        parts += [path.read_text() for path in host_certificates()] + host_apt_settings()
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]

    def cache_key(self) -> str:
        """Hash of the root filesystem and the image config: labels the imported stand-in."""
        return hashlib.sha256("\n".join([self.rootfs_key(), *self.config]).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Image:
    name: str
    purpose: str
    official_compressed_mb: float | None
    standin: Standin
    # Why the tag names no version, for a publisher that tags none (the official image is pinned by digest).
    floating_tag: str | None = None

    @property
    def repository(self) -> str:
        """"python", "redis", "gcr.io/distroless/python3-debian13": the name without its tag."""
        return self.name.rsplit(":", 1)[0]


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
    found = [image for image in load_manifest() if image.repository == repository]
    if not found:
        raise CourseError(f"no image of {repository!r} in {MANIFEST.name}: add it there first")
    return found[0]


def python_minor() -> str:
    """The Python major.minor inside the course's Python image, from its manifest name ("3.14")."""
    return re.match(r"python:(\d+\.\d+)", manifest_image("python").name).group(1)


def inspect_image(name: str) -> dict | None:
    """`docker image inspect` of a local image, or None when the engine has no such image."""
    result = docker("image", "inspect", name, check=False)
    return json.loads(result.stdout)[0] if result.returncode == 0 else None


def image_labels(inspected: dict) -> dict:
    return (inspected.get("Config") or {}).get("Labels") or {}


def standin_recipe(inspected: dict) -> str | None:
    """How a local image was made if it is one of the course's stand-ins, else None."""
    return image_labels(inspected).get(STANDIN_LABEL)


def image_kind(inspected: dict) -> str:
    """What a manifest image in the engine is: "official", "stand-in" or "room copy"."""
    labels = image_labels(inspected)
    return "room copy" if ROOM_LABEL in labels else "stand-in" if STANDIN_LABEL in labels else "official"
