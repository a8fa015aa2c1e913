"""How much memory a running container uses, as `docker stats` reports it, in bytes.

Used by: chapter 01 (section 7: its check cell and its plot of containers against documented VMs; Exercise 1.3's
checker, which compares three containers' use).
"""

import re

from . import CourseError
from .engine import docker

#: The binary units `docker stats` prints memory in (its MEM USAGE / LIMIT column).
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
AMOUNT = re.compile(r"([\d.]+)\s*([KMGT]?i?B)")


def to_bytes(text: str) -> int:
    """`9.867MiB` → 10346299: one amount of `docker stats`' MEM USAGE / LIMIT column, in bytes."""
    match = AMOUNT.fullmatch(text.strip())
    if match is None or match.group(2) not in UNITS:
        raise CourseError(f"{text!r} is not an amount of memory as docker stats prints it (e.g. 9.867MiB)")
    return round(float(match.group(1)) * UNITS[match.group(2)])


def memory_usage(container: str) -> tuple[int, int]:
    """(bytes used, bytes it may use at most): `docker stats --no-stream --format '{{.MemUsage}}' CONTAINER`."""
    usage = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container).stdout.strip()
    used, _, ceiling = usage.partition("/")
    return to_bytes(used), to_bytes(ceiling)
