"""Stand-ins: the manifest's images built from Debian's packages, under the official names, when no
registry answers (an offline room, an air-gapped network, this course's CI).

A stand-in is a ``debootstrap --variant=minbase`` root filesystem with the recipe's packages, made to
behave like the official image (its config, PEP 668 lifted, the host's extra CA certificates), imported
with ``docker import``, checked for its version, and labelled with how it was made. Its root filesystem
is cached under ~/.cache/dockercourse/standins, so a second build on the same machine takes seconds.

Used by: ``make images`` (dockercourse.machine.images).
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import CourseError
from ..engine import docker
from ..manifest import (
    MANIFEST,
    STANDIN_FILES,
    STANDIN_KEY_LABEL,
    STANDIN_LABEL,
    Image,
    Standin,
    host_apt_settings,
    host_certificates,
)
from . import run_step
from .apt import apt_install

DEBIAN_MIRROR = "http://deb.debian.org/debian"
TRIMMED_DIRS = ["usr/share/doc", "usr/share/man", "usr/share/info", "var/lib/apt/lists", "var/cache/apt"]


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "dockercourse" / "standins"


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
    settings = host_apt_settings()
    if settings:  # apt inside the stand-in reaches the host's mirror as the host's apt does
        (rootfs / "etc/apt/apt.conf.d/99dockercourse-host-mirror").write_text("\n".join(settings) + "\n")
    for command in standin.setup:
        run_step(["chroot", str(rootfs), "sh", "-c", command], f"`{command}` in the stand-in")
    # Official python images let pip install into the system interpreter; Debian's refuses (PEP 668).
    for marker in rootfs.glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
        marker.unlink()
    for link, target in standin.links.items():
        (rootfs / link.lstrip("/")).symlink_to(target)
    for destination, source in standin.files.items():
        (rootfs / destination.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(STANDIN_FILES / source, rootfs / destination.lstrip("/"))
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


def standin_tarball(image: Image) -> Path:
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
    tarball = standin_tarball(image)
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
