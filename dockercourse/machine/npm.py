"""Commands from npm packages (Node.js 20+), each installed on first use into a folder of its own under
build/npm/, at the version its user pins: the workshop server's proxy, the dev container's CLI."""

import shutil
import subprocess

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
