"""pytest plugin (loaded by pyproject's addopts): no engine means one clear line, not a page of errors.

Tests marked ``engine`` and every notebook cell run by nbval need Docker. When any of them is
collected and no engine answers, the run stops at once with the line that says what to do.
"""

import pytest

from . import CourseError
from .engine import require_engine


def _needs_engine(item: pytest.Item) -> bool:
    return item.get_closest_marker("engine") is not None or item.path.suffix == ".ipynb"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if any(_needs_engine(item) for item in items):
        try:
            require_engine()
        except CourseError as error:
            pytest.exit(f"{error}", returncode=3)
