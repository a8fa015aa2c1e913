"""Chapter 08's checkers (data and the dev loop) against the starting points, typical wrong answers and the
reference solutions.

The starting points are read from the chapter itself; the engine tests run them (and the solutions) with
the test's own label, names and scratch directory, so they collide with neither the chapter nor other tests.
"""

import re
import shlex
import subprocess
import tarfile

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch08
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks
from dockercourse.manifest import manifest_image

NOTEBOOK = REPO_DIR / "notebooks" / "08-data.ipynb"
PYTHON = manifest_image("python").name


def exercise_cells(number: str) -> tuple[list[str], list[str]]:
    """(the starting points' sources, the solution's blocks) of one exercise, as the chapter stores them."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return ([notebook.cells[index].source for index in exercise.stubs],
            solution_blocks(notebook.cells[exercise.solution].source))


def command(source: str, replacements: dict[str, str]) -> list[str]:
    """The `!docker …` line of a cell as argv, with the chapter's names replaced by the test's."""
    line = next(line for line in source.splitlines() if line.startswith("!"))[1:]
    for old, new in replacements.items():
        line = line.replace(old, new)
    return shlex.split(line)


# --- Exercise 8.1 -----------------------------------------------------------------------------

@pytest.fixture
def notes(test_label, tmp_path):
    """A labelled volume holding todo.txt, as the chapter's cell above Exercise 8.1 makes it; and a backup dir."""
    volume = f"{test_label}-notes"
    docker("volume", "create", "--label", f"dockercourse={test_label}", volume)
    docker("run", "--rm", "--label", f"dockercourse={test_label}", "--mount", f"type=volume,src={volume},dst=/notes",
           PYTHON, "sh", "-c", "echo remember the milk > /notes/todo.txt")
    backup = tmp_path / "backup"
    backup.mkdir()
    return {"volume": volume, "backup": backup, "label": test_label,
            "archive": str(backup / "notes.tgz")}


def as_test(notes) -> dict[str, str]:
    return {"course08-notes": notes["volume"], "/tmp/dockercourse-08/backup": str(notes["backup"]),
            "dockercourse=08": f"dockercourse={notes['label']}"}


def test_volume_backup_starting_point_gets_the_hint_and_the_reference_passes(engine, notes):
    (stub,), (solution,) = exercise_cells("8.1")
    result = subprocess.run(command(stub, as_test(notes)), capture_output=True, text=True)
    assert result.returncode != 0, "the starting point's blank should make `docker run` fail"
    verdict = ch08.volume_backup(notes["archive"], volume=notes["volume"])  # what the chapter stores
    assert not verdict and "there is no archive" in verdict.message
    assert "--mount type=volume,src=" in verdict.hint and repr(verdict).startswith("✗")

    subprocess.run(command(solution, as_test(notes)), check=True, capture_output=True)
    verdict = ch08.volume_backup(notes["archive"], volume=notes["volume"])
    assert verdict, repr(verdict)
    assert "todo.txt" in verdict.message and repr(verdict).startswith("✓")


def test_volume_backup_wrong_archives_fail_with_a_hint(engine, notes):
    archive = notes["backup"] / "notes.tgz"
    archive.write_text("not a tar file\n")
    verdict = ch08.volume_backup(str(archive), volume=notes["volume"])
    assert not verdict and "is not a tar archive" in verdict.message and "tar -C /notes" in verdict.hint

    # The mount point in the paths: `tar -czf … /notes` instead of `-C /notes … .`
    source = notes["backup"] / "notes"
    source.mkdir()
    (source / "todo.txt").write_text("remember the milk\n")
    with tarfile.open(archive, "w:gz") as archive_file:
        archive_file.add(source, arcname="notes")
    verdict = ch08.volume_backup(str(archive), volume=notes["volume"])
    assert not verdict and "start with the mount point" in verdict.message and "-C /notes" in verdict.hint

    # Another file than the volume's.
    other = notes["backup"] / "other.txt"
    other.write_text("something else\n")
    with tarfile.open(archive, "w:gz") as archive_file:
        archive_file.add(other, arcname="./other.txt")
    verdict = ch08.volume_backup(str(archive), volume=notes["volume"])
    assert not verdict and "lacks todo.txt" in verdict.message

    # The right file, older content.
    (source / "todo.txt").write_text("buy bread\n")
    with tarfile.open(archive, "w:gz") as archive_file:
        archive_file.add(source / "todo.txt", arcname="./todo.txt")
    verdict = ch08.volume_backup(str(archive), volume=notes["volume"])
    assert not verdict and "differs from the volume's" in verdict.message

    verdict = ch08.volume_backup(str(archive), volume=f"{notes['volume']}-missing")
    assert not verdict and "does not exist" in verdict.message


# --- Exercise 8.2 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_image(module_label):
    """The sample app's image, labelled for this module, as the chapter builds course08-app:1.0."""
    tag = f"{module_label}-app:1.0"
    docker("build", "-q", "--label", f"dockercourse={module_label}", "-t", tag, str(REPO_DIR / "sample_app"))
    return tag


def run_app(label: str, image: str, *options: str) -> str:
    """The app as the exercise runs it, on a port the engine picks; its name."""
    name = f"{label}-ro"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={label}", "-p", "127.0.0.1::8000", *options, image)
    return name


