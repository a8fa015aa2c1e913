"""dockercourse/tooling/harness.py: the stages, `make check`'s choice of chapters, the longest-first order."""

import subprocess

from dockercourse import LABEL
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from dockercourse.tooling import harness
from tests.conftest import write_chapter


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


def test_make_check_runs_the_chapters_a_change_since_main_can_break_and_no_others(tmp_path, monkeypatch):
    for number, slug in (("00", "a"), ("01", "b"), ("02", "c"), ("03", "d")):
        write_chapter(tmp_path, number, slug, slug.upper(), 10, 5)
    notebook = tmp_path / "notebooks" / "03-d.ipynb"
    notebook.write_text(notebook.read_text().replace("Questions", "cp -r ../sample_app; from dockercourse.swarm"))
    (tmp_path / "sample_app").mkdir()
    (tmp_path / "sample_app" / "app.py").write_text("")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "main")
    monkeypatch.setattr(harness, "REPO", tmp_path)
    assert harness.affected_notebooks(harness.changed_files()) == []

    git(tmp_path, "checkout", "-q", "-b", "topic")
    (tmp_path / "notebooks" / "01-b.ipynb").write_text('{"committed": 1}')
    git(tmp_path, "commit", "-q", "-am", "on the branch")
    assert harness.affected_notebooks(harness.changed_files()) == ["notebooks/01-b.ipynb"]
    (tmp_path / "notebooks" / "02-c.ipynb").write_text('{"edited": 1}')
    assert harness.affected_notebooks(harness.changed_files()) == ["notebooks/01-b.ipynb", "notebooks/02-c.ipynb"]
    assert harness.affected_notebooks({"dockercourse/checks/ch00.py"}) == ["notebooks/00-a.ipynb"], "its checker"
    assert harness.affected_notebooks({"sample_app/app.py"}) == ["notebooks/03-d.ipynb"], "it copies the app"
    assert harness.affected_notebooks({"dockercourse/swarm.py"}) == ["notebooks/03-d.ipynb"], "it imports it"
    assert harness.affected_notebooks({"tests/test_x.py", "docs/index.md"}) == []


def test_the_longest_chapters_start_first_and_unmeasured_ones_before_them(tmp_path, monkeypatch):
    results = tmp_path / "test-results"
    results.mkdir()
    monkeypatch.setattr(harness, "RESULTS", results)
    cases = [("01-b", 0, 5), ("02-c", 0, 50), ("02-c", 1, 1)]
    (results / "nbval.xml").write_text("<testsuite>" + "".join(
        f'<testcase classname="notebooks.{name}.ipynb" name="Cell {cell}" time="{seconds}"/>'
        for name, cell, seconds in cases) + "</testsuite>")
    paths = ["notebooks/01-b.ipynb", "notebooks/02-c.ipynb", "notebooks/03-new.ipynb"]
    assert harness.longest_first(paths) == ["notebooks/03-new.ipynb", "notebooks/02-c.ipynb", "notebooks/01-b.ipynb"]


def test_the_leaks_stage_names_a_volume_left_by_a_container_removed_without_its_volumes(engine, test_label, capsys,
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
    # Not leaks() == 0: other tests run beside this one (pytest-xdist), each with labelled resources of its own.
    assert volume not in harness.added_dangling_volumes()


def test_the_timing_table_lists_stages_and_the_slowest_cases(tmp_path, monkeypatch):
    from dockercourse.tooling import timings

    results = tmp_path / "test-results"
    results.mkdir()
    monkeypatch.setattr(harness, "RESULTS", results)
    monkeypatch.setattr(timings, "STAGE_TIMES", results / "stages.json")
    (results / "stages.json").write_text('{"workers": {"unit": 4, "nbval": 3}, "stages": ['
                                         '{"stage": "unit", "result": "ok", "seconds": 100.0},'
                                         '{"stage": "nbval", "result": "ok", "seconds": 200.5}]}')
    cases = "".join(f'<testcase classname="tests.test_x" name="test_{n}" time="{n}"/>' for n in range(12))
    (results / "unit.xml").write_text(f"<testsuites><testsuite>{cases}</testsuite></testsuites>")
    (results / "nbval-alone.xml").write_text('<testsuite><testcase classname="notebooks.00-a.ipynb" '
                                             'name="Cell 3" time="7.5"/></testsuite>')
    text = timings.table()
    assert "| nbval | ok | 200.5 |" in text and "| total | | 300.5 |" in text
    assert "`unit: tests.test_x::test_11`" in text and "test_1`" not in text  # the ten slowest only
    assert "| 7.5 | `nbval: 00-a.ipynb::Cell 3` |" in text


def test_the_chapters_that_start_engines_of_their_own_can_be_skipped(tmp_path, monkeypatch, capsys):
    write_chapter(tmp_path, "11", "a", "A", 10, 5)
    write_chapter(tmp_path, "12", "b", "B", 10, 5)
    course_file = tmp_path / "dockercourse" / "course.toml"
    course_file.write_text(course_file.read_text() + 'flags = ["nested-engines"]\n')
    monkeypatch.setattr(harness, "REPO", tmp_path)
    assert harness.notebooks() == ["notebooks/11-a.ipynb", "notebooks/12-b.ipynb"]
    monkeypatch.setenv(harness.NESTING_ENV, "1")
    assert harness.notebooks() == ["notebooks/11-a.ipynb"]
    assert "skipped against the engine in a container" in capsys.readouterr().out


def test_the_workflow_lint_passes_the_pipeline_and_rejects_a_broken_copy(tmp_path):
    workflow = harness.REPO / "sample_app" / ".github" / "workflows" / "ship.yml"
    assert subprocess.run([*harness.WORKFLOW_LINT, str(workflow)], capture_output=True).returncode == 0
    broken = tmp_path / "ship.yml"
    broken.write_text(workflow.read_text().replace("runs-on:", "runs_on:"))
    result = subprocess.run([*harness.WORKFLOW_LINT, str(broken)], capture_output=True, text=True)
    assert result.returncode != 0 and "'runs-on' is a required property" in result.stdout
