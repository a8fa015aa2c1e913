"""Chapter 08's checkers (data and the dev loop): each judge against hand-written records (the starting point,
typical wrong answers, the chapter's solution and another correct answer), with no engine; and a few engine tests
that prove the observing side against real volumes and containers, with the test's own label and names.
"""

import hashlib
import re
import subprocess
import tarfile
import time

import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch08
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image

PYTHON = manifest_image("python").name
TODO, MONDAY = hashlib.sha256(b"remember the milk\n").hexdigest(), hashlib.sha256(b"call Ana\n").hexdigest()
VOLUME_FILES = {"todo.txt": TODO, "done/monday.txt": MONDAY}
ARCHIVE = "/tmp/dockercourse-08/backup/notes.tgz"


def backup(files: dict | None, *, exists: bool = True, error: str | None = None, volume: dict | None = None) -> dict:
    """A record of Exercise 8.1 as observe_volume_backup makes it: the archive's files and the volume's."""
    return {"archive": {"path": ARCHIVE, "exists": exists, "error": error, "files": files or {}},
            "volume": volume or {"name": "course08-notes", "exists": True, "error": None, "files": VOLUME_FILES}}


# --- Exercise 8.1 -------------------------------------------------------------------------------------------------

def test_8_1_starting_point_has_no_archive_and_the_hint_names_no_command():
    verdict = ch08.judge_volume_backup(backup(None, exists=False))
    assert not verdict and verdict.code == "no-archive" and "no archive" in verdict.message
    assert not re.search(r"--mount|-czf|tar -C", verdict.hint), verdict.hint


def test_8_1_the_solutions_streamed_archive_passes():
    verdict = ch08.judge_volume_backup(backup({"./todo.txt": TODO, "./done/monday.txt": MONDAY}))
    assert verdict and "todo.txt" in verdict.message and repr(verdict).startswith("✓")


def test_8_1_another_correct_answer():
    """`docker cp` of the volume's directory out of a created container, then `tar -czf notes.tgz -C notes
    todo.txt done` on the host: the names carry no `./`."""
    assert ch08.judge_volume_backup(backup({"todo.txt": TODO, "done/monday.txt": MONDAY}))


@pytest.mark.parametrize("record, code", [
    (backup(None, error="file could not be opened successfully"), "not-a-tar"),
    (backup({}), "empty-archive"),
    (backup({"notes/todo.txt": TODO, "notes/done/monday.txt": MONDAY}), "paths-include-mount-point"),
    (backup({"./todo.txt": TODO}), "files-missing"),
    (backup({"./todo.txt": hashlib.sha256(b"buy bread\n").hexdigest(), "./done/monday.txt": MONDAY}), "files-differ"),
    (backup({"./todo.txt": TODO}, volume={"name": "course08-notes", "exists": False, "error": None, "files": {}}),
     "no-volume"),
    (backup({"./todo.txt": TODO}, volume={"name": "course08-notes", "exists": True, "error": "boom", "files": {}}),
     "volume-unreadable"),
], ids=["not a tar", "empty", "mount point in the paths", "a file missing", "older content", "no volume",
        "volume unreadable"])
