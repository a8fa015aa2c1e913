"""What every chapter's checkers share: the verdict they return and how they look at the engine."""

import json
import re
from dataclasses import dataclass

from .. import LABEL
from ..engine import docker
from ..images import manifest_image


@dataclass(frozen=True)
class Verdict:
    """What a checker found; shown as the check cell's output, and true when the answer is right."""

    ok: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"✓ {self.message}" if self.ok else f"✗ {self.message}\n  hint: {self.hint}"


def inspect_container(name: str) -> dict | None:
    """What `docker container inspect NAME` says, as a dict; None when the engine has no such container."""
    inspected = docker("container", "inspect", name, check=False)
    return json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None


def python_minor() -> str:
    """The Python major.minor inside the course's Python image, from its manifest name."""
    return re.match(r"python:(\d+\.\d+)", manifest_image("python").name).group(1)


def not_labelled(container: dict, name: str, creator: str) -> Verdict | None:
    """A failed verdict when the container lacks its creator's label (the chapter's cleanup could not see it)."""
    if (container["Config"].get("Labels") or {}).get(LABEL) != creator:
        return Verdict(False, f"container {name} does not carry the label {LABEL}={creator}",
                       f"remove it (docker rm -f {name}) and run it again with --label {LABEL}={creator}, "
                       "so that the chapter's cleanup finds it")
    return None
