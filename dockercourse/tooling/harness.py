"""`make test`: the course's stages, in order, stopping at the first that fails.

    python -m dockercourse.tooling.harness            # every stage
    python -m dockercourse.tooling.harness nbval      # one stage (what `make nbval` runs)

Stages: lint → unit → nbval (every exercise solved after its hint) → site (build + browser tests) → leaks.
`make check` (the inner loop) runs lint, unit-fast (the unit tests that need no engine) and nbval-changed
(the chapters changed since main, and those whose checkers or sample app files changed, when an engine answers).
Each pytest stage writes JUnit XML under build/test-results/; the summary adds them up. A pytest stage
that collects no test is reported as EMPTY — neither a pass nor a failure — so a stage cannot go quietly missing.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from .. import REPO_DIR, CourseError
from ..course import NESTED_ENGINES, RUNS_ALONE, read_chapters
from ..engine import docker, require_engine
from ..progress import CODE, DATA_ENV, course_exercises, read_log
from .junit import read_reports, seconds_per_notebook
from .pytest_plugin import SOLUTIONS_OPTION

REPO = REPO_DIR
RESULTS = REPO / "build" / "test-results"
#: nbval's sanitizers: what varies between runs and machines (in the package: the course image runs nbval too).
SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
#: Set in a course stack's lab (compose.yaml, the workshop spawner): there SANITIZE_STACK is added to SANITIZE.
STACK_ENV = "DOCKERCOURSE_STACK"
SANITIZE_STACK = Path(__file__).with_name("nbval_sanitize_stack.cfg")
SITE_DIR = REPO / "build" / "site"
STAGE_TIMES = RESULTS / "stages.json"  # the last run's stages and seconds, for `make bench` (timings.py)
BIN = Path(sys.executable).parent
PYTEST_NO_TESTS = 5
CELL_TIMEOUT_S = 600
#: pytest-xdist workers for the engine-bound stages: more workers than cores pay off while they wait on the
#: engine; at four, the two cores are busy (README, "In parallel": the counts tried). WORKERS=N overrides both.
UNIT_WORKERS = 4
NBVAL_WORKERS = 4
# GitHub Actions workflows against SchemaStore's workflow schema, which check-jsonschema ships (offline).
# actionlint would also check expressions, but PyPI has no wheel of it: its sdist downloads the binary.
WORKFLOW_LINT = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
GENERATED = {".venv", "build", "site", ".ipynb_checkpoints", "__pycache__"}


def tracked(*patterns: str) -> list[str]:
    """Files git knows (committed or staged) matching the patterns, so scratch files are not linted.

    In the course unpacked from a workshop bundle (no .git): the files there, minus generated ones.
    """
    if not (REPO / ".git").exists():
        found = {path.relative_to(REPO) for pattern in patterns
                 for path in REPO.glob(pattern if "/" in pattern else f"**/{pattern}") if path.is_file()}
        return sorted(str(path) for path in found if not GENERATED.intersection(path.parts))
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
                             cwd=REPO, capture_output=True, text=True)
    if listing.returncode != 0:
        sys.exit(f"harness: `git ls-files` failed ({listing.stderr.strip()}): run make test in a git checkout")
    return [path for path in listing.stdout.splitlines() if (REPO / path).exists()]


def flagged(flag: str) -> set[str]:
    """The chapters the course file flags: "runs-alone" (chapter 00's doctor checks that every chapter's ports
    are free, which chapters beside it would hold) or "nested-engines" (chapter 12 starts engines of its own:
    against an engine that is itself in a container they would nest two deep, so that run skips them)."""
    return {number for number, chapter in read_chapters(REPO).items() if flag in chapter.flags}


#: Set where the engine is itself in a container of an engine in a container (measured: see the nested-engines
#: flag's chapters): they are skipped there.
NESTING_ENV = "DOCKERCOURSE_NO_NESTED_ENGINES"
#: `CHAPTERS="00 05"`: only these chapters (the stack check's dev container and the workshop check run chapter 00).
CHAPTERS_ENV = "CHAPTERS"


def notebooks() -> list[str]:
    only = os.environ.get(CHAPTERS_ENV, "").replace(",", " ").split()
    paths = [chapter.path for number, chapter in read_chapters(REPO).items() if not only or number in only]
    if os.environ.get(NESTING_ENV):
        skipped = [path for path in paths if Path(path).name[:2] in flagged(NESTED_ENGINES)]
        if skipped:
            print(f"harness: skipped against the engine in a container (they start engines of their own): "
                  f"{', '.join(skipped)}")
        paths = [path for path in paths if path not in skipped]
    return paths


def longest_first(paths: list[str]) -> list[str]:
    """The notebooks, the longest-running first (by the last nbval run; unmeasured ones first of all): pytest-xdist
    hands files out in this order, so the longest does not start last and set the stage's wall time alone."""
    seconds = seconds_per_notebook(read_reports(reports("nbval")))
    return sorted(paths, key=lambda path: -seconds.get(Path(path).name, float("inf")))