def test_8_1_wrong_answers_get_their_hint(record, code):
    verdict = ch08.judge_volume_backup(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_8_1_observe_reads_a_real_volume_and_archive(engine, test_label, tmp_path):
    volume = f"{test_label}-notes"
    docker("volume", "create", "--label", f"dockercourse={test_label}", volume)
    docker("run", "--rm", "--label", f"dockercourse={test_label}", "--mount", f"type=volume,src={volume},dst=/notes",
           PYTHON, "sh", "-c", "mkdir -p /notes/done && echo remember the milk > /notes/todo.txt && "
                               "echo call Ana > /notes/done/monday.txt")
    archive = tmp_path / "notes.tgz"
    seen = ch08.observe_volume_backup(str(archive), volume)
    assert seen["volume"]["files"] == VOLUME_FILES and not seen["archive"]["exists"]

    with archive.open("wb") as out:  # the solution's way: tar to stdout, caught on the host
        subprocess.run(["docker", "run", "--rm", "--label", f"dockercourse={test_label}", "--mount",
                        f"type=volume,src={volume},dst=/notes,readonly", PYTHON, "tar", "-C", "/notes", "-czf", "-",
                        "."], stdout=out, check=True)
    assert ch08.volume_backup(str(archive), volume), "the streamed archive should pass"

    with tarfile.open(archive, "w:gz") as rewritten:  # the right names, one file changed
        source = tmp_path / "todo.txt"
        source.write_text("buy bread\n")
        rewritten.add(source, arcname="./todo.txt")
    assert ch08.volume_backup(str(archive), volume).code == "files-missing"


# --- Exercise 8.2 -------------------------------------------------------------------------------------------------

def report(user: str = "10001", exit_code: int = 2, log: str = "sh: 1: cannot create /reports/report.txt: "
           "Permission denied", directory: tuple = (1000, 0o755), written: int | None = None, *,
           running: bool = False, label: str = "08", container: bool = True) -> dict:
    """A record of Exercise 8.2 as observe_report_job makes it."""
    return {"container": {"name": "course08-report", "labels": {"dockercourse": label}, "status": "exited",
                          "running": running, "exit_code": exit_code, "user": user} if container else None,
            "log": [log] if log else [], "directory_path": "/tmp/dockercourse-08/reports",
            "directory": {"uid": directory[0], "gid": directory[0], "mode": directory[1], "size": 4096},
            "report": None if written is None else {"uid": written, "gid": written, "mode": 0o644, "size": 29}}


def test_8_2_starting_point_says_permission_denied_and_where_to_look():
    verdict = ch08.judge_report_job(report())
    assert not verdict and verdict.code == "permission-denied" and "Permission denied" in verdict.message
    assert "--user" not in verdict.hint and "1000:1000" not in verdict.hint and "chown" not in verdict.hint


def test_8_2_the_solution_runs_as_the_directorys_owner():
    verdict = ch08.judge_report_job(report(user="1000:1000", exit_code=0, log="", written=1000))
    assert verdict and "uid 1000" in verdict.message, repr(verdict)


def test_8_2_another_correct_answer():
    """The directory given to the job's user by a throwaway root container; the job runs unchanged, as 10001."""
    assert ch08.judge_report_job(report(exit_code=0, log="", directory=(10001, 0o755), written=10001))


@pytest.mark.parametrize("record, code", [
    (report(user="0", exit_code=0, log="", written=0), "runs-as-root"),
    (report(user="root", exit_code=0, log="", written=0), "runs-as-root"),
    (report(user="", exit_code=0, log="", written=0), "runs-as-root"),
    (report(exit_code=0, log="", directory=(1000, 0o777), written=10001), "world-writable"),
    (report(exit_code=0, log="", directory=(1000, 0o757), written=10001), "world-writable"),
    (report(container=False), "no-container"),
    (report(running=True, exit_code=0), "still-running"),
    (report(exit_code=127, log="sh: 1: dat: not found"), "job-failed"),
    (report(user="1000", exit_code=0, log=""), "no-report"),
    (report(label="06"), "label-missing"),
], ids=["--user 0", "--user root", "an image without USER", "chmod 777", "o+w", "no container", "still running",
        "another failure", "no report", "unlabelled"])
def test_8_2_wrong_answers_get_their_hint(record, code):
    verdict = ch08.judge_report_job(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


@pytest.fixture(scope="module")
def app_image(module_label):
    """The sample app's image, labelled for this module, as the chapter builds course08-app:1.0."""
    tag = f"{module_label}-app:1.0"
    docker("build", "-q", "--label", f"dockercourse={module_label}", "-t", tag, str(REPO_DIR / "sample_app"))
    return tag


def test_8_2_observe_sees_the_broken_job_and_the_repaired_one(engine, test_label, app_image, tmp_path):
    docker("run", "--rm", "--label", f"dockercourse={test_label}", "--mount", f"type=bind,src={tmp_path},dst=/work",
           PYTHON, "install", "-d", "-o", "1000", "-g", "1000", "-m", "755", "/work/reports")
    name, reports = f"{test_label}-report", str(tmp_path / "reports")
    job = ["--name", name, "--label", f"dockercourse={test_label}", "--mount", f"type=bind,src={reports},dst=/reports"]
    docker("run", *job, app_image, "sh", "-c", "date > /reports/report.txt", check=False)
    seen = ch08.observe_report_job(name, reports, test_label)
    assert seen["container"]["user"] == "10001" and seen["directory"] == {"uid": 1000, "gid": 1000, "mode": 0o755,
                                                                         "size": seen["directory"]["size"]}
    assert ch08.judge_report_job(seen, name, test_label).code == "permission-denied"

    docker("rm", "-f", name)
    docker("run", "--user", "1000:1000", *job, app_image, "sh", "-c", "date > /reports/report.txt")
    verdict = ch08.report_job(name, reports, test_label)
    assert verdict, repr(verdict)


# --- Exercise 8.3 -------------------------------------------------------------------------------------------------

MIB = 2**20


def hardened(*, read_only: bool = True, running: bool = True, health: str = "healthy", tmp_fs: str = "tmpfs",
             tmp_size: int = 16 * MIB, tmp_writable: bool = True, page: dict | None = None, label: str = "08",
             container: bool = True) -> dict:
    """A record of Exercise 8.3 as observe_read_only_app makes it."""
    if not container:
        return {"container": None, "inside": None, "page": None}
    return {"container": {"name": "course08-ro", "labels": {"dockercourse": label}, "status": "running",
                          "running": running, "exit_code": 0, "health": health, "read_only": read_only,
                          "ports": {"8000/tcp": [["127.0.0.1", "8081"]]}},
            "inside": {"app_writable": not read_only, "tmp_writable": tmp_writable, "tmp_fs": tmp_fs,
                       "tmp_size": tmp_size} if running else None,
            "page": page or {"error": None, "hello": True}}


def test_8_3_starting_point_has_no_container_and_the_hint_names_no_flag():
    verdict = ch08.judge_read_only_app(hardened(container=False))
    assert not verdict and verdict.code == "no-container"
    assert not re.search(r"--read-only|tmpfs-size|--tmpfs|--mount|size=", verdict.hint), verdict.hint


def test_8_3_the_solution_passes():
    verdict = ch08.judge_read_only_app(hardened())
    assert verdict and "16 MiB tmpfs" in verdict.message, repr(verdict)


def test_8_3_another_correct_answer():
    """`--read-only --tmpfs /tmp:size=32m`: the other spelling, a larger (still bounded) size."""
    assert ch08.judge_read_only_app(hardened(tmp_size=32 * MIB))


@pytest.mark.parametrize("record, code", [
    (hardened(read_only=False), "root-writable"),
    (hardened(tmp_size=12 * 1024 * MIB), "tmpfs-unbounded"),
    (hardened(tmp_writable=False, tmp_fs=None), "tmp-not-writable"),
    (hardened(tmp_fs="ext4", tmp_size=200 * 1024 * MIB), "tmp-not-tmpfs"),
    (hardened(health="unhealthy"), "unhealthy"),
    (hardened(running=False), "not-running"),
    (hardened(page={"error": "Connection refused", "hello": False}), "not-published"),
    (hardened(page={"error": None, "hello": False}), "wrong-page"),
    (hardened(label="tests"), "label-missing"),
], ids=["writable root", "tmpfs without a size", "no tmpfs", "a volume at /tmp", "unhealthy", "exited",
        "not published", "another page", "unlabelled"])
def test_8_3_wrong_answers_get_their_hint(record, code):
    verdict = ch08.judge_read_only_app(record)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_8_3_observe_reads_a_real_hardened_app(engine, test_label, app_image):
    name = f"{test_label}-ro"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "-p", "127.0.0.1::8000",
           "--read-only", "--mount", "type=tmpfs,dst=/tmp,tmpfs-size=16m", app_image)
    port = int(re.search(r":(\d+)$", docker("port", name, "8000").stdout.splitlines()[0]).group(1))
    seen = ch08.observe_read_only_app(name, port)
    assert seen["inside"] == {"app_writable": False, "tmp_writable": True, "tmp_fs": "tmpfs", "tmp_size": 16 * MIB}
    verdict = ch08.judge_read_only_app(seen, port, name, test_label)
    assert verdict, repr(verdict)

    docker("rm", "-f", name)
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "-p", "127.0.0.1::8000",
           "--read-only", "--tmpfs", "/tmp", app_image)
    time.sleep(0.5)
    port = int(re.search(r":(\d+)$", docker("port", name, "8000").stdout.splitlines()[0]).group(1))
    assert ch08.read_only_app(name, port, test_label).code == "tmpfs-unbounded"
