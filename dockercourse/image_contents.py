"""What is inside an image: how many files, how many bytes, and whether it has a shell.

Used by: chapter 09 (section 5, the slim base against the shell-less one), from its check cells.
The files are counted from `docker export` of a created (never started) container, which works
for an image without a shell or `find`, and on any engine, local or remote.
"""

import subprocess
import tarfile
import uuid

from . import LABEL, CourseError
from .engine import docker

SHELLS = ("bin/sh", "bin/bash", "bin/dash", "usr/bin/sh", "usr/bin/bash", "usr/bin/dash")


def filesystem(image: str, creator: str) -> dict:
    """{"files": regular files, "bytes": their total size, "shell": a shell is there} of an image."""
    name = f"course{creator}-count-{uuid.uuid4().hex[:6]}"
    docker("create", "--name", name, "--label", f"{LABEL}={creator}", image)
    try:
        export = subprocess.Popen(["docker", "export", name], stdout=subprocess.PIPE)
        files = size = 0
        names = set()
        with tarfile.open(fileobj=export.stdout, mode="r|") as archive:
            for member in archive:
                names.add(member.name.lstrip("./"))
                if member.isfile():
                    files += 1
                    size += member.size
        if export.wait() != 0:
            raise CourseError(f"`docker export {name}` failed: check the engine, then run the cell again")
    finally:
        docker("rm", "--volumes", name, check=False)
    return {"files": files, "bytes": size, "shell": any(shell in names for shell in SHELLS)}
