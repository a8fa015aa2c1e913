"""A learner's progress: every checker verdict remembered on this machine, and sent to the room's radar only
when the learner joined it.

Each exercise's checker (checks/chNN) is wrapped by ``exercise("5.1")``: every call appends one line to the
progress log, ``progress.jsonl`` in the learner's data directory (platformdirs' user data directory, or
``$DOCKERCOURSE_DATA``: the course stack sets it to its work volume, the tests to a directory of their own)::

    {"exercise": "5.1", "ok": false, "code": "port-taken", "at": "2026-12-07T19:30:02+00:00"}

``code`` is the failing verdict's stable name for the mistake (checks/common.Verdict), "" on a ✓. The log is
only appended to, one ``write`` per line, so two kernels can share it. ``python -m dockercourse progress``
(``make progress``) reads it against the course's exercises: solved, tried (with the last hint), not tried,
the time from the first try to the ✓, and "resume here".

The radar (machine/radar.py, ``make radar``) is the instructor's live view of the room. Nothing is sent to it
unless the learner joined (``python -m dockercourse radar join URL``, which writes ``radar.json`` beside the
log); ``radar leave`` stops it. An event carries a random learner id (the JupyterHub user name instead, in the
workshop server, where the room has logins), the exercise, ✓/✗ and the code: never a file, a command or a hint.
"""

import functools
import json
import os
import re
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import REPO_DIR, CourseError
from .course import chapter_paths
from .exercises import EXERCISE

DATA_ENV = "DOCKERCOURSE_DATA"
#: Set by the workshop server (or an instructor) to the room's radar: `radar join` then needs no address.
RADAR_OFFER_ENV = "DOCKERCOURSE_RADAR"
LOG_NAME, RADAR_NAME = "progress.jsonl", "radar.json"
#: The progress page on JupyterLab's own address, under its base URL (machine/lab_pages.py).
PAGE_PATH = "dockercourse/progress"
#: Seconds a checker waits for the radar: an unreachable radar must not stall a learner's checker cell.
SEND_TIMEOUT_S = 2
#: A mistake's name, as checks/common.Verdict words it (kebab-case).
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def data_dir() -> Path:
    """Where this learner's progress log and radar membership are kept."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    import platformdirs

    return platformdirs.user_data_path("dockercourse")


def log_path() -> Path:
    return data_dir() / LOG_NAME


@contextmanager
def kept_apart() -> Iterator[Path]:
    """A throwaway progress log for what runs inside (kernels started there inherit it): the verdicts of a tool
    that executes chapters (make notebooks, make solutions) are not the learner's."""
    before = os.environ.get(DATA_ENV)
    with tempfile.TemporaryDirectory(prefix="dockercourse-progress-") as directory:
        os.environ[DATA_ENV] = directory
        try:
            yield Path(directory)
        finally:
            if before is None:
                os.environ.pop(DATA_ENV, None)
            else:
                os.environ[DATA_ENV] = before


