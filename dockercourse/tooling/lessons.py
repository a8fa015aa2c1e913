"""The forms that make a chapter a lesson (CONTRIBUTING.md, "A lesson, not a document"), read from a notebook.

- A **prediction**: a markdown cell tagged ``predict`` (``**Predict.** …``), then the cell(s) that run it and the
  explanation, tagged ``reveal``: the code's output folded, the explanation inside ``<details>``.
- A **quick check**, one in every ``##`` section: a markdown cell tagged ``quick-check`` (``**Quick check.** …``,
  options ``- (a) …``, the answer in ``<details><summary>Answer</summary>``).
- An **exercise** of one of three kinds: a *warm-up* (a ``____`` blank in its starting point), an *open* one (an
  empty starting cell with a ``# TODO`` that states the goal), a *break-fix* one (a cell tagged ``breaks`` sets up
  something broken; the learner's starting cell is a ``# TODO``).
- A **rebuild**: a build cell tagged ``rebuild`` whose stored log shows at least one step that ran.

Used by: tests/test_lessons.py, the minutes model (minutes.py), the site's hooks (the folded reveals).
"""

import re

from ..exercises import Exercise, tags

PREDICT, REVEAL, QUICK_CHECK, REBUILD, BREAKS = "predict", "reveal", "quick-check", "rebuild", "breaks"
#: The distinctive tokens of a command or value: a --flag (with its value), or a word with a digit or one of :=/.
TOKEN = re.compile(r"--[a-z][a-z0-9-]+(?:=[^\s'\"]+)?|[A-Za-z0-9_.-]*[0-9:=/][A-Za-z0-9_.:=/-]*")
#: The docker subcommand words a line runs (`docker network connect` → network, connect).
SUBCOMMAND = re.compile(r"\bdocker(?:\s+compose)?((?:\s+[a-z][a-z-]+){1,2})")
#: Words too common to give anything away.
COMMON = set("""docker compose run exec build up down the and for with from this that image container network volume
python print none true false answer todo name label dockercourse course rm sh bash echo cat tmp ls ps inspect
logs -f""".split())


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def sections(notebook) -> list[tuple[str, list]]:
    """Each `##` section's heading (without the hashes) and its cells, up to the next `##` heading."""
    found: list[tuple[str, list]] = []
    for cell in notebook.cells:
        heading = re.search(r"^## (.+)$", source(cell), re.M) if cell.cell_type == "markdown" else None
        if heading:
            found.append((heading.group(1).strip(), []))
        if found:
            found[-1][1].append(cell)
    return found


def exercise_kind(notebook, exercise: Exercise) -> str | None:
    """"warm-up", "open" or "break-fix" (see the module's docstring), or None for none of them."""
    starting = "\n".join(source(notebook.cells[index]) for index in exercise.stubs)
    first = exercise.stubs[0] if exercise.stubs else exercise.heading
    broken = any(BREAKS in tags(notebook.cells[index]) for index in range(exercise.heading, first))
    if "____" in starting:
        return "warm-up"
    if "# TODO" in starting:
        return "break-fix" if broken else "open"
    return None


def distinctive_tokens(solution: str, given: str) -> set[str]:
    """What the solution adds to what the learner was given: its flags, values and docker subcommand words."""
    def tokens(text: str) -> set[str]:
        words = set(TOKEN.findall(text))
        words |= {word for found in SUBCOMMAND.findall(text) for word in found.split()}
        return {word for word in words if word.lower() not in COMMON and len(word) > 2}

    return tokens(solution) - tokens(given) - {"--label", "--name", "--rm"}


def visible_output_lines(cell) -> int:
    """The lines of text a code cell's stored outputs show (pictures count as none)."""
    lines = 0
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {}):
            continue
        text = text if isinstance(text, str) else "".join(text)
        lines += len(text.rstrip("\n").splitlines())
    return lines


#: A step that ran, as dockercourse.buildkit_log.steps() prints it ("   ran  COPY . ."): a raw BuildKit log is not
#: stable enough to compare (cached steps come in any order, numbered differently from run to run).
STEP_RAN = re.compile(r"^\s*ran  (.+)$", re.M)


def ran_steps(log: str) -> list[str]:
    """The steps of a build log that ran rather than came from the cache: BuildKit's plain log ("#7 [3/4] COPY app.py
    ."), or the one line per step that buildkit_log.steps() prints ("   ran  COPY . .")."""
    steps = dict(re.findall(r"^#(\d+) (\[[^\]]+\] .+)$", log, re.M))
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.M))
    return [step for number, step in steps.items() if number not in cached] or STEP_RAN.findall(log)
