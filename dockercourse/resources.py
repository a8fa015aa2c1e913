"""The course label: finding, removing and auditing what the course created in the engine.

Used by: every chapter's first and last cells (``remove_labelled("NN")``), ``make clean``,
and the leak check at the end of ``make test``.
"""

import json

from . import LABEL, CourseError
from .engine import docker
from .images import image_names

# Removal order matters: containers hold networks, volumes and images.
KINDS = ("container", "network", "volume", "image")


def _label_filter(creator: str | None) -> str:
    return f"label={LABEL}" if creator is None else f"label={LABEL}={creator}"


def labelled(kind: str, creator: str | None = None) -> list[dict]:
    """Resources of one kind that carry the course label (of one creator, if given)."""
    listing = "ls" if kind != "container" else "ps"
    extra = ["--all"] if kind in ("container", "image") else []
    result = docker(kind, listing, *extra, "--filter", _label_filter(creator), "--format", "{{json .}}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _identity(kind: str, row: dict) -> str:
    return row["Name"] if kind == "volume" else row["ID"]


def _describe(kind: str, row: dict) -> str:
    if kind == "image":  # `docker image ls` does not list labels
        return f"image {row['Repository']}:{row['Tag']} ({row['ID']})"
    labels = dict(pair.split("=", 1) for pair in row.get("Labels", "").split(",") if "=" in pair)
    return f"{kind} {row.get('Names') or row.get('Name')} (created by {LABEL}={labels.get(LABEL, '')})"


def _is_manifest_image(row: dict, manifest: set[str]) -> bool:
    # A labelled image under a manifest name is one of the course's stand-ins.
    return f"{row['Repository']}:{row['Tag']}" in manifest


def remove_labelled(creator: str | None = None) -> int:
    """Remove every labelled container, network, volume and image (of one creator, if given).

    The manifest's stand-in images stay: they are the course's base images, not leftovers.
    Returns how many resources were removed.
    """
    manifest = set(image_names())
    removed = 0
    for kind in KINDS:
        rows = labelled(kind, creator)
        if kind == "image":
            rows = [row for row in rows if not _is_manifest_image(row, manifest)]
        ids = list(dict.fromkeys(_identity(kind, row) for row in rows))
        if ids:
            force = ["--force"] if kind in ("container", "image") else []
            docker(kind, "rm", *force, *ids)
            removed += len(ids)
    return removed


def leftovers() -> list[str]:
    """Labelled resources that should not exist after the suite: everything but the manifest's images."""
    manifest = set(image_names())
    found = []
    for kind in KINDS:
        for row in labelled(kind):
            if kind == "image" and _is_manifest_image(row, manifest):
                continue
            found.append(_describe(kind, row))
    return found


def clean_chapter(creator: str) -> None:
    """A chapter's first and last cell: remove what it created, then confirm that nothing is left.

    Used by: every chapter (00 onwards), so that Run All works twice in a row.
    """
    remove_labelled(creator)
    left = [_describe(kind, row) for kind in KINDS for row in labelled(kind, creator)
            if not (kind == "image" and _is_manifest_image(row, set(image_names())))]
    if left:
        raise CourseError(f"still there after cleanup: {', '.join(left)} — remove them with `make clean`")
    print(f"nothing labelled {LABEL}={creator} remains")
