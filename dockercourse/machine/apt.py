"""Debian and Ubuntu packages, installed as root, each apt-get's output in one log.

Used by: the engine (``make engine``), the stand-ins (debootstrap), ``make bench`` (wrk), ``make browser`` (chromium).
"""

import os
import shutil
import subprocess
from pathlib import Path

from .. import CourseError

APT_LOG = Path("/var/log/dockercourse-apt.log")


def apt_get(arguments: list[str], purpose: str) -> None:
    """One apt-get command (as root); its output goes to APT_LOG, a failure ends in one line."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise CourseError(f"{purpose} needs `apt-get {' '.join(arguments)}` as root on Debian/Ubuntu: "
                          "run it (or install the same yourself), then try again")
    # Another apt-get (the stand-ins' debootstrap beside the engine's install, under `make lab`) waits its turn.
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=600", *arguments]
    with APT_LOG.open("a") as log:
        if subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                          env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")).returncode != 0:
            raise CourseError(f"`{' '.join(command)}` failed (for {purpose}): read {APT_LOG}, fix the "
                              "package source, then try again")


def apt_install(packages: list[str], purpose: str, update: bool = True) -> None:
    """Install Debian/Ubuntu packages (as root), with fresh package lists unless told otherwise."""
    if update:
        apt_get(["update", "-q"], purpose)
    apt_get(["install", "-y", "-q", "--no-install-recommends", *packages], purpose)
