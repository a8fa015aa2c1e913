"""The course file (``course.toml``): the chapters and the host ports, read in one place.

A chapter's facts (number, slug, title, minutes, ports, needs, images, day, flags) are written once, in
course.toml; everything else reads them here: the agenda and the site, the harness, the doctor,
``start_chapter``, the structure tests (which keep each notebook's first cell agreeing with its entry).

Used by: every module that names a chapter or a port; chapters through ``resources.start_chapter``.
"""

import socket
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import PACKAGE_DIR, REPO_DIR

COURSE_FILE = PACKAGE_DIR / "course.toml"
NOTEBOOKS = "notebooks"
RUNS_ALONE, NESTED_ENGINES = "runs-alone", "nested-engines"
FLAGS = {RUNS_ALONE, NESTED_ENGINES}
PAUSES = ("break", "lunch")
DAYS = (1, 2)  # of the two-day workshop


@cache
def _course() -> dict:
    return tomllib.loads(COURSE_FILE.read_text())


def _port(name: str) -> int:
    return _course()["ports"][name]


PORT_BASE = _port("base")
PORTS_PER_CHAPTER = _port("per_chapter")
LAB_PORT = _port("lab")
DOCS_PORT = _port("docs")
TEST_PORTS = range(_course()["ports"]["tests"][0], _course()["ports"]["tests"][1] + 1)
WORKSHOP_PORT = _port("workshop")
RADAR_PORT = _port("radar")


def chapter_ports(chapter: int) -> range:
    """The host ports chapter `chapter` may publish."""
    first = PORT_BASE + PORTS_PER_CHAPTER * chapter
    return range(first, first + PORTS_PER_CHAPTER)


def port_taken(port: int) -> bool:
    """Something listens on `port` (on any interface): binding it on every interface fails."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers are not "taken"
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


@dataclass(frozen=True)
class Chapter:
    number: str  # "00": also the value of the label on everything the chapter creates
    slug: str
    title: str  # "Preflight": its first heading without the number (and without a subtitle after ':')
    summary: str
    teaching: int
    exercises: int
    run_s: int = 0  # the seconds its cells took under the last `make nbval` (tooling/minutes.py writes it)
    needs: tuple[str, ...] = ()
    images: tuple[str, ...] = ()  # repositories of the image manifest: "python", "redis"
    day: int = 1
    pause_after: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def path(self) -> str:
        """"notebooks/00-preflight.ipynb", relative to docs/ and to the repository."""
        return f"{NOTEBOOKS}/{self.number}-{self.slug}.ipynb"

    @property
    def link(self) -> str:
        return f"[{self.number} · {self.title}]({self.path})"

    @property
    def ports(self) -> range:
        return chapter_ports(int(self.number))


def _chapter(entry: dict) -> Chapter:
    unknown = set(entry.get("flags", [])) - FLAGS
    if unknown or entry.get("pause_after") not in (None, *PAUSES) or entry.get("day") not in DAYS:
        raise ValueError(f"{COURSE_FILE.name}, chapter {entry.get('number')}: unknown flag or pause "
                         f"{sorted(unknown) or entry.get('pause_after')} or day {entry.get('day')}; known: "
                         f"{sorted(FLAGS)}, {PAUSES}, days {DAYS}")
    return Chapter(**{**entry, "needs": tuple(entry.get("needs", ())), "images": tuple(entry.get("images", ())),
                      "flags": frozenset(entry.get("flags", ()))})


def _course_data(repo: Path) -> dict:
    """The course file of the course at `repo`: its own dockercourse/course.toml (a test's small course has
    one), else this package's."""
    own = repo / "dockercourse" / COURSE_FILE.name
    return tomllib.loads(own.read_text()) if own.is_file() and own.resolve() != COURSE_FILE else _course()


def planned_chapters(repo: Path = REPO_DIR) -> dict[str, Chapter]:
    """Every chapter of the course file, written or not yet (no notebook), by number, in reading order."""
    chapters = sorted((_chapter(entry) for entry in _course_data(repo)["chapter"]), key=lambda c: c.number)
    return {chapter.number: chapter for chapter in chapters}


def half_day_until(repo: Path = REPO_DIR) -> str:
    """The last chapter of the half-day workshop (the morning of day 1)."""
    return _course_data(repo)["agenda"]["half_day_until"]


def read_chapters(repo: Path = REPO_DIR, fresh: bool = False) -> dict[str, Chapter]:
    """The chapters of the course file whose notebook exists under `repo`, by number, in reading order.

    `fresh`: read the course file again (it is read once per process; tooling/minutes.py rewrites it)."""
    if fresh:
        _course.cache_clear()
    return {number: chapter for number, chapter in planned_chapters(repo).items() if (repo / chapter.path).is_file()}


def chapter_paths(repo: Path = REPO_DIR) -> list[Path]:
    """The chapter notebooks, in reading order."""
    return [repo / chapter.path for chapter in read_chapters(repo).values()]


def chapter(number: str) -> Chapter:
    """One chapter of the course file, by its number ("05")."""
    chapters = read_chapters()
    if number not in chapters:
        raise KeyError(f"no chapter {number} in {COURSE_FILE.name} (with a notebook): known {', '.join(chapters)}")
    return chapters[number]
