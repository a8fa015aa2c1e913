"""What every chapter's checkers share: the verdict they return and how they look at the engine."""

import json
import re
from dataclasses import dataclass

from .. import LABEL
from ..engine import docker
from ..manifest import manifest_image


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


#: What a failed `docker run` prints, by the mistake behind it; each checker words its own hint.
RUN_ERRORS = {
    "bad port": re.compile(r"invalid (containerPort|hostPort|published port|port)", re.IGNORECASE),
    "port taken": re.compile(r"port is already allocated|address already in use"),
    "no such program": re.compile(r"executable file not found"),
    "name taken": re.compile(r"is already in use by container"),
    "no such image": re.compile(r"Unable to find image|No such image|pull access denied|invalid reference format"),
}


def run_error(text: str) -> str | None:
    """Which mistake a failed `docker run`'s message points to (a key of RUN_ERRORS), or None."""
    return next((mistake for mistake, pattern in RUN_ERRORS.items() if pattern.search(text)), None)


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
