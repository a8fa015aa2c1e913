"""Chapter 10's checkers (security) against the starting points, typical wrong answers and the
reference solutions.

The starting points and solutions are read from the chapter itself, so these tests follow its cells.
Everything a test builds or runs carries the test's label (`tests-…`) and is removed afterwards; no
host port is published (the hardened container's check looks at its settings and its health).
"""

import re
import subprocess

import nbformat
import pytest

from dockercourse import REPO_DIR, CourseError
from dockercourse.checks import ch10
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks

NOTEBOOK = REPO_DIR / "notebooks" / "10-security.ipynb"
TOKEN = "s3cr3t-build-token-4242"


def exercise_sources(number: str) -> tuple[list[str], list[str]]:
    """(the starting points, the solution blocks) of one exercise, as the chapter stores them."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    stubs = [notebook.cells[index].source for index in exercise.stubs]
    return stubs, solution_blocks(notebook.cells[exercise.solution].source)


def section_cell(first_line: str) -> str:
    """The source of the chapter's code cell that starts with `first_line`."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return next(cell.source for cell in notebook.cells if cell.source.startswith(first_line))


def dockerfile_body(source: str) -> str:
    """A Dockerfile cell without its %%writefile line."""
    return source.split("\n", 1)[1] if source.startswith("%%writefile") else source


@pytest.fixture
def secret_build(tmp_path, test_label):
    """Build a Dockerfile text as the exercise's image would be built, labelled for the test."""
    token_file = tmp_path / "api_token.txt"
    token_file.write_text(TOKEN)
    context = tmp_path / "ex1"
    context.mkdir()
    image = f"{test_label}-ex1:1.0"

    def build(dockerfile: str, *options: str) -> str:
        (context / "Dockerfile").write_text(dockerfile)
        docker("build", "-q", "--label", f"dockercourse={test_label}", *options, "-t", image, str(context),
               timeout=300)
        return image

    build.token_file = str(token_file)
    build.label = test_label
    return build


def test_secret_check_without_a_token_file_asks_for_section_9(tmp_path):
    verdict = ch10.secret_not_in_image("tests-none-ex1:1.0", token_file=str(tmp_path / "missing.txt"))
    assert not verdict and "section 9" in verdict.hint


def test_secret_check_without_an_image_says_build_it(engine, secret_build):
    verdict = ch10.secret_not_in_image("tests-none-ex1:1.0", token_file=secret_build.token_file)
    assert not verdict and "there is no image" in verdict.message and "--secret id=api_token" in verdict.hint


def test_secret_starting_point_leaks_and_gets_the_secret_mount_hint(engine, secret_build):
    stubs, _ = exercise_sources("10.1")
    image = secret_build(dockerfile_body(stubs[0]), "--build-arg", f"API_TOKEN={TOKEN}")
    verdict = ch10.secret_not_in_image(image, token_file=secret_build.token_file, creator=secret_build.label)
    assert not verdict and "the token is in the image: the image config" in verdict.message
    assert "--mount=type=secret,id=api_token" in verdict.hint and repr(verdict).startswith("✗")


def test_secret_copied_then_deleted_is_still_in_a_layer(engine, secret_build, tmp_path):
    (tmp_path / "ex1").mkdir(exist_ok=True)
    (tmp_path / "ex1" / "api_token.txt").write_text(TOKEN)
    image = secret_build("FROM python:3.13-slim-trixie\nCOPY api_token.txt /tmp/api_token.txt\n"
                         'RUN echo "token of $(wc -c < /tmp/api_token.txt) bytes used" > /build.log '
                         "&& rm /tmp/api_token.txt\n")
    verdict = ch10.secret_not_in_image(image, token_file=secret_build.token_file, creator=secret_build.label)
    assert not verdict and "a layer, in the file /tmp/api_token.txt" in verdict.message
    assert "--mount=type=secret" in verdict.hint