def lint() -> int:
    failed = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=REPO).returncode != 0
    dockerfiles = [path for path in tracked("*Dockerfile*") if not path.endswith(".dockerignore")]
    if dockerfiles:
        failed |= subprocess.run([str(BIN / "hadolint"), *dockerfiles], cwd=REPO).returncode != 0
    print(f"hadolint: {len(dockerfiles)} Dockerfile(s) checked")
    workflows = tracked("**/.github/workflows/*.yml")  # sample_app's: linted, never run by GitHub
    if workflows:
        failed |= subprocess.run([*WORKFLOW_LINT, *workflows], cwd=REPO).returncode != 0
    print(f"check-jsonschema: {len(workflows)} GitHub Actions workflow(s) checked against the workflow schema")
    for notebook in notebooks():
        try:
            nbformat.validate(nbformat.read(REPO / notebook, as_version=4))
        except Exception as error:  # nbformat raises several kinds; each means "not a valid notebook"
            print(f"{notebook}: not valid nbformat: {str(error).splitlines()[0]}")
            failed = True
    print(f"nbformat: {len(notebooks())} notebook(s) checked")
    return int(failed)


def workers(default: int) -> int:
    return int(os.environ.get("WORKERS", default))


def parallel(count: int, each: str = "loadfile") -> list[str]:
    """pytest-xdist's options: `count` workers, each file on one worker (a module's fixtures, a notebook's
    kernel), or with `each="load"` each test wherever a worker is free. One worker: no xdist at all."""
    return ["-n", str(count), "--dist", each] if count > 1 else ["-p", "no:xdist"]


def pytest_stage(name: str, arguments: list[str]) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "-q", f"--junitxml={RESULTS / name}.xml", *arguments]
    return subprocess.run(command, cwd=REPO).returncode


def unit_paths() -> list[str]:
    return [path for path in ("tests", "sample_app/tests") if (REPO / path).is_dir()]


def engine_answers() -> bool:
    """Before a stage that needs the engine: one line that says what to do when none answers."""
    try:
        require_engine()
    except CourseError as error:
        print(f"harness: {error}")
        return False
    return True


#: Test folders that are legs of their own, not unit tests: the site (after its build), the course stack and the
#: workshop server (CI's stack and workshop checks).
OWN_LEGS = ["--ignore=tests/site", "--ignore=tests/stack", "--ignore=tests/workshop"]


def unit() -> int:
    if not engine_answers():
        return 1
    return pytest_stage("unit", [*unit_paths(), *OWN_LEGS, *parallel(workers(UNIT_WORKERS))])


def sanitizers() -> Path:
    """nbval's sanitizer file: SANITIZE, and in a course stack's lab SANITIZE_STACK after it (nbval reads one file)."""
    if not os.environ.get(STACK_ENV):
        return SANITIZE
    combined = RESULTS / "nbval_sanitize_stack.cfg"
    combined.parent.mkdir(parents=True, exist_ok=True)
    combined.write_text(SANITIZE.read_text() + "\n" + SANITIZE_STACK.read_text())
    return combined


