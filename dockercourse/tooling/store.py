"""Storing a chapter's outputs: execute it in place, top to bottom, as a learner's Run All does, and store what
it printed the way JupyterLab shows it (consecutive prints to one stream as one block, which the site would
otherwise render as separate boxes).

    python -m dockercourse.tooling.store 05 07     # execute chapters 05 and 07 in place
    python -m dockercourse.tooling.store           # every chapter (`make notebooks`)
    python -m dockercourse.tooling.store --merge   # only merge the stored streams, executing nothing

nbval compares streams merged, so merging never changes what the tests compare.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat

from ..course import read_chapters
from ..progress import kept_apart

CELL_TIMEOUT_S = 600


def merge_streams(notebook) -> int:
    """Join each run of consecutive stream outputs of one name (stdout, stderr) into one; returns how many went."""
    merged = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            last = outputs[-1] if outputs else None
            if output.output_type == "stream" and last is not None and last.output_type == "stream" \
                    and last.name == output.name:
                last.text += output.text
                merged += 1
            else:
                outputs.append(output)
        cell.outputs = outputs
    return merged


def execute(path: Path) -> None:
    """Run a chapter top to bottom in a fresh kernel, in notebooks/ (where a learner's kernel starts)."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    with kept_apart():  # so chapter 00's progress cell stores this run's verdicts, not the maintainer's
        NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    merge_streams(notebook)
    nbformat.write(notebook, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockercourse.tooling.store", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", metavar="NN", help="the chapters (default: every chapter)")
    parser.add_argument("--merge", action="store_true", help="only merge the stored streams")
    args = parser.parse_args(argv)
    chapters = read_chapters()
    unknown = [number for number in args.chapters if number not in chapters]
    if unknown:
        print(f"store: no chapter {', '.join(unknown)} in course.toml; known: {', '.join(chapters)}")
        return 2
    repo = Path(__file__).resolve().parents[2]
    for number in args.chapters or list(chapters):
        path = repo / chapters[number].path
        started = time.monotonic()
        if args.merge:
            notebook = nbformat.read(path, as_version=4)
            merged = merge_streams(notebook)
            nbformat.write(notebook, path)
            print(f"store: {path.name}: {merged} stream output(s) merged")
            continue
        try:
            execute(path)
        except Exception as error:  # noqa: BLE001 - one line per chapter: the failing cell is in the message
            print(f"store: {path.name} FAILED: {str(error).strip().splitlines()[-1]}: fix the cell, then run again")
            return 1
        print(f"store: {path.name} executed and stored in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
