"""Packages from npm, at the version their user pins, kept under build/npm/: commands (Node.js 20+), each
installed on first use into a folder of its own — the workshop server's proxy, the dev container's CLI — and
browser files, a package's tarball checked against the integrity npm published — reveal.js for the slides,
axe-core for the site's accessibility test. Neither needs npm's registry again once there."""

import base64
import hashlib
import shutil
import subprocess
import urllib.request
from pathlib import Path

from .. import REPO_DIR, CourseError

NPM_DIR = REPO_DIR / "build" / "npm"


def npm_command(name: str, version: str, command: str, needed_for: str) -> str:
    """The path of a command a package installs (``node_modules/.bin/COMMAND``), installing the package if need
    be; `needed_for` begins the sentence "… needs npm" of the error a person reads when it cannot be."""
    prefix = NPM_DIR / f"{name.replace('/', '+')}@{version}"
    installed_command = prefix / "node_modules" / ".bin" / command
    if installed_command.exists():
        return str(installed_command)
    if shutil.which("npm") is None:
        raise CourseError(f"{needed_for} needs npm (Node.js 20+): install it (Debian: apt-get install npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    installed = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(prefix),
                                f"{name}@{version}"], capture_output=True, text=True)
    if installed.returncode != 0 or not installed_command.exists():
        raise CourseError(f"npm could not install {name}@{version} "
                          f"({(installed.stderr.strip().splitlines() or ['no message'])[-1]}): check npm's registry")
    return str(installed_command)


def npm_tarball(name: str, version: str, integrity: str, needed_for: str) -> Path:
    """A package's tarball from npm's registry, downloaded once into build/npm/ and checked against `integrity`
    (the registry's `dist.integrity`); `needed_for` begins the error's sentence ("the slides need …")."""
    cached = NPM_DIR / f"{name}-{version}.tgz"
    if cached.exists():
        return cached
    url = f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            tarball = answer.read()
    except OSError as error:
        raise CourseError(f"{needed_for} {name} from npm's registry ({error}): check the network, or copy "
                          f"{url} to {cached}") from None
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != integrity:
        raise CourseError(f"{url} is not the package npm published ({digest}): do not use it; check the "
                          "network's proxy, then try again")
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(tarball)
    return cached
