"""Chapter 04's checkers: each judge against hand-written records (the notebook's starting point, typical wrong
answers, the chapter's solution and another correct answer), with no engine; a few engine tests prove that the
observing side records what the judge expects. The notebook's solutions themselves are proven by nbval, which
solves each exercise in the chapter."""

import shutil

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.buildkit_log import build_error, context_bytes, failed_step, steps
from dockercourse.checks import ch04
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image

PYTHON_IMAGE = manifest_image("python").name
APP_DIR = REPO_DIR / "sample_app"
GUNICORN = 'CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"]'

# --- BuildKit's log, as the chapter reads it ------------------------------------------------------------------

PLAIN_LOG = """#4 [internal] load build context
#4 transferring context: 12.5MB 0.2s
#4 transferring context: 20.03MB 0.3s done
#3 [internal] load .dockerignore
#3 transferring context: 330B done
#5 [1/4] FROM docker.io/library/python:3.14-slim-trixie
#6 [3/4] RUN pip install -r requirements.txt
#6 CACHED
#8 [4/4] COPY . .
#8 DONE 0.0s
#7 [2/4] WORKDIR /app
#7 CACHED
"""

FAILED_LOG = """#9 [5/6] RUN pip install --no-cache-dir -r requirements.txt
#9 2.119 ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/home/app'
#9 ERROR: process "/bin/sh -c pip install --no-cache-dir -r requirements.txt" did not complete successfully
------
 > [5/6] RUN pip install --no-cache-dir -r requirements.txt:
2.119 ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/home/app'
------
ERROR: failed to build: failed to solve: process "/bin/sh -c pip install" did not complete successfully: exit code: 1
"""


def test_steps_are_read_in_dockerfile_order_without_from():
    """BuildKit reports cached steps in any order (#6 is [3/4] here); steps() puts them back in Dockerfile order."""
    read = steps(PLAIN_LOG)
    assert list(read.items()) == [("WORKDIR /app", "CACHED"), ("RUN pip install -r requirements.txt", "CACHED"),
                                  ("COPY . .", "ran")]
    assert read.status("pip install") == "CACHED" and read.status("apt-get") == "absent"
    assert repr(read).splitlines()[-1] == "   ran  COPY . ."


def test_context_bytes_is_the_build_context_step_not_the_dockerignore():
    assert context_bytes(PLAIN_LOG) == pytest.approx(20.03e6)
    assert context_bytes("no such step") == 0.0


def test_a_failed_build_names_its_step_and_its_last_error():
    assert failed_step(FAILED_LOG) == "RUN pip install --no-cache-dir -r requirements.txt"
    assert failed_step(PLAIN_LOG) is None
    assert build_error(FAILED_LOG).startswith("ERROR: failed to build")
    assert build_error("") == "no output"


# --- Exercise 4.1 · the order of the steps ---------------------------------------------------------------------

def cache_record(**changes) -> dict:
    """What observe_cache_after_code_change records for the chapter's solution; `changes` make the others."""
    return {"dockerfile": True, "first_built": True, "first_error": "", "install_first": "ran", "second_built": True,
            "second_error": "", "install_second": "CACHED", "probe_exit": 0, "probe_said": "", **changes}


def test_4_1_starting_point_says_where_to_look_not_what_to_write():
    verdict = ch04.judge_cache_after_code_change(cache_record(install_second="ran"))
    assert not verdict and verdict.code == "install-reruns-after-code-change"
    assert "ran again" in verdict.message and "section 4" in verdict.hint
    assert "requirements.txt" not in verdict.hint and "COPY" not in verdict.hint


def test_4_1_the_solution_passes():
    verdict = ch04.judge_cache_after_code_change(cache_record())
    assert verdict and "CACHED" in verdict.message


def test_4_1_another_correct_answer():
    """RUN --mount=type=bind,source=requirements.txt,… pip install …, then COPY . .: nothing copied before the
    install, which stays cached; its first build ran it, the second did not."""
    verdict = ch04.judge_cache_after_code_change(cache_record(install_first="ran", install_second="CACHED"))
    assert verdict, repr(verdict)


