"""The one reader of pytest's JUnit XML reports: the harness's tallies, the agenda's run-all times, `make bench`'s
slowest tests and the harness's longest-first order all come from here.
"""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

NOTEBOOK_IN_CLASSNAME = re.compile(r"(\d\d-[a-z0-9-]+\.ipynb)$")


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    seconds: float

    @property
    def notebook(self) -> str | None:
        """"05-build-and-run.ipynb" for a notebook cell run by nbval, else None."""
        found = NOTEBOOK_IN_CLASSNAME.search(self.classname)
        return found.group(1) if found else None


@dataclass(frozen=True)
class Report:
    cases: list[Case]
    tests: int
    failed: int  # failures and errors
    skipped: int
    timestamp: datetime | None
    hostname: str | None

    @property
    def passed(self) -> int:
        return self.tests - self.failed - self.skipped


def read_report(path: Path) -> Report:
    """One JUnit XML file; a file that is not readable XML ends in one line that says what to do."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise ValueError(f"{path}: not readable JUnit XML ({error}): run the stage that writes it again") from None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(suite.get("tests", 0)) for suite in suites)
    failed = sum(int(suite.get(kind, 0)) for suite in suites for kind in ("failures", "errors"))
    skipped = sum(int(suite.get("skipped", 0)) for suite in suites)
    stamp = suites[0].get("timestamp") if suites else None
    cases = [Case(case.get("classname", ""), case.get("name", ""), float(case.get("time", 0)))
             for case in root.iter("testcase")]
    return Report(cases, total, failed, skipped, datetime.fromisoformat(stamp) if stamp else None,
                  suites[0].get("hostname") if suites else None)


def read_reports(paths: list[Path]) -> list[Report]:
    """The reports of the paths that exist."""
    return [read_report(path) for path in paths if path.exists()]


def seconds_per_notebook(reports: list[Report]) -> dict[str, float]:
    """A notebook's run-all time: the seconds of its cells (its exercises' solving cells included), added up."""
    seconds: dict[str, float] = {}
    for case in (case for report in reports for case in report.cases):
        if case.notebook:
            seconds[case.notebook] = seconds.get(case.notebook, 0.0) + case.seconds
    return seconds
