"""Chapter 09's checkers (better images): each judge against hand-written records (the starting point, typical
wrong answers, the chapter's solution and another correct answer), with no engine; the reading of an install step
from Dockerfiles written to a temporary directory, with no engine either; and a few engine tests that prove the
observing side by building real Dockerfiles. Also the stand-in recipe's `remove` list, which makes this chapter's
shell-less base."""

import re
from pathlib import Path

import pytest

from dockercourse import CourseError
from dockercourse.checks import ch09
from dockercourse.machine.standins import remove_paths
from dockercourse.manifest import manifest_image

PYTHON = manifest_image("python").name
SAVED = "got SIGINT: saving /data/state.txt"


# --- Exercise 9.1 -------------------------------------------------------------------------------------------------

def stopped(pid1: str = "/bin/sh -c python3 /app/worker.py", seconds: float = 5.2, exit_code: int = 137,
            log: tuple = ("working",), **changes) -> dict:
    """A record of Exercise 9.1 as observe_worker_stop makes it."""
    return {"dockerfile": True, "build_error": None, "started": True, "pid1": pid1, "stop_seconds": seconds,
            "exit_code": exit_code, "log": list(log), "grace": 5, **changes}


def test_9_1_starting_point_shows_the_shell_as_pid_1():
    verdict = ch09.judge_worker_stop(stopped())
    assert not verdict and verdict.code == "shell-is-pid-1" and "/bin/sh -c" in verdict.message
    assert not re.search(r"python3|STOPSIGNAL|SIGINT|JSON|exec", verdict.hint), verdict.hint


def test_9_1_the_solution_passes():
    verdict = ch09.judge_worker_stop(stopped("python3 /app/worker.py", 0.3, 0, ("working", SAVED)))
    assert verdict and SAVED in verdict.message, repr(verdict)


def test_9_1_another_correct_answer():
    """worker.py handles SIGTERM too, the CMD in shell form started with `exec`: Python replaced the shell."""
    record = stopped("python3 /app/worker.py", 0.2, 0, ("working", "got SIGTERM: saving /data/state.txt"))
    assert ch09.judge_worker_stop(record)


@pytest.mark.parametrize("record, code", [
    (stopped("python3 /app/worker.py"), "signal-not-handled"),
    (stopped("/usr/local/bin/python3 /app/worker.py", 5.1, 137), "signal-not-handled"),
    (stopped("python3 /app/worker.py", 0.2, 1, ("working", SAVED)), "exit-nonzero"),
    (stopped(started=False, exit_code=1, log=("python3: can't open file",)), "never-started"),
    (stopped(build_error="ERROR: failed to solve: dockerfile parse error"), "build-failed"),
    (stopped(dockerfile=False), "no-dockerfile"),
], ids=["exec form, default signal", "absolute path, default signal", "saved but exit 1", "never started",
        "build failed", "no Dockerfile"])
