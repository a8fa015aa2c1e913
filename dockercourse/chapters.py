"""The course's chapters: each one's number, notebook, title, minutes and host ports, in one place.

A chapter is a notebook named ``notebooks/NN-slug.ipynb`` whose first cell starts with
``# NN · Title`` and says ``Teaching N min · Exercises M min``: the notebook is where those facts
are written, and this module is how everything else reads them (the agenda hook, the doctor,
the harness, the structure and course-image tests).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import REPO_DIR
from .ports import chapter_ports

MINUTES = re.compile(r"Teaching (\d+) min · Exercises (\d+) min")
PATTERN = "[0-9][0-9]-*.ipynb"


@dataclass(frozen=True)
class Chapter:
    number: str  # "00": also the value of the label on everything the chapter creates
    title: str  # "Preflight": the first heading, without the number and any subtitle after ':'
    path: str  # "notebooks/00-preflight.ipynb", relative to docs/ and to the repository
    teaching: int
    exercises: int

    @property
    def link(self) -> str:
        return f"[{self.number} · {self.title}]({self.path})"

    @property
    def ports(self) -> range:
        return chapter_ports(int(self.number))


def chapter_paths(repo: Path = REPO_DIR) -> list[Path]:
    """The chapter notebooks, in reading order."""
    return sorted((repo / "notebooks").glob(PATTERN))


def read_chapters(repo: Path = REPO_DIR) -> dict[str, Chapter]:
    """Every chapter notebook's number, title and minutes, from its first cell, by chapter number."""
    chapters = {}
    for path in chapter_paths(repo):
        cell = json.loads(path.read_text())["cells"][0]
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        heading = re.match(r"# (\d\d) · ([^\n:]+)", text)
        minutes = MINUTES.search(text)
        if not heading or not minutes:
            raise ValueError(f"{path.name}: the first cell needs '# NN · Title' and '{MINUTES.pattern}'")
        chapters[heading.group(1)] = Chapter(heading.group(1), heading.group(2).strip(),
                                             f"notebooks/{path.name}", *map(int, minutes.groups()))
    return chapters
