"""What a learner reads in a chapter: visible lines of Python against lines that run docker or a shell.

    python -m tests.notebook_lines        # the table, per chapter and in all

Counted: code cells whose input is shown (not collapsed check cells), without blank lines and
comments. `%%writefile` cells are material (a Dockerfile, a compose file, the app's code), not
plumbing: not counted. A `%%bash` cell, a `!command` line, `name = !command` and their `\\`
continuations are shell; every other line is Python.
"""

import re
import sys

import nbformat

SHELL_LINE = re.compile(r"^(\w+\s*=\s*)?!")
SHELL_MAGICS = ("%%bash", "%%sh", "%%script")


def hidden(cell) -> bool:
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


def visible_lines(notebook) -> tuple[int, int]:
    """(Python lines, shell lines) a learner sees in the notebook's code cells."""
    python = shell = 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or hidden(cell) or cell.source.startswith("%%writefile"):
            continue
        lines = cell.source.splitlines()
        in_shell = lines and lines[0].startswith(SHELL_MAGICS)
        continued = False
        for line in lines[1:] if in_shell else lines:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if in_shell or continued or SHELL_LINE.match(text):
                shell += 1
                continued = text.endswith("\\") and not in_shell
            else:
                python += 1
    return python, shell


def main() -> None:
    from dockercourse.course import chapter_paths

    total_python = total_shell = 0
    print(f"{'chapter':<36} {'python':>6} {'shell':>6} {'ratio':>6}")
    for path in chapter_paths():
        python, shell = visible_lines(nbformat.read(path, as_version=4))
        total_python, total_shell = total_python + python, total_shell + shell
        print(f"{path.name:<36} {python:>6} {shell:>6} {python / max(shell, 1):>6.2f}")
    print(f"{'all':<36} {total_python:>6} {total_shell:>6} {total_python / max(total_shell, 1):>6.2f}")


if __name__ == "__main__":
    sys.exit(main())
