"""dockercourse/exercises.py: the exercise form, the solved copy, and `make solutions`' verdict."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dockercourse import CourseError
from dockercourse.exercises import find_exercises, solution_blocks, solved, solved_source
from dockercourse.tooling.pytest_plugin import SOLUTIONS_OPTION
from dockercourse.tooling.solutions import _solve

SOLUTION = """<details><summary>Solution</summary>

```python
answer = 6 * 7
```
Why: because.
</details>"""


def cell(kind, text, *tags):
    made = new_code_cell(text) if kind == "code" else new_markdown_cell(text)
    made.metadata["tags"] = list(tags)
    return made


def chapter(solution: str = SOLUTION, checker: str = 'print("✓ 42" if answer == 42 else "✗ not yet\\n  hint: …")'):
    return new_notebook(cells=[
        cell("markdown", "# 99 · Test"),
        cell("markdown", "### Exercise 9.1 · The answer"),
        cell("code", "answer = None  # TODO", "exercise"),
        cell("code", checker, "checker"),
        cell("markdown", solution, "solution"),
        cell("markdown", "## Key points"),
        cell("code", "print('after')", "checker"),  # outside any exercise: not attached to 9.1
    ])


def test_an_exercise_is_found_with_its_cells():
    [exercise] = find_exercises(chapter())
    assert (exercise.number, exercise.heading, exercise.stubs, exercise.checker, exercise.solution) == \
        ("9.1", 1, [2], 3, 4)


def test_solution_blocks_are_the_fenced_blocks_in_order():
    text = "```dockerfile\nFROM x\n```\nthen\n```\nRUN y\n```"
    assert solution_blocks(text) == ["FROM x\n", "RUN y\n"]


def test_a_writefile_stub_keeps_its_magic_line():
    stub = "%%writefile /tmp/x/Dockerfile\nFROM python:3.14-slim-trixie\n# TODO"
    assert solved_source(stub, "FROM python:3.14-slim-trixie\nUSER 10001\n") == \
        "%%writefile /tmp/x/Dockerfile\nFROM python:3.14-slim-trixie\nUSER 10001"
    assert solved_source("answer = None", "%%bash\necho hi\n") == "%%bash\necho hi"


def test_the_solved_copy_replaces_the_starting_point_and_clears_outputs():
    notebook = chapter()
    notebook.cells[3].outputs = [nbformat.v4.new_output("stream", text="✗ not yet")]
    copy = solved(notebook)
    assert copy.cells[2].source == "answer = 6 * 7"
    assert copy.cells[3].outputs == []
    assert notebook.cells[2].source == "answer = None  # TODO", "the original is left alone"


def test_a_solution_without_a_block_per_exercise_cell_is_an_error():
    with pytest.raises(CourseError, match="one block per exercise cell"):
        solved(chapter(solution="<details><summary>Solution</summary>\nno code\n</details>"))


def test_make_solutions_passes_a_solution_that_passes_and_fails_one_that_does_not(tmp_path):
    (tmp_path / "nb").mkdir()
    good = tmp_path / "nb" / "99-good.ipynb"
    nbformat.write(chapter(), good)
    assert _solve(good, tmp_path / "out")[1] == []
    assert (tmp_path / "out" / "99-good.ipynb").exists()
    bad = tmp_path / "nb" / "98-bad.ipynb"
    nbformat.write(chapter(solution=SOLUTION.replace("6 * 7", "6 * 6")), bad)
    assert _solve(bad, tmp_path / "out")[1] == ["Exercise 9.1: its solution does not pass: ✗ not yet"]


def nbval_solving(notebook, path) -> subprocess.CompletedProcess:
    """pytest --nbval --exercise-solutions on one notebook, in a directory of its own."""
    nbformat.write(notebook, path)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "dockercourse.tooling.pytest_plugin",
                           "-p", "no:cacheprovider", "--nbval", "--nbval-current-env", SOLUTIONS_OPTION, "-rA",
                           str(path)],
                          cwd=path.parent, capture_output=True, text=True)


def test_nbval_solves_each_exercise_after_its_hint_and_fails_a_solution_the_checker_rejects(engine, tmp_path):
    passing = nbval_solving(chapter(), tmp_path / "99-good.ipynb")
    assert passing.returncode == 0, passing.stdout
    assert "PASSED 99-good.ipynb::Cell 1 · Exercise 9.1 solved (1/2)" in passing.stdout
    assert "PASSED 99-good.ipynb::Cell 1 · Exercise 9.1 solved (2/2)" in passing.stdout
    assert "5 passed" in passing.stdout  # the notebook's 3 code cells and the 2 solving cells
    failing = nbval_solving(chapter(solution=SOLUTION.replace("6 * 7", "6 * 6")), tmp_path / "98-bad.ipynb")
    assert failing.returncode == 1
    assert "FAILED 98-bad.ipynb::Cell 1 · Exercise 9.1 solved (2/2)" in failing.stdout
    assert "Exercise 9.1: its solution does not pass the checker: ✗ not yet" in failing.stdout


def test_a_kernel_that_dies_before_its_first_reply_is_started_again_then_reported_in_one_line(tmp_path, monkeypatch):
    from nbclient import NotebookClient
    (tmp_path / "nb").mkdir()
    good = tmp_path / "nb" / "99-good.ipynb"
    nbformat.write(chapter(), good)
    real_execute, starts = NotebookClient.execute, []

    def dies_once(client, *args, **kwargs):
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real_execute(client, *args, **kwargs)

    monkeypatch.setattr(NotebookClient, "execute", dies_once)
    assert _solve(good, tmp_path / "out")[1] == [] and len(starts) == 2

    def always_dies(client, *args, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(NotebookClient, "execute", always_dies)
    problems = _solve(good, tmp_path / "out")[1]
    assert problems[0] == "the kernel failed: Kernel died before replying to kernel_info"
