"""Lessons a learner takes part in: the forms of CONTRIBUTING.md ("A lesson, not a document") kept true per chapter.

Each test is parametrized by chapter (`-k ch05` runs one chapter's): predictions before surprising results,
a quick check in every section, practice before the midpoint, outputs that show their point, asides folded,
exercises of the three kinds with hints that do not give the answer away, rebuilds that show the cache miss.
"""

import ast
import re

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.course import read_chapters
from dockercourse.exercises import find_exercises, output_text, solution_blocks, tags
from dockercourse.tooling.lessons import (
    PREDICT,
    QUICK_CHECK,
    REBUILD,
    REVEAL,
    distinctive_tokens,
    exercise_kind,
    ran_steps,
    sections,
    source,
    visible_output_lines,
)
from tests.notebook_lines import hidden

CHAPTERS = read_chapters()
PATHS = {number: REPO_DIR / chapter.path for number, chapter in CHAPTERS.items()}
#: Headings of the sections that end a chapter: they hold no teaching of their own.
CLOSING = ("Key points", "Interview questions", "Cleanup")
MAX_OUTPUT_LINES = 40
MIN_PREDICTIONS = 3


@pytest.fixture(params=sorted(PATHS), ids=lambda number: f"ch{number}")
def chapter(request, chapters):
    path = PATHS[request.param]
    return path, chapters[path]


def test_at_least_three_predictions_each_revealed_after_its_run(chapter):
    path, notebook = chapter
    cells = notebook.cells
    predictions = [index for index, cell in enumerate(cells) if PREDICT in tags(cell)]
    assert len(predictions) >= MIN_PREDICTIONS, \
        f"{path.name}: {len(predictions)} prediction(s); ask the learner to predict before each surprising result " \
        f"(at least {MIN_PREDICTIONS}: a markdown cell tagged {PREDICT!r}, then the run and its reveal)"
    for index in predictions:
        assert source(cells[index]).startswith("**Predict.**"), f"{path.name}: cell {index}: start with **Predict.**"
        following = cells[index + 1:]
        runs = []
        for cell in following:
            if REVEAL not in tags(cell):
                break
            runs.append(cell)
        code = [cell for cell in runs if cell.cell_type == "code"]
        told = [cell for cell in runs if cell.cell_type == "markdown"]
        assert code, f"{path.name}: cell {index}: the cells right after a prediction run it: code tagged {REVEAL!r}"
        assert all(cell.metadata.get("jupyter", {}).get("outputs_hidden") for cell in code), \
            f"{path.name}: cell {index}: fold the revealing output (jupyter.outputs_hidden) until the learner opens it"
        assert told and source(told[-1]).startswith("<details>"), \
            f"{path.name}: cell {index}: after the run, the explanation in a markdown cell tagged {REVEAL!r}, " \
            "inside <details>"


def test_every_section_has_a_quick_check(chapter):
    path, notebook = chapter
    for heading, cells in sections(notebook):
        if heading in CLOSING:
            continue
        checks = [cell for cell in cells if QUICK_CHECK in tags(cell)]
        assert checks, f"{path.name}: section '{heading}' has no quick check (a markdown cell tagged {QUICK_CHECK!r})"
        for cell in checks:
            text = source(cell)
            assert text.startswith("**Quick check.**") and re.search(r"^- \(a\) ", text, re.M) and \
                "<details><summary>Answer</summary>" in text, \
                f"{path.name}: '{heading}': a quick check is **Quick check.**, options '- (a) …', and the answer " \
                "in <details><summary>Answer</summary>"


def test_the_first_exercise_comes_before_the_midpoint(chapter):
    path, notebook = chapter
    exercises = find_exercises(notebook)
    assert exercises, f"{path.name}: no exercise"
    assert exercises[0].heading < len(notebook.cells) / 2, \
        f"{path.name}: the first exercise is at cell {exercises[0].heading} of {len(notebook.cells)}: " \
        "practise each idea right after its section, the first before the chapter's midpoint"


