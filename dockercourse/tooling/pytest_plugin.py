"""pytest plugin (loaded by pyproject's addopts): which tests need an engine, one clear line when none
answers, and, with ``--exercise-solutions``, nbval solving each exercise the way a learner does.

A test needs Docker when it uses a fixture that does (``engine``, or one built on it, such as ``test_label``:
tests/conftest.py), and every notebook cell run by nbval does; such tests are marked ``engine`` here, so
``-m "not engine"`` leaves them out (``make check``). When, after that selection, any of them remains and no
engine answers, the run stops at once with the line that says what to do — before a worker of
pytest-xdist collects anything (the harness checks first; see ``engine_answers``), or here when pytest runs
on its own.

``--exercise-solutions`` (the harness's nbval stage): right after an exercise's checker cell has printed
its stored hint, the same kernel runs the cells from the exercise's starting point down to its checker
again, with the solution pasted in, and the checker must then say ✓ — what a learner does in JupyterLab.
Each of those is a test of its own, named ``Cell N · Exercise X.Y solved (k/n)``. The chapter then goes
on from the solved state, as the learner's does; the cells after an exercise are the summary, questions
and cleanup.
"""

from collections import defaultdict

import pytest

from .. import CourseError
from ..engine import require_engine
from ..exercises import PASSED, output_text, solving_cells

SOLUTIONS_OPTION = "--exercise-solutions"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(SOLUTIONS_OPTION, action="store_true",
                     help="nbval: after each exercise's checker cell, run its solution and require the checker's ✓")


#: The fixture every test that talks to the engine asks for, directly or through another fixture.
ENGINE_FIXTURE = "engine"


def _needs_engine(item: pytest.Item) -> bool:
    return item.get_closest_marker("engine") is not None or item.path.suffix == ".ipynb"


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark `engine` what uses the engine fixture (before `-m` selects) and every notebook cell."""
    if ENGINE_FIXTURE in getattr(item, "fixturenames", ()) or item.path.suffix == ".ipynb":
        item.add_marker(pytest.mark.engine)


def _with_solutions(items: list[pytest.Item]) -> list[pytest.Item]:
    """The items, with each nbval notebook's solving cells inserted after its exercises' checker cells."""
    from nbformat import v4
    from nbval.plugin import IPyNbCell

    class SolvingItem(IPyNbCell):
        """A cell the notebook does not store (so no output to compare): a solved starting point, or the
        checker run again, whose answer must then start with ✓."""

        def __init__(self, *, checks: bool, exercise: str, **kwargs):
            super().__init__(**kwargs)
            self.checks, self.exercise = checks, exercise

        def reportinfo(self):
            return self.path, 0, f"{self.fspath.relto(self.config.rootdir)}::{self.name}"  # as nbval's cells

        def runtest(self):
            super().runtest()
            said = output_text({"outputs": self.test_outputs}).strip()
            if self.checks and not said.startswith(PASSED):
                self.raise_cell_error(f"Exercise {self.exercise}: its solution does not pass the checker: "
                                      f"{said.splitlines()[0] if said else 'the checker printed nothing'}")

    result, solving = [], {}
    for item in items:
        result.append(item)
        if not isinstance(item, IPyNbCell):
            continue
        notebook = item.parent.nb
        if id(notebook) not in solving:
            try:
                by_index = solving_cells(notebook)
            except CourseError as error:
                raise pytest.UsageError(f"{item.path.name}: {error}") from None
            solving[id(notebook)] = {id(notebook.cells[index]): cells for index, cells in by_index.items()}
        cells = solving[id(notebook)].get(id(item.cell), [])
        for number, cell in enumerate(cells, start=1):
            result.append(SolvingItem.from_parent(
                item.parent, name=f"Cell {item.cell_num} · Exercise {cell.exercise} solved ({number}/{len(cells)})",
                cell_num=item.cell_num, cell=v4.new_code_cell(cell.source),
                options=defaultdict(bool, item.options, check=False), checks=cell.checks, exercise=cell.exercise))
    return result


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("exercise_solutions"):
        items[:] = _with_solutions(items)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """After `-m` has deselected: stop with one line when what remains needs an engine and none answers."""
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return  # a pytest-xdist worker (the harness asked the engine before starting the workers), or nothing runs
    if any(_needs_engine(item) for item in session.items):
        try:
            require_engine()
        except CourseError as error:
            pytest.exit(f"{error}", returncode=3)