def host_port(name: str) -> int:
    return int(re.search(r":(\d+)$", docker("port", name, "8000").stdout.splitlines()[0]).group(1))


def test_read_only_app_starting_point_gets_the_hint(engine, test_label, app_image):
    (stub,), _ = exercise_cells("8.2")
    argv = command(stub, {"course08-ro": f"{test_label}-ro", "dockercourse=08": f"dockercourse={test_label}",
                          "course08-app:1.0": app_image, "127.0.0.1:8081:8000": "127.0.0.1::8000"})
    assert subprocess.run(argv, capture_output=True).returncode != 0, "the blank should make `docker run` fail"
    verdict = ch08.read_only_app(f"{test_label}-ro", port=0, creator=test_label)  # what the chapter stores
    assert not verdict and "there is no container" in verdict.message and "--read-only" in verdict.hint


@pytest.mark.parametrize("options, message, hint", [
    ((), "root filesystem is writable", "--read-only"),
    (("--tmpfs", "/tmp"), "root filesystem is writable", "--read-only"),
    (("--read-only",), "no tmpfs at /tmp", "--tmpfs /tmp"),
])
def test_read_only_app_wrong_answers_fail_with_a_hint(engine, test_label, app_image, options, message, hint):
    name = run_app(test_label, app_image, *options)
    verdict = ch08.read_only_app(name, port=host_port(name), creator=test_label)
    assert not verdict and message in verdict.message and hint in verdict.hint


def test_read_only_app_unlabelled_or_elsewhere_and_the_reference(engine, test_label, app_image):
    name = run_app(test_label, app_image, "--read-only", "--tmpfs", "/tmp")
    verdict = ch08.read_only_app(name, port=host_port(name), creator="08")
    assert not verdict and "does not carry the label" in verdict.message

    verdict = ch08.read_only_app(name, port=1, creator=test_label)  # nothing listens on port 1
    assert not verdict and "-p 127.0.0.1:1:8000" in verdict.hint

    verdict = ch08.read_only_app(name, port=host_port(name), creator=test_label)
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓") and "cannot write /app" in verdict.message


def test_the_solutions_use_the_options_the_hints_name():
    _, (backup,) = exercise_cells("8.1")
    assert "type=volume,src=course08-notes,dst=/notes,readonly" in backup and "dst=/backup" in backup
    _, (read_only,) = exercise_cells("8.2")
    assert "--read-only" in read_only and "--tmpfs /tmp" in read_only


# --- Exercise 8.3 -----------------------------------------------------------------------------

def build_cache_image(label: str, base: str, tmp_path, dockerfile: str) -> str:
    """Build a Dockerfile written like the exercise's, FROM the module's app image; its tag."""
    tag = f"{label}-cache:1.0"
    (tmp_path / "Dockerfile.cache").write_text(dockerfile.replace("course08-app:1.0", base))
    docker("build", "-q", "--label", f"dockercourse={label}", "-t", tag, "-f", str(tmp_path / "Dockerfile.cache"),
           str(tmp_path))
    return tag


def test_volume_writable_starting_point_gets_the_hint_and_the_reference_passes(engine, test_label, app_image, tmp_path):
    (dockerfile, build), (solution, _) = exercise_cells("8.3")
    assert build.splitlines()[0].startswith("!docker build") or "docker build" in build
    body = dockerfile.split("\n", 1)[1]  # the %%writefile cell's body
    tag = build_cache_image(test_label, app_image, tmp_path, body)
    verdict = ch08.volume_writable_by_app(tag, path="/cache", creator=test_label)  # what the chapter stores
    assert not verdict and "has no /cache" in verdict.message and "chown 10001:10001 /cache" in verdict.hint

    tag = build_cache_image(test_label, app_image, tmp_path, solution)
    verdict = ch08.volume_writable_by_app(tag, path="/cache", creator=test_label)
    assert verdict, repr(verdict)
    assert "uid 10001" in verdict.message and repr(verdict).startswith("✓")
    assert not docker("volume", "ls", "-q", "--filter", f"label=dockercourse={test_label}").stdout.strip(), \
        "the checker removes its probe volume"


@pytest.mark.parametrize("steps, message, hint", [
    ("USER root\nRUN mkdir /cache && chown 10001:10001 /cache\n", "runs as root", "USER 10001"),
    ("USER root\nRUN mkdir /cache && chmod 777 /cache\nUSER 10001\n", "writable by everyone", "not chmod 777"),
    ("USER root\nRUN mkdir /cache\nUSER 10001\n", "belongs to uid 0", "chown 10001:10001 /cache"),
])
def test_volume_writable_wrong_dockerfiles_fail_with_a_hint(test_label, app_image, tmp_path, steps, message, hint):
    tag = build_cache_image(test_label, app_image, tmp_path, f"FROM course08-app:1.0\n{steps}")
    verdict = ch08.volume_writable_by_app(tag, path="/cache", creator=test_label)
    assert not verdict and message in verdict.message and hint in verdict.hint


def test_volume_writable_without_the_image():
    verdict = ch08.volume_writable_by_app("tests-none-cache:1.0")
    assert not verdict and "there is no image" in verdict.message