def test_each_chapter_has_an_open_and_a_break_fix_exercise_and_at_most_one_warm_up(chapter):
    path, notebook = chapter
    kinds = [exercise_kind(notebook, exercise) for exercise in find_exercises(notebook)]
    assert "open" in kinds, f"{path.name}: no open exercise (an empty cell with a # TODO that states the goal)"
    assert "break-fix" in kinds, f"{path.name}: no break-fix exercise (a setup cell breaks something; repair it)"
    assert kinds.count("warm-up") <= 1, f"{path.name}: {kinds.count('warm-up')} warm-ups (a ____ blank): one at most"
    assert None not in kinds, f"{path.name}: an exercise of no kind: {kinds}"


def test_no_stored_hint_gives_its_solution_away(chapter):
    """The hint says where to look and what the symptom means; the flag, subcommand or value the solution adds
    to the starting point is not in it."""
    path, notebook = chapter
    for exercise in find_exercises(notebook):
        given = "\n".join([source(notebook.cells[index]) for index in [exercise.heading, *exercise.stubs]])
        solution = "\n".join(solution_blocks(source(notebook.cells[exercise.solution])))
        hint = output_text(notebook.cells[exercise.checker]).lower()
        leaked = sorted(token for token in distinctive_tokens(solution, given)
                        if re.search(rf"(?<![\w-]){re.escape(token.lower())}(?![\w-])", hint))
        assert not leaked, f"{path.name}: Exercise {exercise.number}'s stored hint gives away {leaked}"


def test_teaching_outputs_stay_short_or_are_folded(chapter):
    path, notebook = chapter
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or hidden(cell) or cell.metadata.get("jupyter", {}).get("outputs_hidden"):
            continue
        lines = visible_output_lines(cell)
        assert lines <= MAX_OUTPUT_LINES, \
            f"{path.name}: cell {index} shows {lines} lines of output: cut it with the command itself " \
            f"(--format, a filter, | tail -n …) and say so, or fold it (jupyter.outputs_hidden); at most " \
            f"{MAX_OUTPUT_LINES}"


def test_asides_are_folded(chapter):
    """Issue and pull-request links, and what other engines do, sit in collapsed asides, not in the main text."""
    path, notebook = chapter
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"<details.*?</details>", "", source(cell), flags=re.S)
        assert not re.search(r"github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+|\b[\w-]+/[\w-]+#\d+", text), \
            f"{path.name}: cell {index}: an issue link in the main text: move it into an aside " \
            "(<details class=\"aside\"><summary>Going further: …</summary> … </details>)"


def test_a_rebuild_shows_the_step_it_rebuilt(chapter):
    """A cell tagged `rebuild` (the prose says a build runs a step again) stores a build log in which at least one
    step ran rather than came from the cache, and nbval compares it."""
    path, notebook = chapter
    for index, cell in enumerate(notebook.cells):
        if REBUILD not in tags(cell):
            continue
        assert ran_steps(output_text(cell)), f"{path.name}: cell {index} is a rebuild, but every step is CACHED: " \
            "its stored output comes from a warm machine (start_chapter removes the chapter's images; edit with " \
            "something no earlier run wrote)"
        assert not {"nbval-ignore-output", "nbval-skip"} & tags(cell), f"{path.name}: cell {index}: compare a rebuild"


def test_every_exercise_has_a_second_correct_answer_tested():
    """A checker judges the end state, so any correct answer passes: each exercise's tests show one answer other
    than the chapter's solution passing (a test named test_N_M_another_correct_answer in tests/checks/)."""
    missing = []
    for number, path in PATHS.items():
        tests = REPO_DIR / "tests" / "checks" / f"test_ch{number}.py"
        names = {node.name for node in ast.walk(ast.parse(tests.read_text())) if isinstance(node, ast.FunctionDef)} \
            if tests.exists() else set()
        for exercise in find_exercises(nbformat.read(path, as_version=4)):
            wanted = f"test_{exercise.number.replace('.', '_')}_another_correct_answer"
            if wanted not in names:
                missing.append(f"{tests.relative_to(REPO_DIR)}::{wanted}")
    assert not missing, f"no test of a second correct answer: {missing}"
