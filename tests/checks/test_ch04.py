"""Chapter 04's exercise checkers: what each says to the notebook's starting point (its hint), and
typical wrong answers (each fails with the hint that helps). The notebook's solutions are proven by
`make nbval`, which solves each exercise in the chapter. Everything runs against the real engine."""

import shutil

import nbformat
import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.buildkit_log import context_bytes, steps
from dockercourse.checks import ch04
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises
from dockercourse.manifest import manifest_image

pytestmark = pytest.mark.usefixtures("engine")

PYTHON_IMAGE = manifest_image("python").name
APP_DIR = REPO_DIR / "sample_app"
NOTEBOOK = REPO_DIR / "notebooks" / "04-dockerfile.ipynb"

# Exercise 4.1: typical wrong answers (the notebook's starting point is the code-first order).
NO_INSTALL = f"""FROM {PYTHON_IMAGE}
WORKDIR /app
COPY . .
"""
NO_CODE = f"""FROM {PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
"""
TYPO = f"""FROM {PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirement.txt
"""

PROBE = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"


def starting_point(exercise: str) -> str:
    """The Dockerfile the notebook's exercise cell writes, without its %%writefile line."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    found = next(item for item in find_exercises(notebook) if item.number == exercise)
    stub = notebook.cells[found.stubs[0]].source
    assert stub.startswith("%%writefile "), stub
    return stub.split("\n", 1)[1] + "\n"


@pytest.fixture(scope="module")
def naive_image(module_label):
    """The sample app's naive image, as chapter 04 builds it, under this module's own label and tag."""
    tag = f"course04-test/sample-app:naive-{module_label}"
    built = docker("build", "--quiet", "--label", f"{LABEL}={module_label}", "-f", str(APP_DIR / "Dockerfile.naive"),
                   "-t", tag, str(APP_DIR), check=False, timeout=600)
    assert built.returncode == 0, built.stderr
    return tag


def build(dockerfile: str, label: str, tmp_path, name: str) -> str:
    """Build a one-file context holding `dockerfile`; return the tag."""
    context = tmp_path / name
    context.mkdir()
    (context / "Dockerfile").write_text(dockerfile)
    tag = f"course04-test/{name}:{label}"
    built = docker("build", "--quiet", "--label", f"{LABEL}={label}", "-t", tag, str(context), check=False, timeout=600)
    assert built.returncode == 0, built.stderr
    return tag


def from_naive(exercise: str, naive_image: str) -> str:
    """The exercise's starting point, built on this module's naive image instead of the chapter's."""
    return starting_point(exercise).replace("FROM course04/sample-app:naive", f"FROM {naive_image}")


