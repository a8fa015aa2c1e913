"""Chapter 09's checkers: what they say to the notebook's starting points (the stored hints) and to
typical wrong answers (each fails with the hint that helps). The solutions themselves are proved by
`make nbval`, which solves each exercise in the chapter. Also the stand-in recipe's `remove` list
(dockercourse/images.py), which makes the shell-less base of this chapter."""

from pathlib import Path

import pytest

from dockercourse import CourseError
from dockercourse.checks import ch09
from dockercourse.machine.standins import remove_paths
from dockercourse.manifest import manifest_image

GREET = 'import sys\n\nprint(f"Hello, {\' \'.join(sys.argv[1:]) or \'nobody\'}!")\n'
DISTROLESS = "FROM gcr.io/distroless/python3-debian13:nonroot\nCOPY greet.py /app/greet.py\n"
STUB_1 = DISTROLESS + "# TODO: exec form\nENTRYPOINT /usr/bin/python3 /app/greet.py\nCMD ____\n"
SOLVED_PIP = ("FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\n"
              "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
              "    pip install --root-user-action=ignore -r requirements.txt\n")
STUB_2 = ("FROM python:3.13-slim-trixie\nWORKDIR /app\nCOPY requirements.txt .\n# TODO: a cache mount\n"
          "RUN pip install --no-cache-dir --root-user-action=ignore -r requirements.txt\n")


def context(tmp_path: Path, dockerfile: str) -> Path:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "greet.py").write_text(GREET)
    return tmp_path


# --- Exercise 9.1 ---------------------------------------------------------------------------------

def test_exec_form_starting_point_gets_its_hint(tmp_path):
    verdict = ch09.exec_form_greeter(context(tmp_path, STUB_1), chapter="tests")
    assert repr(verdict).startswith("✗") and "replace ____" in verdict.hint


@pytest.mark.parametrize("dockerfile, hint", [
    (DISTROLESS + 'CMD ["World"]\n', "set yours to run the script"),
    (DISTROLESS + 'ENTRYPOINT /usr/bin/python3 /app/greet.py\nCMD ["World"]\n', "this base has no shell"),
    (DISTROLESS + 'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"]\n', 'CMD ["World"]'),
    (DISTROLESS + 'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"]\nCMD World\n', "write it as a JSON array"),
], ids=["no entrypoint", "shell-form entrypoint", "no cmd", "shell-form cmd"])
def test_exec_form_wrong_dockerfiles_fail_with_a_hint(tmp_path, dockerfile, hint):
    verdict = ch09.exec_form_greeter(context(tmp_path, dockerfile), chapter="tests")
    assert not verdict and hint in verdict.hint, repr(verdict)


def test_exec_form_without_a_dockerfile_says_which_cell_to_run(tmp_path):
    verdict = ch09.exec_form_greeter(tmp_path / "missing", chapter="tests")
    assert not verdict and "%%writefile" in verdict.hint


def test_exec_form_name_in_the_entrypoint_fails_with_a_hint(engine, tmp_path, test_label):
    dockerfile = DISTROLESS + 'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py", "World"]\nCMD []\n'
    verdict = ch09.exec_form_greeter(context(tmp_path, dockerfile), image=f"{test_label}/greeter:1",
                                     chapter=test_label)
    assert not verdict and "Hello, World Docker!" in verdict.message, repr(verdict)
    assert "keep the name out of ENTRYPOINT" in verdict.hint, repr(verdict)


def test_exec_form_solution_passes(engine, tmp_path, test_label):
    dockerfile = DISTROLESS + 'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"]\nCMD ["World"]\n'
    verdict = ch09.exec_form_greeter(context(tmp_path, dockerfile), image=f"{test_label}/greeter:1",
                                     chapter=test_label)
    assert verdict, repr(verdict)


# --- Exercise 9.2 ---------------------------------------------------------------------------------

def test_cache_mount_starting_point_gets_its_hint(tmp_path):
    verdict = ch09.pip_cache_mount(context(tmp_path, STUB_2.replace("# TODO: a cache mount\n", "")),
                                   chapter="tests")
    assert not verdict and "--mount=type=cache" in verdict.hint


@pytest.mark.parametrize("run, hint", [
    ("RUN --mount=type=cache,target=/cache pip install -r requirements.txt", "target=/root/.cache/pip"),
    ("RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt",
     "drop --no-cache-dir"),
    ("RUN echo nothing", "keep the exercise's RUN pip install"),
    ("RUN --mount=type=bind,source=.,target=/src pip install -r requirements.txt", "--mount=type=cache"),
], ids=["wrong target", "cache switched off", "no pip", "bind mount"])
def test_cache_mount_wrong_dockerfiles_fail_with_a_hint(tmp_path, run, hint):
    dockerfile = "FROM python:3.13-slim-trixie\nCOPY requirements.txt .\n" + run + "\n"
    verdict = ch09.pip_cache_mount(context(tmp_path, dockerfile), chapter="tests")
    assert not verdict and hint in verdict.hint, repr(verdict)


def test_cache_mount_solution_passes(engine, tmp_path, test_label):
    (tmp_path / "requirements.txt").write_text(Path("sample_app/requirements.txt").read_text())
    verdict = ch09.pip_cache_mount(context(tmp_path, SOLVED_PIP), image=f"{test_label}/cached:1", chapter=test_label)
    assert verdict, repr(verdict)


# --- The stand-in's `remove` list (dockercourse/images.py) ------------------------------------------

def test_remove_paths_deletes_links_and_globs_and_refuses_a_missing_path(tmp_path):
    (tmp_path / "usr/bin").mkdir(parents=True)
    for name in ("dash", "apt", "apt-get", "python3.13"):
        (tmp_path / "usr/bin" / name).write_text("")
    (tmp_path / "usr/bin/sh").symlink_to("dash")
    removed = remove_paths(tmp_path, ["/usr/bin/sh", "/usr/bin/dash", "/usr/bin/apt*"])
    assert sorted(path.name for path in removed) == ["apt", "apt-get", "dash", "sh"]
    assert sorted(path.name for path in (tmp_path / "usr/bin").iterdir()) == ["python3.13"]
    with pytest.raises(CourseError, match="nothing at '/usr/bin/bash'"):
        remove_paths(tmp_path, ["/usr/bin/bash"])


def test_the_distroless_standin_removes_the_shells_and_names_it_in_its_recipe():
    standin = manifest_image("gcr.io/distroless/python3-debian13").standin
    assert {"/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash"} <= set(standin.remove)
    assert "removed /usr/bin/sh" in standin.recipe()
    python = manifest_image("python").standin
    assert "removed" not in python.recipe(), "an empty remove list leaves the other recipes (and keys) as they were"
