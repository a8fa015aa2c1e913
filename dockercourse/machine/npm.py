"""Packages from npm (Node.js 20+), each installed on first use into a folder of its own under build/npm/, at the
version its user pins: the workshop server's proxy, the dev container's CLI, reveal.js for the slides."""

import shutil
import subprocess
from pathlib import Path

from .. import REPO_DIR, CourseError

NPM_DIR = REPO_DIR / "build" / "npm"


def npm_package(name: str, version: str, needed_for: str) -> Path:
    """The installed package's folder (``…/node_modules/NAME``), installed if need be; `needed_for` finishes the
    sentence "… needs npm" of the error a person reads when it cannot be."""
    prefix = NPM_DIR / f"{name.replace('/', '+')}@{version}"
    package = prefix / "node_modules" / name
    if (package / "package.json").exists():
        return package
    if shutil.which("npm") is None:
        raise CourseError(f"{needed_for} needs npm (Node.js 20+): install it (Debian: apt-get install npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    installed = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(prefix),
                                f"{name}@{version}"], capture_output=True, text=True)
    if installed.returncode != 0 or not (package / "package.json").exists():
        raise CourseError(f"npm could not install {name}@{version} "
                          f"({(installed.stderr.strip().splitlines() or ['no message'])[-1]}): check npm's registry")
    return package


def npm_command(name: str, version: str, command: str, needed_for: str) -> str:
    """A command a package installs (``node_modules/.bin/COMMAND``), the package installed if need be."""
    npm_package(name, version, needed_for)
    return str(NPM_DIR / f"{name.replace('/', '+')}@{version}" / "node_modules" / ".bin" / command)
