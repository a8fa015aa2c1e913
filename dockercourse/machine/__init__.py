"""Setting up a machine for the course: an engine, the manifest's images (pulled or stand-ins), the course
image, the doctor, ``make lab``, the offline workshop bundle, an engine in a container.

Nothing here is what a chapter teaches; chapters call only the doctor (chapter 00).
"""

import subprocess

from .. import CourseError


def run_step(command: list[str], what: str, hint: str = "rerun `make images`",
             **options) -> subprocess.CompletedProcess:
    """Run one step of making images or a bundle; on failure, one line: what failed, its last words, the hint."""
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] or ["no message"]
        raise CourseError(f"{what} failed ({tail[0]}): {hint}")
    return result