def test_secret_mount_without_the_secret_is_not_used(engine, secret_build):
    optional_mount = dockerfile_body(section_cell("%%writefile /tmp/dockercourse-10/secrets/Dockerfile.mount"))
    # No --secret, and no cache: BuildKit's cache key ignores secrets, so a cached step would hide it.
    image = secret_build(optional_mount, "--no-cache")
    verdict = ch10.secret_not_in_image(image, token_file=secret_build.token_file, creator=secret_build.label)
    assert not verdict and "did not use it either" in verdict.message and "--secret" in verdict.hint


def test_secret_reference_solution_refuses_to_build_without_the_secret(engine, secret_build):
    _, blocks = exercise_sources("10.1")
    with pytest.raises(CourseError):
        secret_build(dockerfile_body(blocks[0]), "--no-cache")  # required=true: no --secret, no build


def test_secret_reference_solution_passes(engine, secret_build):
    _, blocks = exercise_sources("10.1")
    image = secret_build(dockerfile_body(blocks[0]), "--secret", f"id=api_token,src={secret_build.token_file}")
    verdict = ch10.secret_not_in_image(image, token_file=secret_build.token_file, creator=secret_build.label)
    assert verdict, repr(verdict)
    assert "23-byte token" in verdict.message


# --- Exercise 10.2 -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_image(module_label):
    """The sample app's image, built under the module's label (the chapter's course10-app:1.0)."""
    image = f"{module_label}-app:1.0"
    docker("build", "-q", "--label", f"dockercourse={module_label}", "-t", image, str(REPO_DIR / "sample_app"),
           timeout=600)
    return image


def hardened_options(command: str) -> list[str]:
    """The options between the port and the image in the exercise's `docker run` line."""
    middle = re.search(r"-p 127\.0\.0\.1:\d+:8000 (.*) course10-app:1\.0", command).group(1)
    return middle.split()


def run_app(name: str, label: str, image: str, *options: str) -> subprocess.CompletedProcess:
    return docker("run", "-d", "--name", name, "--label", f"dockercourse={label}", *options, image, check=False)


def test_hardened_starting_point_has_no_container_and_gets_the_hint():
    stubs, _ = exercise_sources("10.2")
    assert "____" in stubs[0]
    verdict = ch10.hardened_container("tests-none-hardened")
    assert not verdict and "there is no container" in verdict.message and "replace ____" in verdict.hint


def test_hardened_with_one_option_lists_the_missing_ones(engine, app_image, test_label):
    name = f"{test_label}-hardened"
    run_app(name, test_label, app_image, "--read-only")
    verdict = ch10.hardened_container(name, creator=test_label)
    assert not verdict and "capabilities are not all dropped" in verdict.message
    assert "--cap-drop ALL --security-opt no-new-privileges --pids-limit 100" in verdict.hint
    assert "--read-only" not in verdict.hint


def test_hardened_with_a_loose_pids_limit_and_a_capability_added(engine, app_image, test_label):
    name = f"{test_label}-hardened"
    run_app(name, test_label, app_image, "--read-only", "--cap-drop", "ALL", "--cap-add", "CHOWN",
            "--security-opt", "no-new-privileges", "--pids-limit", "1000")
    verdict = ch10.hardened_container(name, creator=test_label)
    assert not verdict and re.search(r"added back \((CAP_)?CHOWN\)", verdict.message)
    assert "the process limit is 1000" in verdict.message


def test_hardened_without_the_label_is_refused(engine, app_image, test_label):
    name = f"{test_label}-hardened"
    _, blocks = exercise_sources("10.2")
    run_app(name, test_label, app_image, *hardened_options(blocks[0]))
    verdict = ch10.hardened_container(name, creator="10")
    assert not verdict and "does not carry the label" in verdict.message


def test_hardened_reference_solution_passes(engine, app_image, test_label):
    name = f"{test_label}-hardened"
    _, blocks = exercise_sources("10.2")
    started = run_app(name, test_label, app_image, *hardened_options(blocks[0]))
    assert started.returncode == 0, started.stderr
    verdict = ch10.hardened_container(name, creator=test_label)
    assert verdict, repr(verdict)
