"""tests/harness.py: `make check` picks the chapters changed since main."""

import subprocess

import pytest

from dockercourse import LABEL
from dockercourse.engine import docker
from dockercourse.images import manifest_image
from tests import harness


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


def test_make_check_runs_the_chapters_changed_since_main_and_no_others(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    for name in ("00-a", "01-b", "02-c", "03-d"):
        (tmp_path / "notebooks" / f"{name}.ipynb").write_text("{}")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "main")
    monkeypatch.setattr(harness, "REPO", tmp_path)
    assert harness.changed_notebooks() == []

    git(tmp_path, "checkout", "-q", "-b", "topic")
    (tmp_path / "notebooks" / "01-b.ipynb").write_text('{"committed": 1}')
    git(tmp_path, "commit", "-q", "-am", "on the branch")
    (tmp_path / "notebooks" / "02-c.ipynb").write_text('{"edited": 1}')
    (tmp_path / "notebooks" / "04-e.ipynb").write_text("{}")
    assert harness.changed_notebooks() == ["notebooks/01-b.ipynb", "notebooks/02-c.ipynb", "notebooks/04-e.ipynb"]


@pytest.mark.engine
def test_the_leaks_stage_names_a_volume_left_by_a_container_removed_without_its_volumes(test_label, capsys,
                                                                                       monkeypatch):
    monkeypatch.setattr(harness, "DANGLING_BEFORE", harness.dangling_volumes())
    docker("run", "--name", test_label, "--label", f"{LABEL}={test_label}", manifest_image("redis").name, "true")
    volume = docker("inspect", "--format", "{{range .Mounts}}{{.Name}}{{end}}", test_label).stdout.strip()
    docker("rm", test_label)  # without -v: the image's VOLUME /data stays, with no label and no container
    try:
        assert harness.leaks() == 1
        assert "appeared during this run" in capsys.readouterr().out
    finally:
        docker("volume", "rm", volume)
    assert harness.leaks() == 0
