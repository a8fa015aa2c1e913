"""`make bench`'s timing table of the last `make test`: each stage's seconds, and the ten slowest tests
and notebook cells, from the harness's build/test-results/ (stages.json and the JUnit XML of each stage).

    python -m dockercourse.tooling.timings      # prints the table and writes build/test-timings.md

A regression shows as a stage or a test that moved up. The seconds are wall-clock time on the machine
that ran `make test`; under pytest-xdist a test's seconds include the wait for the engine that the
tests beside it cause.
"""

import json
import sys

from .harness import REPO, STAGE_TIMES, reports
from .junit import read_reports

OUTPUT = REPO / "build" / "test-timings.md"
SLOWEST = 10


def slowest(stages: list[str], count: int = SLOWEST) -> list[tuple[float, str]]:
    """The `count` slowest testcases of these stages' reports: (seconds, "stage: name")."""
    cases = [(case.seconds, f"{stage}: {case.classname}::{case.name}".replace("notebooks.", ""))
             for stage in stages for report in read_reports(reports(stage)) for case in report.cases]
    return sorted(cases, reverse=True)[:count]


def table() -> str:
    last = json.loads(STAGE_TIMES.read_text())
    lines = ["# The last `make test`, timed", "",
             f"Workers (pytest-xdist): unit {last['workers']['unit']}, nbval {last['workers']['nbval']}.", "",
             "| stage | result | seconds |", "|---|---|---:|"]
    lines += [f"| {row['stage']} | {row['result']} | {row['seconds']:.1f} |" for row in last["stages"]]
    lines.append(f"| total | | {sum(row['seconds'] for row in last['stages']):.1f} |")
    for title, stages in (("tests", ["unit", "site"]), ("notebook cells", ["nbval"])):
        lines += ["", f"The {SLOWEST} slowest {title}:", "", "| seconds | test |", "|---:|---|"]
        lines += [f"| {seconds:.1f} | `{name}` |" for seconds, name in slowest(stages)]
    return "\n".join(lines) + "\n"


def main() -> int:
    if not STAGE_TIMES.exists():
        print(f"timings: no {STAGE_TIMES.relative_to(REPO)} yet: `make test` writes it; no timing table this time")
        return 0
    text = table()
    OUTPUT.write_text(text)
    print(text + f"\ntimings: written to {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