def test_9_1_wrong_answers_get_their_hint(record, code):
    verdict = ch09.judge_worker_stop(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


WORKER_PY = '''\
import signal
import sys
import time


def stop(signum, frame):
    print(f"got {signal.Signals(signum).name}: saving /data/state.txt", flush=True)
    sys.exit(0)


signal.signal(signal.SIGINT, stop)
print("working", flush=True)
while True:
    time.sleep(1)
'''


def test_9_1_observe_builds_runs_and_stops_real_workers(engine, test_label, tmp_path):
    (tmp_path / "worker.py").write_text(WORKER_PY)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {PYTHON}\nCOPY worker.py /app/worker.py\nCMD python3 /app/worker.py\n")
    seen = ch09.observe_worker_stop(tmp_path, f"{test_label}/worker:1", test_label, grace=2)
    assert seen["pid1"].startswith("/bin/sh -c") and seen["exit_code"] == 137, seen
    assert ch09.judge_worker_stop(seen).code == "shell-is-pid-1"

    dockerfile.write_text(f'FROM {PYTHON}\nCOPY worker.py /app/worker.py\nSTOPSIGNAL SIGINT\n'
                          'CMD ["python3", "/app/worker.py"]\n')
    verdict = ch09.worker_stops_cleanly(tmp_path, f"{test_label}/worker:1", test_label, grace=2)
    assert verdict, repr(verdict)


# --- Exercise 9.2 -------------------------------------------------------------------------------------------------

CHECKSUM = "a" * 64


def tool(extra: int = 30_004_096, checksum: str | None = CHECKSUM, **changes) -> dict:
    """A record of Exercise 9.2 as observe_lean_tool makes it."""
    return {"dockerfile": True, "build_error": None, "extra_bytes": extra, "checksum": checksum, **changes}


def test_9_2_starting_point_keeps_the_sdk():
    verdict = ch09.judge_lean_tool(tool())
    assert not verdict and verdict.code == "keeps-the-sdk" and "30 MB" in verdict.message
    assert not re.search(r"&&|--from|tmpfs|one RUN|same RUN", verdict.hint), verdict.hint


def test_9_2_the_solution_passes():
    verdict = ch09.judge_lean_tool(tool(extra=4_200))
    assert verdict and "checksum.txt" in verdict.message, repr(verdict)


def test_9_2_another_correct_answer():
    """A build stage makes the checksum; the final stage, FROM scratch, copies only that file: smaller than the base."""
    assert ch09.judge_lean_tool(tool(extra=-61_850_000))


@pytest.mark.parametrize("record, code", [
    (tool(extra=4_000, checksum=None), "checksum-missing"),
    (tool(extra=4_000, checksum="sha256sum: /tmp/sdk.tar: No such file or directory"), "checksum-wrong"),
    (tool(build_error="ERROR: process did not complete successfully"), "build-failed"),
    (tool(dockerfile=False), "no-dockerfile"),
], ids=["checksum dropped", "checksum of nothing", "build failed", "no Dockerfile"])
def test_9_2_wrong_answers_get_their_hint(record, code):
    verdict = ch09.judge_lean_tool(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_9_2_observe_measures_real_images(engine, test_label, tmp_path):
    steps = ("RUN mkdir -p /opt/tool && head -c 30000000 /dev/urandom > /tmp/sdk.tar",
             "RUN sha256sum /tmp/sdk.tar | cut -c 1-64 > /opt/tool/checksum.txt", "RUN rm /tmp/sdk.tar")
    (tmp_path / "Dockerfile").write_text("\n".join([f"FROM {PYTHON}", *steps]) + "\n")
    seen = ch09.observe_lean_tool(tmp_path, f"{test_label}/tool:1", test_label)
    assert seen["extra_bytes"] > 29_000_000 and re.fullmatch(r"[0-9a-f]{64}", seen["checksum"]), seen

    (tmp_path / "Dockerfile").write_text(f"FROM {PYTHON}\n" + " && ".join(step.removeprefix("RUN ")
                                                                         for step in steps).join(["RUN ", "\n"]))
    verdict = ch09.lean_tool_image(tmp_path, f"{test_label}/tool:1", test_label)
    assert verdict, repr(verdict)


# --- Exercise 9.3 -------------------------------------------------------------------------------------------------

START_3 = (f"FROM {PYTHON}\nWORKDIR /app\nCOPY requirements.txt .\n"
           "RUN pip install --no-cache-dir --root-user-action=ignore -r requirements.txt\n")
SOLVED_3 = (f"FROM {PYTHON}\nWORKDIR /app\nCOPY requirements.txt .\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install --root-user-action=ignore -r requirements.txt\n")


def read_install(tmp_path: Path, dockerfile: str) -> dict:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return ch09._read_install_09(tmp_path)


def test_9_3_starting_point_reads_as_no_cache_mount(tmp_path):
    seen = {"dockerfile": True, "build_error": None, "imports": None, "cache_files_in_image": None,
            **read_install(tmp_path, START_3)}
    assert seen["cache_targets"] == [] and seen["no_cache"] and seen["installer"] == "pip"
    verdict = ch09.judge_install_cache(seen)
    assert not verdict and verdict.code == "no-cache-mount"
    assert not re.search(r"--mount|type=cache|/root/.cache|--no-cache-dir", verdict.hint), verdict.hint


def test_9_3_the_solution_reads_and_judges_right(tmp_path):
    seen = read_install(tmp_path, SOLVED_3)
    assert seen["cache_targets"] == ["/root/.cache/pip"] and seen["cache_dir"] == "/root/.cache/pip"
    assert not seen["no_cache"]
    verdict = ch09.judge_install_cache({"dockerfile": True, "build_error": None, "imports": True,
                                        "cache_files_in_image": 0, **seen})
    assert verdict, repr(verdict)


@pytest.mark.parametrize("dockerfile, cache_dir", [
    (f"FROM {PYTHON}\nENV PIP_CACHE_DIR=/pipcache\nCOPY requirements.txt .\n"
     "RUN --mount=type=cache,target=/pipcache pip install -r requirements.txt\n", "/pipcache"),
    (f"FROM {PYTHON}\nCOPY requirements.txt .\n"
     "RUN --mount=type=cache,dst=/cache/ pip install --cache-dir /cache -r requirements.txt\n", "/cache"),
    (f"FROM {PYTHON}\nRUN pip install uv==0.13.9\nCOPY requirements.txt .\n"
     "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt\n", "/root/.cache/uv"),
], ids=["PIP_CACHE_DIR", "--cache-dir", "uv"])
def test_9_3_another_correct_answer(tmp_path, dockerfile, cache_dir):
    seen = read_install(tmp_path, dockerfile)
    assert seen["cache_dir"] == cache_dir and cache_dir in seen["cache_targets"] and not seen["no_cache"]
    assert ch09.judge_install_cache({"dockerfile": True, "build_error": None, "imports": True,
                                     "cache_files_in_image": 0, **seen})


@pytest.mark.parametrize("run, code", [
    ("RUN --mount=type=cache,target=/cache pip install -r requirements.txt", "cache-elsewhere"),
    ("RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt",
     "cache-switched-off"),
    ("RUN --mount=type=bind,source=.,target=/src pip install -r requirements.txt", "no-cache-mount"),
    ("RUN echo nothing to install", "no-install-step"),
], ids=["wrong target", "cache switched off", "a bind mount", "no install"])
def test_9_3_wrong_dockerfiles_get_their_hint(tmp_path, run, code):
    seen = {"dockerfile": True, "build_error": None, "imports": True, "cache_files_in_image": 0,
            **read_install(tmp_path, f"FROM {PYTHON}\nCOPY requirements.txt .\n{run}\n")}
    verdict = ch09.judge_install_cache(seen)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


@pytest.mark.parametrize("changes, code", [
    ({"build_error": "ERROR: failed to solve"}, "build-failed"),
    ({"imports": False}, "not-installed"),
    ({"cache_files_in_image": 12}, "cache-in-image"),
    ({"dockerfile": False}, "no-dockerfile"),
], ids=["build failed", "nothing installed", "cache in the image", "no Dockerfile"])
def test_9_3_wrong_images_get_their_hint(tmp_path, changes, code):
    seen = {"dockerfile": True, "build_error": None, "imports": True, "cache_files_in_image": 0,
            **read_install(tmp_path, SOLVED_3), **changes}
    verdict = ch09.judge_install_cache(seen)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_9_3_observe_builds_the_solution(engine, test_label, tmp_path):
    (tmp_path / "requirements.txt").write_text((Path("sample_app") / "requirements.txt").read_text())
    (tmp_path / "Dockerfile").write_text(SOLVED_3)
    seen = ch09.observe_install_cache(tmp_path, f"{test_label}/cached:1", test_label)
    assert seen["imports"] and seen["cache_files_in_image"] == 0, seen
    assert ch09.judge_install_cache(seen), seen


# --- The stand-in's `remove` list (dockercourse/machine/standins.py) ----------------------------------------------

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
