"""A chapter's exercises: the learner's starting point, its checker, and the solution collapsed below.

An exercise is a markdown cell with a heading ``### Exercise N.M · …``, followed (before the next
exercise or ``## `` section) by cells tagged

- ``exercise``: one or more code cells, the starting point the learner edits (a stub Dockerfile, a
  command with a blank, a TODO). The committed notebook stores what its checker says to it: a hint.
- ``checker``: one code cell that calls the chapter's checker (``dockercourse.checks.chNN``).
- ``solution``: one markdown cell, ``<details><summary>Solution</summary>``, whose fenced code
  blocks are the solution, one block per ``exercise`` cell, in order. That cell is the one place a
  solution is written: the site and JupyterLab show it, and the tests run it.

``make nbval`` solves each exercise where the learner does: after the checker has printed its hint, the
solving cells (``solving_cells``) run in the same kernel, and the checker again must say ✓
(dockercourse/tooling/pytest_plugin.py). ``make solutions`` (dockercourse/tooling/solutions.py) writes solved
copies for instructors.
"""

import re
from dataclasses import dataclass, field

import nbformat

from . import CourseError

#: An exercise's heading: its number and, after " · ", its title.
EXERCISE = re.compile(r"^### Exercise (\d+\.\d+)(?: · (.+))?$", re.MULTILINE)
BLOCK = re.compile(r"^```[\w-]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SOLUTION_SUMMARY = "<details><summary>Solution</summary>"
PASSED, NOT_YET = "✓", "✗"


@dataclass
class Exercise:
    number: str  # "4.1"
    heading: int  # the index of its markdown cell
    stubs: list[int] = field(default_factory=list)
    checker: int | None = None
    solution: int | None = None


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def find_exercises(notebook) -> list[Exercise]:
    """Every exercise of a notebook, with the indexes of its tagged cells."""
    found: list[Exercise] = []
    current = None
    for index, cell in enumerate(notebook.cells):
        heading = EXERCISE.search(cell.source) if cell.cell_type == "markdown" else None
        if heading:
            current = Exercise(heading.group(1), index)
            found.append(current)
        elif cell.cell_type == "markdown" and re.search(r"^## ", cell.source, re.MULTILINE):
            current = None  # a new section: what follows belongs to no exercise
        elif current is not None:
            if "exercise" in tags(cell):
                current.stubs.append(index)
            elif "checker" in tags(cell):
                current.checker = index
            elif "solution" in tags(cell):
                current.solution = index
    return found


def solution_blocks(markdown: str) -> list[str]:
    """The fenced code blocks of a solution cell, in order, each without its fences."""
    return BLOCK.findall(markdown)


def solved_source(stub: str, block: str) -> str:
    """The solved cell: the block, under the stub's cell magic (``%%writefile PATH``) when the block has none."""
    first = stub.splitlines()[0] if stub.strip() else ""
    if first.startswith("%%") and not block.startswith("%%"):
        return f"{first}\n{block}".rstrip("\n")
    return block.rstrip("\n")


def solved_sources(notebook, exercise: Exercise) -> list[str]:
    """Each of the exercise's starting points with its solution block pasted in, as the learner would."""
    blocks = solution_blocks(notebook.cells[exercise.solution].source) if exercise.solution is not None else []
    if len(blocks) != len(exercise.stubs):
        raise CourseError(f"Exercise {exercise.number}: {len(exercise.stubs)} exercise cell(s) but "
                          f"{len(blocks)} solution block(s): give the solution one block per exercise cell")
    return [solved_source(notebook.cells[index].source, block)
            for index, block in zip(exercise.stubs, blocks, strict=True)]


@dataclass
class SolvingCell:
    """A cell the learner runs to solve an exercise, in their order: from the first starting point, with the
    solution pasted in, down to the checker (``checks``), which must now say ✓."""
    exercise: str
    source: str
    checks: bool


def solving_cells(notebook) -> dict[int, list[SolvingCell]]:
    """Every exercise's solving cells, by the index of its checker cell (after which a learner runs them)."""
    found = {}
    for exercise in find_exercises(notebook):
        if exercise.checker is None or not exercise.stubs:
            raise CourseError(f"Exercise {exercise.number} needs a cell tagged exercise and one tagged checker")
        sources = dict(zip(exercise.stubs, solved_sources(notebook, exercise), strict=True))
        found[exercise.checker] = [
            SolvingCell(exercise.number, sources.get(index, notebook.cells[index].source), index == exercise.checker)
            for index in range(exercise.stubs[0], exercise.checker + 1) if notebook.cells[index].cell_type == "code"]
    return found


def solved(notebook):
    """A copy of the notebook with every exercise's starting point replaced by its solution, outputs cleared."""
    copy = nbformat.from_dict(notebook)
    for exercise in find_exercises(copy):
        for index, source in zip(exercise.stubs, solved_sources(copy, exercise), strict=True):
            copy.cells[index].source = source
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return copy


def output_text(cell) -> str:
    """What a code cell printed or returned, as text."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "".join(parts)