def run_nbval(stage: str, paths: list[str]) -> int:
    """The notebooks under nbval, each exercise solved right after its hint (pytest_plugin.py): the chapters that
    run alone first (report STAGE-alone.xml), then the rest in parallel, the longest first."""
    if not paths:
        return PYTEST_NO_TESTS  # without paths, pytest would collect the whole repository
    options = ["--nbval", "--nbval-current-env", f"--nbval-cell-timeout={CELL_TIMEOUT_S}",
               "--nbval-sanitize-with", str(sanitizers()), SOLUTIONS_OPTION]
    print(f"{stage}: {len(paths)} chapter(s): {' '.join(Path(path).name[:2] for path in paths)}", flush=True)
    progress = RESULTS / "progress" / stage  # the chapters' kernels record their checkers' verdicts here
    shutil.rmtree(progress, ignore_errors=True)
    os.environ[DATA_ENV] = str(progress)
    alone = [path for path in paths if Path(path).name[:2] in flagged(RUNS_ALONE)]
    rest = longest_first([path for path in paths if path not in alone])
    code = pytest_stage(f"{stage}-alone", [*options, *parallel(1), *alone]) if alone else 0
    if code in (0, PYTEST_NO_TESTS) and rest:
        code = pytest_stage(stage, [*options, *parallel(min(workers(NBVAL_WORKERS), len(rest))), *rest])
    if code != 0:
        return code
    wrong = progress_recorded_wrong(progress, {Path(path).name[:2] for path in paths})
    for line in wrong:
        print(f"{stage}: progress log: {line}")
    return 1 if wrong else 0


def progress_recorded_wrong(progress: Path, chapters: set[str]) -> list[str]:
    """What the solved run's progress log got wrong: each exercise of the chapters that ran must have exactly
    two records, in the chapter's order — its starting point's ✗ with the hint's name, then the solution's ✓."""
    recorded: dict[str, list[tuple[str, bool, bool]]] = {}
    for attempt in read_log(progress / "progress.jsonl"):
        recorded.setdefault(attempt.chapter, []).append((attempt.exercise, attempt.ok, bool(CODE.match(attempt.code))))
    wrong = []
    for number in sorted(chapters):
        expected = [(item.number, ok, not ok) for item in course_exercises() if item.chapter == number
                    for ok in (False, True)]
        if recorded.get(number, []) != expected:
            wrong.append(f"chapter {number} recorded {recorded.get(number, [])}, not {expected} "
                         "((exercise, ✓, the hint named) for each try)")
    return wrong


def nbval() -> int:
    return run_nbval("nbval", notebooks()) if engine_answers() else 1


def unit_fast() -> int:
    """`make check`: the unit tests that need no engine. They wait on nothing, so one worker per core
    (on 2 cores: 64 s, against 108 s with one worker and 73 s with four)."""
    return pytest_stage("unit-fast", [*unit_paths(), *OWN_LEGS, "-m", "not engine",
                                      *parallel(workers(os.cpu_count() or 1))])


def changed_files() -> set[str]:
    """The files changed since main: committed on this branch, staged, edited or new."""
    def git(*args: str) -> list[str]:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.split()
    base = (git("merge-base", "HEAD", "main") or ["HEAD"])[0]
    return set(git("diff", "--name-only", base)) | set(git("ls-files", "--others", "--exclude-standard"))


def uses(text: str, path: str) -> bool:
    """A chapter (its notebook's text) uses a file: it copies or names sample_app/, or imports the module."""
    if path.startswith("sample_app/"):
        return "sample_app" in text
    module = path.removesuffix(".py").replace("/", ".")
    return path.startswith("dockercourse/") and module in text


def affected_notebooks(changed: set[str]) -> list[str]:
    """The chapters a change can break: a changed chapter; the chapter of a changed checker (checks/chNN.py);
    every chapter that uses a changed file of the sample app or imports a changed module of the package."""
    affected = []
    for notebook in notebooks():
        number, text = Path(notebook).name[:2], (REPO / notebook).read_text()
        if notebook in changed or f"dockercourse/checks/ch{number}.py" in changed or \
                any(uses(text, path) for path in changed):
            affected.append(notebook)
    return affected


def nbval_changed() -> int:
    """`make check`: the chapters a change since main can break, under nbval, when an engine answers (none to
    run: EMPTY, not a pass)."""
    affected = affected_notebooks(changed_files())
    print(f"chapters a change since main can break: {', '.join(affected) or 'none'}")
    if affected:
        try:
            require_engine()
        except CourseError as error:
            print(f"nbval-changed: not run, {error}")
            return PYTEST_NO_TESTS
    return run_nbval("nbval-changed", affected)


def site() -> int:
    """Build the site strictly, then test it in a real browser (tests/site), each test wherever a worker is free, one
    worker per core: the axe-core pass over every page is most of the stage's work, in one file."""
    # The banner about MkDocs 2 / Material's end of life is news for the maintainers, not test output.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE_DIR)],
                           cwd=REPO, env=env).returncode
    return built or pytest_stage("site", ["tests/site", *parallel(workers(os.cpu_count() or 1), each="load")])