def app_context(tmp_path, dockerfile: str):
    context = tmp_path / "app"
    shutil.copytree(APP_DIR, context, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (context / "Dockerfile").write_text(dockerfile)
    return context


# --- BuildKit's log, as the chapter reads it ------------------------------------------------------

PLAIN_LOG = """#4 [internal] load build context
#4 transferring context: 12.5MB 0.2s
#4 transferring context: 20.03MB 0.3s done
#3 [internal] load .dockerignore
#3 transferring context: 330B done
#5 [1/4] FROM docker.io/library/python:3.13-slim-trixie
#6 [2/4] WORKDIR /app
#6 CACHED
#8 [4/4] COPY . .
#8 DONE 0.0s
#7 [3/4] RUN pip install -r requirements.txt
#7 CACHED
"""


def test_steps_are_read_in_dockerfile_order_without_from():
    read = steps(PLAIN_LOG)
    assert list(read.items()) == [("WORKDIR /app", "CACHED"), ("RUN pip install -r requirements.txt", "CACHED"),
                                  ("COPY . .", "ran")]
    assert read.status("pip install") == "CACHED" and read.status("apt-get") == "absent"
    assert repr(read).splitlines()[-1] == "   ran  COPY . ."


def test_context_bytes_is_the_build_context_step_not_the_dockerignore():
    assert context_bytes(PLAIN_LOG) == pytest.approx(20.03e6)
    assert context_bytes("no such step") == 0.0


# --- Exercise 4.1 ------------------------------------------------------------------------------

def test_cache_starting_point_gets_its_hint(test_label, tmp_path):
    verdict = ch04.dependencies_cached_after_code_change(str(app_context(tmp_path, starting_point("4.1"))), test_label)
    assert not verdict
    assert "COPY requirements.txt . alone" in verdict.hint, repr(verdict)


@pytest.mark.parametrize("dockerfile, hint", [
    (NO_INSTALL, "RUN pip install --no-cache-dir"),
    (NO_CODE, "COPY . . after RUN pip install"),
    (TYPO, "read the first ERROR"),
], ids=["no-install", "no-code", "build-fails"])
def test_cache_wrong_answers_fail_with_a_hint(test_label, tmp_path, dockerfile, hint):
    verdict = ch04.dependencies_cached_after_code_change(str(app_context(tmp_path, dockerfile)), test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_cache_without_a_dockerfile_says_so(tmp_path):
    verdict = ch04.dependencies_cached_after_code_change(str(tmp_path))
    assert not verdict and "%%writefile" in verdict.hint


# --- Exercise 4.2 ------------------------------------------------------------------------------

def test_healthcheck_starting_point_gets_its_hint(test_label, tmp_path, naive_image):
    image = build(from_naive("4.2", naive_image), test_label, tmp_path, "stub")
    verdict = ch04.image_becomes_healthy(image, test_label)
    assert not verdict
    assert "add a HEALTHCHECK instruction" in verdict.hint, repr(verdict)


@pytest.mark.parametrize("instruction, hint", [
    ("HEALTHCHECK NONE", "a command that probes the app"),
    ("HEALTHCHECK --interval=1s CMD true", "probe the app itself"),
    ("HEALTHCHECK --interval=1s --retries=2 CMD curl -f http://127.0.0.1:8000/health", "no curl"),
    (f"HEALTHCHECK --interval=1s --retries=2 CMD [\"python\", \"-c\", \"{PROBE.replace('8000', '8001')}\"]",
     "listens on http://127.0.0.1:8000/health"),
    (f"HEALTHCHECK --interval=30s CMD [\"python\", \"-c\", \"{PROBE}\"]", "--start-interval=1s"),
], ids=["switched-off", "always-true", "curl", "wrong-port", "first-probe-too-late"])
def test_healthcheck_wrong_answers_fail_with_a_hint(test_label, tmp_path, naive_image, instruction, hint):
    image = build(f"FROM {naive_image}\n{instruction}\n", test_label, tmp_path, "unhealthy")
    verdict = ch04.image_becomes_healthy(image, test_label, timeout=15)  # a busy machine probes slowly
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_healthcheck_missing_image_says_build_it(test_label):
    verdict = ch04.image_becomes_healthy(f"course04-test/nothing:{test_label}", test_label)
    assert not verdict and "build it first" in verdict.hint


# --- Exercise 4.3 ------------------------------------------------------------------------------

def test_non_root_starting_point_gets_its_hint(test_label, tmp_path, naive_image):
    image = build(from_naive("4.3", naive_image), test_label, tmp_path, "stub")
    verdict = ch04.runs_as_non_root(image, test_label)
    assert not verdict
    assert "USER 10001" in verdict.hint and "--uid 10001" in verdict.hint, repr(verdict)


def test_non_root_by_name_passes_with_a_tip(test_label, tmp_path, naive_image):
    dockerfile = f"FROM {naive_image}\nRUN useradd --no-log-init --uid 10001 app\nUSER app\n"
    verdict = ch04.runs_as_non_root(build(dockerfile, test_label, tmp_path, "named"), test_label)
    assert verdict, repr(verdict)
    assert "runAsNonRoot" in verdict.message


def test_non_root_uid_without_a_user_entry_passes(test_label, tmp_path, naive_image):
    image = build(f"FROM {naive_image}\nUSER 10001\n", test_label, tmp_path, "bare")
    verdict = ch04.runs_as_non_root(image, test_label)
    assert verdict, repr(verdict)
    assert "uid 10001" in verdict.message and "tip" not in verdict.message


@pytest.mark.parametrize("lines, hint", [
    ("RUN useradd --no-log-init --uid 10001 app\nUSER root", "USER 10001"),
    ("USER 10001\nCMD [\"python\", \"-c\", \"open('/app/visits.log', 'w')\"]", "docker logs"),
], ids=["back-to-root", "app-cannot-write"])
def test_non_root_wrong_answers_fail_with_a_hint(test_label, tmp_path, naive_image, lines, hint):
    image = build(f"FROM {naive_image}\n{lines}\n", test_label, tmp_path, "root")
    verdict = ch04.runs_as_non_root(image, test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_image_sizes_reads_both_measures(naive_image):
    unpacked, content = ch04.image_sizes(naive_image)
    assert unpacked >= content > 10e6
