"""What is inside an image: how many files, how many bytes, and whether it has a shell.

Used by: chapter 09 (section 5, the slim base against the shell-less one), from its check cells.
The files are counted from `docker export` of a created (never started) container, which works
for an image without a shell or `find`, and on any engine, local or remote.
"""

import tarfile
import tempfile
import uuid
from pathlib import Path

from . import LABEL
from .engine import docker

SHELLS = ("bin/sh", "bin/bash", "bin/dash", "usr/bin/sh", "usr/bin/bash", "usr/bin/dash")


def filesystem(image: str, creator: str) -> dict:
    """{"files": regular files, "bytes": their total size, "shell": a shell is there} of an image."""
    name = f"course{creator}-count-{uuid.uuid4().hex[:6]}"
    docker("create", "--name", name, "--label", f"{LABEL}={creator}", image)
    try:
        with tempfile.TemporaryDirectory() as directory:
            archive_path = Path(directory) / "filesystem.tar"
            docker("export", "-o", str(archive_path), name, timeout=300)
            files = size = 0
            names = set()
            with tarfile.open(archive_path) as archive:
                for member in archive:
                    names.add(member.name.lstrip("./"))
                    if member.isfile():
                        files += 1
                        size += member.size
    finally:
        docker("rm", "--volumes", name, check=False)
    return {"files": files, "bytes": size, "shell": any(shell in names for shell in SHELLS)}
