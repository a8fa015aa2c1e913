"""Chapter 04's exercise checkers against the reference solutions (must pass) and typical wrong
answers (must fail, with the hint that helps). Everything runs against the real engine."""

import shutil
import subprocess
import uuid

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.checks import ch04
from dockercourse.images import manifest_image
from dockercourse.resources import remove_labelled

pytestmark = pytest.mark.engine

PYTHON_IMAGE = manifest_image("python").name
APP_DIR = REPO_DIR / "sample_app"

# Exercise 4.1: the reference solution, and the bad order the exercise starts from.
CACHE_FRIENDLY = f"""FROM {PYTHON_IMAGE}
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 10001
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"]
"""
CODE_FIRST = f"""FROM {PYTHON_IMAGE}
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
USER 10001
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"]
"""
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

# Exercises 4.2 and 4.3 start from the naive image; {base} is filled in with its tag.
PROBE = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
HEALTHCHECK_SOLUTION = f"""FROM {{base}}
HEALTHCHECK --interval=30s --start-period=30s --start-interval=1s --timeout=3s --retries=3 \\
  CMD ["python", "-c", "{PROBE}"]
"""
NON_ROOT_SOLUTION = """FROM {base}
RUN useradd --system --no-log-init --uid 10001 --no-create-home --shell /usr/sbin/nologin app
USER 10001
"""


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def naive_image():
    """The sample app's naive image, as chapter 04 builds it, under this module's own label and tag."""
    creator = f"tests-04-{uuid.uuid4().hex[:6]}"
    tag = f"course04-test/sample-app:naive-{creator}"
    built = docker("build", "--quiet", "--label", f"{LABEL}={creator}", "-f", str(APP_DIR / "Dockerfile.naive"),
                   "-t", tag, str(APP_DIR))
    assert built.returncode == 0, built.stderr
    yield tag
    remove_labelled(creator)


def build(dockerfile: str, label: str, tmp_path, name: str) -> str:
    """Build a one-file context holding `dockerfile`; return the tag."""
    context = tmp_path / name
    context.mkdir()
    (context / "Dockerfile").write_text(dockerfile)
    tag = f"course04-test/{name}:{label}"
    built = docker("build", "--quiet", "--label", f"{LABEL}={label}", "-t", tag, str(context))
    assert built.returncode == 0, built.stderr
    return tag


def app_context(tmp_path, dockerfile: str):
    context = tmp_path / "app"
    shutil.copytree(APP_DIR, context, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (context / "Dockerfile").write_text(dockerfile)
    return context


# --- Exercise 4.1 ------------------------------------------------------------------------------

def test_cache_reference_solution_passes(test_label, tmp_path):
    verdict = ch04.dependencies_cached_after_code_change(str(app_context(tmp_path, CACHE_FRIENDLY)), test_label)
    assert verdict, repr(verdict)
    assert "CACHED" in verdict.message


@pytest.mark.parametrize("dockerfile, hint", [
    (CODE_FIRST, "COPY requirements.txt . alone"),
    (NO_INSTALL, "RUN pip install --no-cache-dir"),
    (NO_CODE, "COPY . . after RUN pip install"),
    (TYPO, "read the first ERROR"),
], ids=["code-first", "no-install", "no-code", "build-fails"])
def test_cache_wrong_answers_fail_with_a_hint(test_label, tmp_path, dockerfile, hint):
    verdict = ch04.dependencies_cached_after_code_change(str(app_context(tmp_path, dockerfile)), test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_cache_without_a_dockerfile_says_so(tmp_path):
    verdict = ch04.dependencies_cached_after_code_change(str(tmp_path))
    assert not verdict and "%%writefile" in verdict.hint


# --- Exercise 4.2 ------------------------------------------------------------------------------

def test_healthcheck_reference_solution_passes(test_label, tmp_path, naive_image):
    image = build(HEALTHCHECK_SOLUTION.format(base=naive_image), test_label, tmp_path, "healthy")
    verdict = ch04.image_becomes_healthy(image, test_label)
    assert verdict, repr(verdict)


@pytest.mark.parametrize("instruction, hint", [
    ("", "add a HEALTHCHECK instruction"),
    ("HEALTHCHECK NONE", "a command that probes the app"),
    ("HEALTHCHECK --interval=1s CMD true", "probe the app itself"),
    ("HEALTHCHECK --interval=1s --retries=2 CMD curl -f http://127.0.0.1:8000/health", "no curl"),
    (f"HEALTHCHECK --interval=1s --retries=2 CMD [\"python\", \"-c\", \"{PROBE.replace('8000', '8001')}\"]",
     "listens on http://127.0.0.1:8000/health"),
    (f"HEALTHCHECK --interval=30s CMD [\"python\", \"-c\", \"{PROBE}\"]", "--start-interval=1s"),
], ids=["none-at-all", "switched-off", "always-true", "curl", "wrong-port", "first-probe-too-late"])
def test_healthcheck_wrong_answers_fail_with_a_hint(test_label, tmp_path, naive_image, instruction, hint):
    image = build(f"FROM {naive_image}\n{instruction}\n", test_label, tmp_path, "unhealthy")
    verdict = ch04.image_becomes_healthy(image, test_label, timeout=6)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)


def test_healthcheck_missing_image_says_build_it(test_label):
    verdict = ch04.image_becomes_healthy(f"course04-test/nothing:{test_label}", test_label)
    assert not verdict and "build it first" in verdict.hint


# --- Exercise 4.3 ------------------------------------------------------------------------------

def test_non_root_reference_solution_passes(test_label, tmp_path, naive_image):
    image = build(NON_ROOT_SOLUTION.format(base=naive_image), test_label, tmp_path, "nonroot")
    verdict = ch04.runs_as_non_root(image, test_label)
    assert verdict, repr(verdict)
    assert "uid 10001" in verdict.message and "tip" not in verdict.message


def test_non_root_by_name_passes_with_a_tip(test_label, tmp_path, naive_image):
    dockerfile = f"FROM {naive_image}\nRUN useradd --system --uid 10001 app\nUSER app\n"
    verdict = ch04.runs_as_non_root(build(dockerfile, test_label, tmp_path, "named"), test_label)
    assert verdict, repr(verdict)
    assert "runAsNonRoot" in verdict.message


@pytest.mark.parametrize("lines, hint", [
    ("", "USER 10001"),
    ("RUN useradd --system --uid 10001 app\nUSER root", "USER 10001"),
    ("USER 10001\nCMD [\"python\", \"-c\", \"open('/app/visits.log', 'w')\"]", "docker logs"),
], ids=["no-user", "back-to-root", "app-cannot-write"])
def test_non_root_wrong_answers_fail_with_a_hint(test_label, tmp_path, naive_image, lines, hint):
    image = build(f"FROM {naive_image}\n{lines}\n", test_label, tmp_path, "root")
    verdict = ch04.runs_as_non_root(image, test_label)
    assert not verdict
    assert hint in verdict.hint, repr(verdict)
