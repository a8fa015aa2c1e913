"""Fixtures shared by the course's tests."""

import uuid
from pathlib import Path

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.resources import remove_labelled


@pytest.fixture(scope="session")
def chapters() -> dict[Path, nbformat.NotebookNode]:
    """Every chapter notebook, read once, by path."""
    paths = sorted((REPO_DIR / "notebooks").glob("*.ipynb"))
    return {path: nbformat.read(path, as_version=4) for path in paths}


@pytest.fixture
def test_label() -> str:
    """A label value unique to one test (`dockercourse=tests-…`); whatever carries it is removed afterwards."""
    creator = f"tests-{uuid.uuid4().hex[:8]}"
    yield creator
    remove_labelled(creator)
