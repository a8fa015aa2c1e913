"""``make solutions``: build/solved/NN-….ipynb for instructors, each chapter with every ``exercise`` cell
replaced by its solution block, executed from the top; fails unless every checker then says ✓.
"""

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from .. import REPO_DIR
from ..course import chapter_paths
from ..exercises import PASSED, find_exercises, output_text, solved
from ..progress import kept_apart

CELL_TIMEOUT_S = 600
#: Chapters run side by side: they are independent (own label, ports, Compose project), and mostly
#: wait on the engine, so three at a time beat one at a time on two cores.
WORKERS = 3
#: A kernel that dies before its first reply is started again, this many times in all.
KERNEL_STARTS = 2


def _solve(path: Path, out_dir: Path) -> tuple[str, list[str], float]:
    """Execute the solved copy of one chapter; (its name, what failed, seconds)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    started = time.monotonic()
    problems = []
    for attempt in range(1, KERNEL_STARTS + 1):
        notebook = solved(nbformat.read(path, as_version=4))
        try:
            with kept_apart():
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
