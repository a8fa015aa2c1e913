"""The dev container's reference implementation, @devcontainers/cli from npm, for the stack's tests.

Installed into build/devcontainer-cli/ on first use (npm, Node 20+), at the version below.
"""

import shutil
import subprocess

from .. import REPO_DIR, CourseError

CLI_VERSION = "0.89.0"
PREFIX = REPO_DIR / "build" / "devcontainer-cli"


def devcontainer_cli() -> str:
    """The `devcontainer` command, installed if need be."""
    command = PREFIX / "node_modules" / ".bin" / "devcontainer"
    if command.exists():
        return str(command)
    if shutil.which("npm") is None:
        raise CourseError("the dev container's tests need npm (Node.js 20+): install it (Debian: apt-get install npm)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    installed = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(PREFIX),
                                f"@devcontainers/cli@{CLI_VERSION}"], capture_output=True, text=True)
    if installed.returncode != 0 or not command.exists():
        raise CourseError(f"npm could not install @devcontainers/cli@{CLI_VERSION} "
                          f"({(installed.stderr.strip().splitlines() or ['no message'])[-1]}): check npm's registry")
    return str(command)