def dangling_volumes() -> set[str]:
    """Volumes no container uses. An anonymous one (an image's VOLUME) carries no label of its own."""
    return set(docker("volume", "ls", "--quiet", "--filter", "dangling=true", check=False).stdout.split())


#: The dangling volumes before this run's first stage: the leaks stage reports the ones added since.
DANGLING_BEFORE: set[str] = set()


def added_dangling_volumes() -> set[str]:
    return dangling_volumes() - DANGLING_BEFORE


def leaks() -> int:
    labelled = subprocess.run([sys.executable, "-m", "dockercourse", "leaks"], cwd=REPO).returncode
    added = added_dangling_volumes()
    if added:
        print(f"leaks: {len(added)} volume(s) no container uses appeared during this run (e.g. {min(added)[:12]}): "
              "a container of an image with VOLUME was removed without its volumes — use --rm, or docker rm -v")
    return labelled or int(bool(added))


def stack() -> int:
    """`make stack-check`'s first part: the course stack through its dev container (tests/stack)."""
    return pytest_stage("stack", ["tests/stack", "-p", "no:xdist"]) if engine_answers() else 1


def workshop() -> int:
    """`make workshop-check`: the workshop server with three learners (tests/workshop)."""
    return pytest_stage("workshop", ["tests/workshop", "-p", "no:xdist"]) if engine_answers() else 1


STAGES = {"lint": lint, "unit": unit, "nbval": nbval, "site": site, "leaks": leaks}
#: Not stages of `make test`: `make check`'s (the inner loop), and CI's legs of their own.
CHECK_STAGES = {"unit-fast": unit_fast, "nbval-changed": nbval_changed, "stack": stack, "workshop": workshop}


def reports(stage: str) -> list[Path]:
    """A pytest stage's JUnit XML files: its own, and the one of what ran alone first (run_nbval)."""
    return [report for report in (RESULTS / f"{stage}-alone.xml", RESULTS / f"{stage}.xml") if report.exists()]


def counts(stage: str) -> tuple[int, int, int] | None:
    """(passed, failed, skipped) from a pytest stage's JUnit XML, or None for other stages."""
    read = read_reports(reports(stage))
    if not read:
        return None
    return (sum(r.passed for r in read), sum(r.failed for r in read), sum(r.skipped for r in read))


def main(names: list[str]) -> int:
    stages = STAGES | CHECK_STAGES
    unknown = [name for name in names if name not in stages]
    if unknown:
        print(f"harness: unknown stage(s) {unknown}; the stages are: {', '.join(stages)}")
        return 2
    names = names or list(STAGES)
    DANGLING_BEFORE.update(dangling_volumes())
    for name in names:  # only the stages run now: the site reads the last nbval report (agenda.py)
        for report in reports(name):
            report.unlink()
    rows, verdict = [], 0
    for name in names:
        print(f"\n==> stage {name}", flush=True)
        start = time.monotonic()
        code = stages[name]()
        status = "EMPTY" if code == PYTEST_NO_TESTS else "ok" if code == 0 else "FAILED"
        rows.append((name, status, time.monotonic() - start, counts(name)))
        if status == "FAILED":
            verdict = 1
            break
    RESULTS.mkdir(parents=True, exist_ok=True)
    STAGE_TIMES.write_text(json.dumps({"workers": {"unit": workers(UNIT_WORKERS), "nbval": workers(NBVAL_WORKERS)},
                                       "stages": [{"stage": name, "result": status, "seconds": round(seconds, 1)}
                                                  for name, status, seconds, _ in rows]}, indent=1))
    print("\nstage           result   seconds  tests")
    for name, status, seconds, tally in rows:
        detail = f"{tally[0]} passed, {tally[1]} failed, {tally[2]} skipped" if tally else ""
        print(f"{name:<15} {status:<8} {seconds:7.1f}  {detail}")
    if verdict:
        print(f"make test: stage '{rows[-1][0]}' failed — read its output above; "
              f"rerun it alone with `make {rows[-1][0]}`")
    empty = [name for name, status, _, _ in rows if status == "EMPTY"]
    if empty:
        print(f"make test: stage(s) {empty} collected no test — not counted as passed")
    tallies = [tally for *_, tally in rows if tally]
    print(f"total: {sum(t[0] for t in tallies)} passed, {sum(t[1] for t in tallies)} failed, "
          f"{sum(t[2] for t in tallies)} skipped")
    return verdict


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
