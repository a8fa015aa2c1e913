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
(dockercourse/pytest_plugin.py). ``make solutions`` writes build/solved/NN-….ipynb for instructors: each
chapter with every ``exercise`` cell replaced by its solution block, executed from the top, and fails
unless every checker then says ✓.
"""

import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import REPO_DIR, CourseError
from .chapters import chapter_paths

EXERCISE = re.compile(r"^### Exercise (\d+\.\d+)", re.MULTILINE)
BLOCK = re.compile(r"^```[\w-]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SOLUTION_SUMMARY = "<details><summary>Solution</summary>"
PASSED, NOT_YET = "✓", "✗"
CELL_TIMEOUT_S = 600
#: Chapters run side by side: they are independent (own label, ports, Compose project), and mostly
#: wait on the engine, so three at a time beat one at a time on two cores.
WORKERS = 3
#: A kernel that dies before its first reply is started again, this many times in all.
KERNEL_STARTS = 2


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


def _solve(path: Path, out_dir: Path) -> tuple[str, list[str], float]:
    """Execute the solved copy of one chapter; (its name, what failed, seconds)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    started = time.monotonic()
    problems = []
    for attempt in range(1, KERNEL_STARTS + 1):
        notebook = solved(nbformat.read(path, as_version=4))
        try:
            NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except CellExecutionError as error:
            problems.append(f"a cell failed: {str(error).strip().splitlines()[-1]}")
        except RuntimeError as error:
            # Kernels started side by side can race for the same free ports and die before their
            # first reply; no cell has run then, so starting again is safe.
            if "before replying" in str(error) and attempt < KERNEL_STARTS:
                continue
            problems.append(f"the kernel failed: {error}")
        except Exception as error:  # noqa: BLE001 - one line per chapter, never a traceback
            problems.append(f"the run failed: {type(error).__name__}: {error}")
        break
    for exercise in find_exercises(notebook):
        said = output_text(notebook.cells[exercise.checker]).strip() if exercise.checker is not None else ""
        if not said.startswith(PASSED):
            problems.append(f"Exercise {exercise.number}: its solution does not pass: "
                            f"{said.splitlines()[0] if said else 'the checker printed nothing'}")
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out_dir / path.name)
    return path.name, problems, time.monotonic() - started


def write_solutions(out_dir: Path = REPO_DIR / "build" / "solved", only: str | None = None) -> int:
    """`make solutions`: every chapter (or chapter `only`) solved and executed into out_dir; 1 unless all pass."""
    paths = [path for path in chapter_paths() if (only is None or path.name.startswith(f"{only}-"))
             and find_exercises(nbformat.read(path, as_version=4))]
    failed = 0
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        for name, problems, seconds in pool.map(_solve, paths, [out_dir] * len(paths)):
            print(f"solutions: {name}: {'ok' if not problems else 'FAILED'} in {seconds:.0f} s", flush=True)
            for problem in problems:
                print(f"  {problem}")
            failed += bool(problems)
    if failed:
        print(f"solutions: {failed} chapter(s) failed: open the solved copy in {out_dir} to see the cell")
        return 1
    print(f"solutions: {len(paths)} solved chapter(s) in {out_dir}; every solution passes its checker")
    return 0