@pytest.mark.parametrize("changes, code", [
    ({"dockerfile": False}, "no-dockerfile"),
    ({"first_built": False, "first_error": "ERROR: failed to solve: requirement.txt: not found"}, "build-fails"),
    ({"install_first": "absent"}, "no-install-step"),
    ({"second_built": False, "second_error": "ERROR: x"}, "rebuild-fails"),
    ({"probe_exit": 3}, "old-code-in-image"),
    ({"probe_exit": 1, "probe_said": "ModuleNotFoundError: No module named 'app'"}, "app-not-importable"),
], ids=["no-dockerfile", "build-fails", "no-install", "rebuild-fails", "old-code", "not-importable"])
def test_4_1_wrong_answers_get_their_own_hint(changes, code):
    verdict = ch04.judge_cache_after_code_change(cache_record(**changes))
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def app_context(tmp_path, dockerfile: str):
    context = tmp_path / "app"
    shutil.copytree(APP_DIR, context, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (context / "Dockerfile").write_text(dockerfile)
    return context


CODE_FIRST = f"FROM {PYTHON_IMAGE}\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n"
BIND_MOUNT = (f"FROM {PYTHON_IMAGE}\nWORKDIR /app\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt "
              "pip install --no-cache-dir -r /tmp/r.txt\nCOPY . .\n")


@pytest.mark.parametrize("dockerfile, install_second", [(CODE_FIRST, "ran"), (BIND_MOUNT, "CACHED")],
                         ids=["code-first", "bind-mount"])
def test_4_1_observe_records_the_second_builds_install_step(test_label, tmp_path, dockerfile, install_second):
    seen = ch04.observe_cache_after_code_change(str(app_context(tmp_path, dockerfile)), test_label)
    assert seen["first_built"] and seen["second_built"], seen
    assert seen["install_second"] == install_second and seen["probe_exit"] == 0, seen


def test_4_1_observe_without_a_dockerfile(tmp_path):
    assert ch04.observe_cache_after_code_change(str(tmp_path)) == {"dockerfile": False}


# --- Exercise 4.2 · USER too early -------------------------------------------------------------------------------

def non_root_record(**changes) -> dict:
    """What observe_non_root records for the chapter's solution; `changes` make the others."""
    return {"dockerfile": True, "built": True, "error": "", "failed_step": None, "permission_denied": False,
            "user": "10001", "uid": "10001", "answered": True, "running": True, "last_log": "", **changes}


def test_4_2_starting_point_says_where_to_look_not_what_to_write():
    verdict = ch04.judge_non_root(non_root_record(
        built=False, permission_denied=True, failed_step="RUN pip install --no-cache-dir -r requirements.txt",
        error='ERROR: failed to build: failed to solve: process "/bin/sh -c pip install …" did not complete'))
    assert not verdict and verdict.code == "user-too-early"
    assert "RUN pip install" in verdict.message and "Permission denied" in verdict.message
    assert "section 6" in verdict.hint and "after" not in verdict.hint


def test_4_2_the_solution_passes_without_a_tip():
    verdict = ch04.judge_non_root(non_root_record())
    assert verdict and "uid 10001" in verdict.message and "tip" not in verdict.message


def test_4_2_another_correct_answer():
    """USER app, after the install: right, with a tip for the numeric form."""
    verdict = ch04.judge_non_root(non_root_record(user="app"))
    assert verdict and "runAsNonRoot" in verdict.message


@pytest.mark.parametrize("changes, code", [
    ({"dockerfile": False}, "no-dockerfile"),
    ({"built": False, "error": "ERROR: failed to solve: x", "failed_step": "COPY x ."}, "build-fails"),
    ({"user": "", "uid": "0"}, "runs-as-root"),
    ({"user": "nobody-here", "uid": "unable to find user nobody-here: no matching entries in passwd file"},
     "no-such-user"),
    ({"answered": False, "running": False, "last_log": "PermissionError: [Errno 13] Permission denied: 'visits.log'"},
     "app-stops"),
    ({"answered": False}, "no-answer"),
], ids=["no-dockerfile", "build-fails", "root", "no-such-user", "app-stops", "no-answer"])
def test_4_2_wrong_answers_get_their_own_hint(changes, code):
    verdict = ch04.judge_non_root(non_root_record(**changes))
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


USER_TOO_EARLY = (f"FROM {PYTHON_IMAGE}\nRUN useradd --no-log-init --uid 10001 --no-create-home app\nUSER 10001\n"
                  "WORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
                  f"COPY . .\n{GUNICORN}\n")
USER_LAST = (f"FROM {PYTHON_IMAGE}\nRUN useradd --no-log-init --uid 10001 --no-create-home app\nWORKDIR /app\n"
             "COPY requirements.txt .\nRUN pip install --no-cache-dir --root-user-action=ignore -r requirements.txt\n"
             f"COPY . .\nUSER 10001\n{GUNICORN}\n")


def test_4_2_observe_records_the_permission_error_and_the_repaired_image(test_label, tmp_path):
    broken = ch04.observe_non_root(str(app_context(tmp_path / "broken", USER_TOO_EARLY)), test_label)
    assert not broken["built"] and broken["permission_denied"], broken
    assert broken["failed_step"].startswith("RUN pip install"), broken
    repaired = ch04.observe_non_root(str(app_context(tmp_path / "repaired", USER_LAST)), test_label)
    assert repaired["built"] and repaired["uid"] == "10001" and repaired["answered"], repaired


# --- Exercise 4.3 · a HEALTHCHECK that tests the app --------------------------------------------------------------

PROBE = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
HEALTHY = {"status": "running", "exit_code": 0, "health": "healthy", "probes": 2, "failed_probes": 0, "last_output": ""}
NO_APP = {"status": "running", "exit_code": 0, "health": "starting", "probes": 1, "failed_probes": 1,
          "last_output": "urllib.error.URLError: <urlopen error [Errno 111] Connection refused>"}


def health_record(test=None, run=None, control=None, exists=True) -> dict:
    """What observe_healthcheck records; the chapter's solution by default."""
    seen = {"image": "course04/sample-app:healthy", "exists": exists,
            "test": test if test is not None else ["CMD", "python", "-c", PROBE]}
    if exists and seen["test"] not in ([], ["NONE"]):
        seen["run"] = run or HEALTHY
        if seen["run"]["health"] == "healthy":
            seen["control"] = control or NO_APP
    return seen


def test_4_3_starting_point_says_where_to_look_not_what_to_write():
    verdict = ch04.judge_healthcheck(health_record(test=[]))
    assert not verdict and verdict.code == "no-healthcheck"
    assert "section 8" in verdict.hint and "--" not in verdict.hint and "urlopen" not in verdict.hint


def test_4_3_the_solution_passes():
    assert ch04.judge_healthcheck(health_record())


def test_4_3_another_correct_answer():
    """The sample app's own script, with a short interval and no start period."""
    verdict = ch04.judge_healthcheck(health_record(test=["CMD", "python", "healthcheck.py"]))
    assert verdict, repr(verdict)


@pytest.mark.parametrize("record, code", [
    (health_record(exists=False), "no-image"),
    (health_record(test=["NONE"]), "healthcheck-none"),
    (health_record(run={**NO_APP, "status": "exited", "exit_code": 1}), "exited"),
    (health_record(run={**NO_APP, "health": "unhealthy", "last_output": "/bin/sh: 1: curl: not found"}),
     "probe-program-missing"),
    (health_record(run={**NO_APP, "health": "unhealthy"}), "probe-fails"),
    (health_record(run={**NO_APP, "probes": 0, "failed_probes": 0, "last_output": ""}), "first-probe-too-late"),
    (health_record(control=HEALTHY), "always-healthy"),
], ids=["no-image", "none", "exited", "curl", "wrong-port", "too-late", "always-true"])
def test_4_3_wrong_answers_get_their_own_hint(record, code):
    verdict = ch04.judge_healthcheck(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


@pytest.fixture(scope="module")
def naive_image(module_label):
    """The sample app's naive image, as chapter 04 builds it, under this module's own label and tag."""
    tag = f"course04-test/sample-app:naive-{module_label}"
    docker("build", "--quiet", "--label", f"{LABEL}={module_label}", "-f", str(APP_DIR / "Dockerfile.naive"),
           "-t", tag, str(APP_DIR), timeout=600)
    return tag


def test_4_3_observe_runs_the_image_and_a_control(test_label, tmp_path, naive_image):
    context = tmp_path / "healthy"
    context.mkdir()
    (context / "Dockerfile").write_text(f'FROM {naive_image}\nHEALTHCHECK --interval=1s --start-period=30s '
                                        f'--start-interval=1s CMD ["python", "-c", "{PROBE}"]\n')
    tag = f"course04-test/healthy:{test_label}"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", tag, str(context), timeout=600)
    seen = ch04.observe_healthcheck(tag, test_label)
    assert seen["run"]["health"] == "healthy", seen
    assert seen["control"]["health"] != "healthy" and seen["control"]["failed_probes"] >= 1, seen
    assert ch04.observe_healthcheck(f"course04-test/nothing:{test_label}")["exists"] is False


def test_image_sizes_reads_both_measures(naive_image):
    unpacked, content = ch04.image_sizes(naive_image)
    assert unpacked >= content > 10e6
