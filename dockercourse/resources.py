"""The course label: finding, removing and auditing what the course created in the engine.

Used by: every chapter's first and last cells (through ``dockercourse.chapter``), ``make clean``,
and the leak check at the end of ``make test``.
"""

import json

from . import LABEL, CourseError
from .engine import docker
from .wait import TimedOut, until

# Removal order matters: containers hold networks, volumes and images.
KINDS = ("container", "network", "volume", "image")
# With the containerd image store, `docker ps --all` fails while another container is being removed
# (its filesystem is gone, its record not yet): a moment later the listing works, so it is tried again.
REMOVED_MEANWHILE = "rw layer snapshot not found"
LISTING_RETRY_S = 3


def _label_filter(creator: str | None) -> str:
    return f"label={LABEL}" if creator is None else f"label={LABEL}={creator}"


def labelled(kind: str, creator: str | None = None) -> list[dict]:
    """Resources of one kind that carry the course label (of one creator, if given)."""
    listing = "ls" if kind != "container" else "ps"
    extra = ["--all"] if kind in ("container", "image") else []
    command = (kind, listing, *extra, "--filter", _label_filter(creator), "--format", "{{json .}}")
    def listed():
        answer = docker(*command, check=False)
        return answer if REMOVED_MEANWHILE not in answer.stderr else None

    try:
        result = until(listed, LISTING_RETRY_S, every=0.5, what="a listing of the engine's resources")
    except TimedOut as timed_out:
        result = timed_out.last or docker(*command, check=False)
    if result.returncode != 0:
        result = docker(*command)  # once more, to fail with docker's own message
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _identity(kind: str, row: dict) -> str:
    return row["Name"] if kind == "volume" else row["ID"]


def _describe(kind: str, row: dict) -> str:
    if kind == "image":  # `docker image ls` does not list labels
        return f"image {row['Repository']}:{row['Tag']} ({row['ID']})"
    labels = dict(pair.split("=", 1) for pair in row.get("Labels", "").split(",") if "=" in pair)
    return f"{kind} {row.get('Names') or row.get('Name')} (created by {LABEL}={labels.get(LABEL, '')})"


def remove_labelled(creator: str | None = None) -> int:
    """Remove every labelled container (with its anonymous volumes), network, volume and image.

    Only what carries the course label (of one creator, if given). The manifest's stand-in images
    carry other labels (dockercourse.standin…), so they stay. Returns how many were removed; raises
    with the leftovers when something could not be removed.
    """
    removed = 0
    for kind in KINDS:
        ids = list(dict.fromkeys(_identity(kind, row) for row in labelled(kind, creator)))
        if ids:
            options = {"container": ["--force", "--volumes"], "image": ["--force"]}.get(kind, [])
            # Not checked: a container started with --rm may vanish in between; what is left is listed below.
            docker(kind, "rm", *options, *ids, check=False)
            removed += len(ids)
    left = [_describe(kind, row) for kind in KINDS for row in labelled(kind, creator)]
    if left:
        raise CourseError(f"could not remove {', '.join(left)}: stop whatever uses them, then run `make clean`")
    return removed


def leftovers() -> list[str]:
    """Labelled resources that should not exist after the suite (the stand-ins carry other labels)."""
    return [_describe(kind, row) for kind in KINDS for row in labelled(kind)]
