"""Compose is accepted by major version (2 or more), never by a version prefix: v2 and v5 are the same
`docker compose` CLI. The doctor and chapter 00 share the check; a fake `docker` on PATH answers
`docker compose version --short` the way each release does, or like a client without the plugin."""

import inspect
import re
import stat
from pathlib import Path

import pytest

from dockercourse import REPO_DIR
from dockercourse.machine import doctor
from dockercourse.machine.doctor import check_compose

# A client without the plugin answers as the real one does (exit 1, a usage line on stderr).
FAKE_DOCKER = """#!/bin/sh
if [ "$1 $2" = "compose version" ]; then
    [ -n "$FAKE_COMPOSE" ] || { echo "docker: unknown command: docker compose" >&2; exit 1; }
    echo "$FAKE_COMPOSE"; exit 0
fi
echo "fake docker: unexpected call: $*" >&2; exit 2
"""


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Put a fake `docker` first on PATH; the test sets FAKE_COMPOSE to the version it prints."""
    script = tmp_path / "docker"
    script.write_text(FAKE_DOCKER)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}:{Path('/usr/bin')}:{Path('/bin')}")
    return lambda version: monkeypatch.setenv("FAKE_COMPOSE", version)


@pytest.mark.parametrize("printed, shown", [("2.40.3", "Compose 2.40.3"), ("v2.26.1", "Compose 2.26.1"),
                                            ("2.40.3-3", "Compose 2.40.3-3"), ("5.5.0", "Compose 5.5.0")])
def test_compose_v2_and_v5_both_pass(fake_docker, printed, shown):
    fake_docker(printed)
    check = check_compose()
    assert check.ok and check.found == shown and check.fix == ""


def test_a_missing_compose_plugin_fails_with_how_to_install_it(fake_docker):
    fake_docker("")
    check = check_compose()
    assert not check.ok and check.found == "missing"
    assert "docker compose" in check.fix and "Docker Desktop has it" in check.fix


def test_a_compose_older_than_v2_fails_with_the_upgrade(fake_docker):
    fake_docker("1.29.2")  # only a hand-made plugin prints this; the check reads the major version
    check = check_compose()
    assert not check.ok and check.found == "Compose 1.29.2" and "upgrade Compose to 2 or newer" in check.fix


def test_chapter_00_judges_compose_by_the_doctors_check(chapters):
    """Chapter 00 shows `docker compose version` and leaves the verdict to the doctor's checks, which read
    the major version (check_compose), instead of a version test of its own."""
    preflight = chapters[REPO_DIR / "notebooks" / "00-preflight.ipynb"]
    code = "\n".join(cell.source for cell in preflight.cells if cell.cell_type == "code")
    assert "docker compose version" in code and "run_checks()" in code
    assert not re.search(r"startswith\(\s*[\"']v?\d", code), "a version-prefix test of its own"
    assert "check_compose()" in inspect.getsource(doctor.run_checks)
