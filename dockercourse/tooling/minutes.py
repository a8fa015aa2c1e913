"""Honest minutes: how long a chapter takes a learner, from a model of reading and running, not a guess.

    teaching  = words to read / READING_WPM + VISIBLE_CELL_MIN per visible code cell + the cells' measured run time
    exercises = per exercise, its kind's minutes (EXERCISE_MIN) + the words of its statement / READING_WPM

The reading rate: adults read English non-fiction silently at 238 words a minute on average, most of them
between 175 and 300 (Brysbaert, "How many words do we read per minute? A review and meta-analysis of reading
rate", Journal of Memory and Language 109, 2019, doi:10.1016/j.jml.2019.104047); slower for readers of English
as a second language and for text read to learn rather than to skim. Technical text with commands and outputs
read to learn it: half that average, 120 words a minute. Each visible code cell: about 45 s to read the command,
run it and look at what it printed (the trainers' review of the course, December 2026, timed 42–51 cells a
chapter at 45 s each). The run time is each chapter's cells as `make nbval` measured them (course.toml's
`run_s`, written here from the last report). An exercise: 4 minutes for a warm-up (one blank), 10 for an open
one (write the commands), 12 for a break-fix one (diagnose, then repair).

Not counted as teaching: the folded "Going further" asides and the interview questions at the end (optional,
read later: `optional_words`, which the table prints as minutes at the same rate), and the link targets and HTML
tags of the markdown, which nobody reads as words.

    python -m dockercourse.tooling.minutes           # the table: what the model gives, against course.toml
    python -m dockercourse.tooling.minutes --write   # course.toml and each chapter's first cell follow the model

Used by: tests/test_lessons.py (course.toml's minutes are the model's), the agenda (through course.toml).
"""

import math
import re
import sys
from pathlib import Path

import nbformat

from .. import REPO_DIR
from ..course import COURSE_FILE, Chapter, read_chapters
from ..exercises import find_exercises
from .junit import read_reports, seconds_per_notebook
from .lessons import exercise_kind, source

READING_WPM = 120
VISIBLE_CELL_MIN = 0.75
EXERCISE_MIN = {"warm-up": 4, "open": 10, "break-fix": 12}
NBVAL_REPORTS = [REPO_DIR / "build" / "test-results" / name for name in ("nbval-alone.xml", "nbval.xml")]
WORD = re.compile(r"\w+")
ASIDE = re.compile(r'<details class="aside">.*?</details>', re.S)  # "Going further": folded, optional
MARKUP = re.compile(r"\]\([^)]*\)|<[^>]+>|https?://\S+")  # a link's target, a tag, a bare address: not read
INTERVIEW = re.compile(r"#+ Interview questions")


def _hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def exercise_cells(notebook) -> set[int]:
    """The cells of the chapter's exercises: statement, setup, starting points, checker and solution."""
    cells = set()
    for exercise in find_exercises(notebook):
        last = max(filter(None, [exercise.checker, exercise.solution, *exercise.stubs]), default=exercise.heading)
        cells.update(range(exercise.heading, last + 1))
    return cells


def read_words(cell) -> int:
    """The words a learner reads in a cell: a markdown cell's without its folded asides, link targets and HTML."""
    text = source(cell)
    if cell.cell_type == "markdown":
        text = MARKUP.sub(" ", ASIDE.sub(" ", text))
    return len(WORD.findall(text))


def optional_words(notebook) -> int:
    """The words of the folded "Going further" asides and of the interview questions: read later, if at all."""
    words, interview = 0, False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.match(r"#+ ", source(cell)):
            interview = bool(INTERVIEW.match(source(cell)))
        if cell.cell_type == "markdown":
            words += read_words(cell) if interview else sum(len(WORD.findall(aside)) for aside in
                                                            ASIDE.findall(source(cell)))
    return words


def model(notebook, run_s: float) -> tuple[int, int]:
    """(teaching, exercises) minutes of a chapter, whole minutes rounded up."""
    in_exercises = exercise_cells(notebook)
    words = cells = 0
    interview = False
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and re.match(r"#+ ", source(cell)):
            interview = bool(INTERVIEW.match(source(cell)))
        if index in in_exercises or _hidden(cell) or interview:
            continue
        words += read_words(cell)
        cells += cell.cell_type == "code"
    teaching = words / READING_WPM + VISIBLE_CELL_MIN * cells + run_s / 60
    exercises = 0.0
    for exercise in find_exercises(notebook):
        statement = source(notebook.cells[exercise.heading])
        exercises += EXERCISE_MIN.get(exercise_kind(notebook, exercise), EXERCISE_MIN["open"])
        exercises += len(WORD.findall(statement)) / READING_WPM
    return math.ceil(teaching), math.ceil(exercises)


def measured_run_s() -> dict[str, float]:
    """Each chapter's run-all seconds in the last nbval report, by chapter number."""
    return {name[:2]: seconds for name, seconds in seconds_per_notebook(read_reports(NBVAL_REPORTS)).items()}


def minutes(chapter: Chapter, notebook=None) -> tuple[int, int]:
    notebook = notebook if notebook is not None else nbformat.read(REPO_DIR / chapter.path, as_version=4)
    return model(notebook, chapter.run_s)


def _rewrite_course_file(updates: dict[str, dict[str, int]]) -> None:
    """Set keys of chapter entries in course.toml in place, keeping its comments and order."""
    text = COURSE_FILE.read_text()
    entries = re.split(r"^\[\[chapter\]\]$", text, flags=re.M)  # the header's comments name it too
    for index, entry in enumerate(entries[1:], start=1):
        number = re.search(r'^number = "(\d\d)"', entry, re.M).group(1)
        for key, value in updates.get(number, {}).items():
            if re.search(rf"^{key} = ", entry, re.M):
                entry = re.sub(rf"^{key} = .*$", f"{key} = {value}", entry, flags=re.M)
            else:
                entry = re.sub(r"^(exercises = .*)$", rf"\1\n{key} = {value}", entry, count=1, flags=re.M)
        entries[index] = entry
    COURSE_FILE.write_text("[[chapter]]".join(entries))


def _rewrite_first_cell(path: Path, teaching: int, exercises: int) -> None:
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    said = f"Teaching {teaching} min · Exercises {exercises} min"
    first.source = re.sub(r"Teaching \d+ min · Exercises \d+ min", said, source(first))
    nbformat.write(notebook, path)


def write() -> None:
    """course.toml's run_s from the last nbval report, then its minutes and each first cell's from the model."""
    run_s = measured_run_s()
    _rewrite_course_file({number: {"run_s": round(seconds)} for number, seconds in run_s.items()})
    updates = {}
    for number, chapter in read_chapters(fresh=True).items():
        teaching, exercises = minutes(chapter)
        updates[number] = {"teaching": teaching, "exercises": exercises}
        _rewrite_first_cell(REPO_DIR / chapter.path, teaching, exercises)
    _rewrite_course_file(updates)


def table() -> str:
    rows = ["chapter  teaching (course.toml → model)  exercises (course.toml → model)  run_s  optional reading"]
    for number, chapter in read_chapters(fresh=True).items():
        notebook = nbformat.read(REPO_DIR / chapter.path, as_version=4)
        teaching, exercises = minutes(chapter, notebook)
        optional = math.ceil(optional_words(notebook) / READING_WPM)
        rows.append(f"{number}       {chapter.teaching:>4} → {teaching:<4}                    "
                    f"{chapter.exercises:>4} → {exercises:<4}                    {chapter.run_s:<6} {optional} min")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        write()
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
