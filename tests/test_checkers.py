"""The exercise checkers as a whole: simple functions (radon's complexity rank C or better), and mostly judged
without an engine (a checker observes, then judges: dockercourse/checks/common.py)."""

import subprocess
import sys

from radon.complexity import cc_rank, cc_visit

from dockercourse import PACKAGE_DIR, REPO_DIR

CHECKS = PACKAGE_DIR / "checks"
#: The share of checker tests that must run with no engine: the judging side, on recorded observations.
ENGINE_FREE_SHARE = 0.70


def test_no_checker_function_is_more_complex_than_rank_c():
    worse = [f"{path.name}:{block.lineno} {block.fullname} {cc_rank(block.complexity)}({block.complexity})"
             for path in sorted(CHECKS.glob("*.py")) for block in cc_visit(path.read_text())
             if cc_rank(block.complexity) > "C"]
    assert not worse, f"split these into observe and judge, or simplify them: {worse}"


def collected(*options: str) -> int:
    """How many checker tests pytest collects with these options (collection only: nothing runs)."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "-p", "no:xdist", *options, "tests/checks"], cwd=REPO_DIR, capture_output=True, text=True)
    summary = result.stdout.strip().splitlines()[-1]  # "12/40 tests collected (28 deselected) in 0.5s"
    return int(summary.split()[0].split("/")[0])


def test_most_checker_tests_need_no_engine():
    total, engine_free = collected(), collected("-m", "not engine")
    assert engine_free >= ENGINE_FREE_SHARE * total, \
        f"{engine_free} of {total} checker tests run without an engine; at least {ENGINE_FREE_SHARE:.0%}: judge " \
        "recorded observations, and keep the engine for a few tests of the observing side"