@dataclass(frozen=True)
class Attempt:
    """One checker verdict, as the log keeps it."""

    exercise: str  # "5.1"
    ok: bool
    code: str  # the mistake's name; "" on a ✓
    at: datetime

    @property
    def chapter(self) -> str:
        return f"{int(self.exercise.split('.')[0]):02d}"

    def as_json(self) -> dict:
        return {"exercise": self.exercise, "ok": self.ok, "code": self.code,
                "at": self.at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class CourseExercise:
    number: str
    title: str
    chapter: str
    notebook: str  # relative to the course's root: "notebooks/05-build-and-run.ipynb"

    @property
    def link(self) -> str:
        """Where JupyterLab opens it: the notebook, scrolled to the exercise's heading."""
        return f"{self.notebook}#Exercise-{self.number}-·-{self.title.replace(' ', '-')}"


@functools.cache
def course_exercises(repo: Path = REPO_DIR) -> tuple[CourseExercise, ...]:
    """Every exercise of the course, in reading order, from the chapters' headings."""
    found = []
    for path in chapter_paths(repo):
        cells = json.loads(path.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"])
                found += [CourseExercise(number, title.strip(), path.name[:2], str(path.relative_to(repo)))
                          for number, title in EXERCISE.findall(source)]
    return tuple(found)


# --- Writing: the checkers' side ------------------------------------------------------------------------

def record(number: str, verdict) -> Attempt:
    """Remember a checker's verdict in the log, and send it to the radar when the learner joined one. Never
    raises: a log that cannot be written costs the learner their record, not their checker's answer."""
    attempt = Attempt(number, bool(verdict.ok), "" if verdict.ok else verdict.code,
                      datetime.now(UTC))
    line = (json.dumps(attempt.as_json()) + "\n").encode()
    try:
        log_path().parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(log_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, line)  # one write of a short line: appends from two kernels do not interleave
        finally:
            os.close(descriptor)
    except OSError:
        pass
    membership = joined()
    if membership:
        send(membership, attempt)
    return attempt


def exercise(number: str):
    """The decorator of an exercise's checker: every verdict it returns is recorded (``record``)."""
    def wrap(checker):
        @functools.wraps(checker)
        def recorded(*args, **kwargs):
            verdict = checker(*args, **kwargs)
            record(number, verdict)
            return verdict

        recorded.exercise = number
        return recorded

    return wrap


# --- Reading: `python -m dockercourse progress` ----------------------------------------------------------

def read_log(path: Path | None = None) -> list[Attempt]:
    """The log's attempts, in order; a line that is not a record (a torn write, an edit) is left out."""
    path = path or log_path()
    attempts = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            item = json.loads(line)
            attempts.append(Attempt(str(item["exercise"]), bool(item["ok"]), str(item["code"]),
                                    datetime.fromisoformat(item["at"])))
        except (ValueError, KeyError, TypeError):
            continue
    return attempts


@dataclass(frozen=True)
class ExerciseProgress:
    exercise: CourseExercise
    state: str  # "solved", "tried", "not tried"
    last_code: str
    seconds: float  # from the first try to the first ✓ (solved) or to the last try (tried)


def summarize(attempts: list[Attempt], exercises: tuple[CourseExercise, ...]) -> list[ExerciseProgress]:
    """Each exercise's state from the log's attempts."""
    by_exercise: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_exercise.setdefault(attempt.exercise, []).append(attempt)
    result = []
    for item in exercises:
        tries = sorted(by_exercise.get(item.number, []), key=lambda attempt: attempt.at)
        solved = next((attempt for attempt in tries if attempt.ok), None)
        if not tries:
            result.append(ExerciseProgress(item, "not tried", "", 0))
            continue
        end = solved or tries[-1]
        result.append(ExerciseProgress(item, "solved" if solved else "tried", "" if solved else tries[-1].code,
                                       (end.at - tries[0].at).total_seconds()))
    return result


def duration(seconds: float) -> str:
    """"⏱ 42 s", "⏱ 7 min", "⏱ 1 h 05 min": the time column (nbval's sanitizer knows the ⏱)."""
    seconds = round(seconds)
    if seconds < 60:
        return f"⏱ {seconds} s"
    minutes = seconds // 60
    return f"⏱ {minutes} min" if minutes < 60 else f"⏱ {minutes // 60} h {minutes % 60:02d} min"


STATE_MARK = {"solved": "✓", "tried": "✗", "not tried": "·"}


def progress_table(states: list[ExerciseProgress], chapter: str | None = None) -> str:
    """The progress table, chapter by chapter, and "resume here"; `chapter`: that chapter's rows only."""
    shown = [state for state in states if chapter in (None, state.exercise.chapter)]
    solved = sum(state.state == "solved" for state in shown)
    tried = sum(state.state == "tried" for state in shown)
    lines = [f"Progress{f' in chapter {chapter}' if chapter else ''}: {solved} of {len(shown)} exercises solved, "
             f"{tried} tried, {duration(sum(state.seconds for state in shown))} on them"]
    current = None
    for state in shown:
        if state.exercise.chapter != current:
            current = state.exercise.chapter
            lines.append(f"Chapter {current}")
        row = f"  {state.exercise.number:<5} {STATE_MARK[state.state]} {state.state:<9}  {state.exercise.title}"
        if state.state != "not tried":
            row += f"  {duration(state.seconds)}"
        if state.last_code:
            row += f"  last hint: {state.last_code}"
        lines.append(row)
    resume = next((state for state in shown if state.state != "solved"), None)
    if resume:
        item = resume.exercise
        lines.append(f"Resume here: Exercise {item.number} · {item.title} — {item.link}")
    else:
        lines.append("Every exercise here is solved." if shown else "No exercise here.")
    return "\n".join(lines)


def show(chapter: str | None = None) -> str:
    """The table for this machine's log."""
    return progress_table(summarize(read_log(), course_exercises()), chapter)


def page_link():
    """A link to the progress page of the JupyterLab this notebook runs in (machine/lab_pages.py)."""
    from IPython.display import Markdown

    from .links import lab_path

    return Markdown(f"The same, as a page that reads the log afresh each time you open it: "
                    f"[your progress]({lab_path('/' + PAGE_PATH)}).")


def reset(confirmed: bool) -> str:
    """Delete the progress log (after the learner said yes); the radar membership stays."""
    path = log_path()
    if not path.exists():
        return f"progress: nothing to reset ({path} does not exist)"
    if not confirmed:
        raise CourseError("progress: the log was kept; to delete it, answer y (or run `progress reset --yes`)")
    path.unlink()
    return f"progress: deleted {path}"


# --- The room's radar: joining, leaving, sending -----------------------------------------------------------

def joined() -> dict | None:
    """This learner's radar membership, {"url", "learner", "name"}, or None (the default: nothing is sent)."""
    try:
        membership = json.loads((data_dir() / RADAR_NAME).read_text())
    except (OSError, ValueError):
        return None
    return membership if isinstance(membership, dict) and membership.get("url") else None


def radar_event(membership: dict, attempt: Attempt) -> dict:
    """What the radar receives: who (a random id, or the room's login), which exercise, ✓/✗ and the mistake."""
    return {"learner": membership["learner"], "name": membership.get("name", ""), "exercise": attempt.exercise,
            "ok": attempt.ok, "code": attempt.code}


def send(membership: dict, attempt: Attempt) -> bool:
    """POST the attempt to the radar; False when it did not take it (the local log has it anyway)."""
    body = json.dumps(radar_event(membership, attempt)).encode()
    request = urllib.request.Request(membership["url"].rstrip("/") + "/api/events", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_S) as answer:
            return answer.status == 201
    except (OSError, ValueError):  # URLError is an OSError
        return False


def join(url: str | None, name: str | None = None) -> dict:
    """Join the room's radar at `url` (or the one the workshop server offers): every verdict from now on is also
    sent there. The name is the JupyterHub login when there is one, else none (anonymous)."""
    url = url or os.environ.get(RADAR_OFFER_ENV)
    if not url:
        raise CourseError("radar: which radar? give its address: python -m dockercourse radar join http://HOST:PORT "
                          "(the instructor shows it)")
    url = url.rstrip("/")
    try:
        with urllib.request.urlopen(url + "/api/hello", timeout=5) as answer:
            hello = json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise CourseError(f"radar: nothing answers at {url} ({error}): check the address with your instructor, "
                          "then join again") from None
    if hello.get("radar") != "dockercourse":
        raise CourseError(f"radar: {url} is not a course radar: check the address with your instructor")
    membership = {"url": url, "learner": uuid.uuid4().hex,
                  "name": (name or os.environ.get("JUPYTERHUB_USER", ""))[:40]}
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / RADAR_NAME).write_text(json.dumps(membership) + "\n")
    return membership


def leave() -> str:
    path = data_dir() / RADAR_NAME
    if not path.exists():
        return "radar: you had not joined a radar; nothing is sent"
    path.unlink()
    return "radar: left; your verdicts stay on this machine only"
