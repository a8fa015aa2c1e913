"""Chapter 02's checkers. The judges, against hand-written records: each exercise's starting point (its hint),
typical wrong answers (each with the mistake's code and a hint that helps), the chapter's solution and another
correct answer; no engine. A few engine tests prove the observing side against real containers, volumes and
images. `make nbval` proves the notebook's own solutions."""

import hashlib
import time

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch02
from dockercourse.engine import docker, image_store
from dockercourse.manifest import manifest_image
from tests.checks import assert_fails

PYTHON_IMAGE = manifest_image("python").name


# --- Exercise 2.1: rescue a change before the container goes ------------------------------------

CHANGED, ADDED = "a1" * 32, "b2" * 32
CHANGES = {"/etc": "C", "/etc/gai.conf": "C", "/etc/issue.net": "D", "/opt": "C", "/opt/mystery": "A",
           "/opt/mystery/cache": "A", "/opt/mystery/cache/1a2b3c4d.bin": "A"}


def rescue(host: dict | None = None, **changes) -> dict:
    """What observe_rescued_change records for c02-mystery, with this host file."""
    return {"container": "c02-mystery", "found": True, "changes": {**CHANGES, **changes},
            "hashes": {"/etc/gai.conf": CHANGED, "/opt/mystery/cache/1a2b3c4d.bin": ADDED},
            "rescued": "/tmp/dockercourse-02/rescued",
            "host": host or {"exists": False, "is_dir": False, "sha256": None}}


def host_file(digest: str) -> dict:
    return {"exists": True, "is_dir": False, "sha256": digest}


def test_2_1_starting_point_says_where_to_look_not_how():
    verdict = ch02.judge_rescued_change(rescue())
    assert_fails(verdict, "not-rescued", "section 1", "/tmp/dockercourse-02/rescued", absent=("diff", " cp "))


def test_2_1_the_solution_the_containers_copy_of_the_changed_file_passes():
    verdict = ch02.judge_rescued_change(rescue(host_file(CHANGED)))
    assert verdict, repr(verdict)
    assert "/etc/gai.conf" in verdict.message


def test_2_1_another_correct_answer():
    """Another run's script changed another file, and the learner saved it with `docker exec … cat`: the same
    bytes as the container's copy, whatever the path or the command."""
    record = rescue(host_file("c3" * 32))
    record["changes"] = {**CHANGES, "/etc/gai.conf": "D", "/etc/login.defs": "C"}
    record["hashes"] = {"/etc/login.defs": "c3" * 32, "/opt/mystery/cache/1a2b3c4d.bin": ADDED}
    assert ch02.judge_rescued_change(record)


@pytest.mark.parametrize("host, code, words", [
    ({"exists": True, "is_dir": True, "sha256": None}, "copied-a-directory", ("directory", "one file")),
    (host_file(ADDED), "added-file", ("added", "C line")),
    (host_file("d4" * 32), "not-the-changed-file", ("original", "as it is now")),
])
def test_2_1_wrong_answers_fail_with_their_code(host, code, words):
    assert_fails(ch02.judge_rescued_change(rescue(host)), code, *words)


def test_2_1_without_the_container_says_to_run_the_setup():
    assert_fails(ch02.judge_rescued_change({**rescue(), "found": False}), "no-container", "first cell")


@pytest.fixture
def mystery(test_label, tmp_path) -> tuple[str, str]:
    """A running container that changed /etc/motd, added a file and deleted one; and a host path to rescue to."""
    name = f"{test_label}-mystery"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", PYTHON_IMAGE, "sh", "-c",
           "echo '# tuned' >> /etc/motd && mkdir -p /opt/tool && echo 'debug = true' > /opt/tool/settings.toml"
           " && rm /etc/issue.net && echo ready && sleep 600")
    deadline = time.monotonic() + 30
    while "ready" not in docker("logs", name).stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    return name, str(tmp_path / "rescued")


def test_2_1_observes_the_changes_and_the_rescued_file(engine, mystery):
    name, rescued = mystery
    assert ch02.rescued_change(name, rescued).code == "not-rescued"
    docker("cp", f"{name}:/etc/motd", rescued)  # the chapter's solution
    seen = ch02.observe_rescued_change(name, rescued)
    assert seen["changes"]["/etc/motd"] == "C" and seen["changes"]["/etc/issue.net"] == "D"
    assert seen["host"]["sha256"] == seen["hashes"]["/etc/motd"]
    assert ch02.judge_rescued_change(seen)


def test_2_1_observes_another_correct_answer_and_a_directory(engine, mystery, tmp_path):
    name, rescued = mystery
    copied = docker("exec", name, "cat", "/etc/motd", text=False).stdout  # `docker exec NAME cat … > rescued`
    (tmp_path / "rescued").write_bytes(copied)
    assert ch02.rescued_change(name, rescued), hashlib.sha256(copied).hexdigest()
    directory = str(tmp_path / "etc")
    docker("cp", f"{name}:/opt/tool", directory)
    assert ch02.rescued_change(name, directory).code == "copied-a-directory"


# --- Exercise 2.2: keep the build production runs -----------------------------------------------

def builds(kept: dict | None = None, other_names: tuple = (), exists: bool = False, before: str = "sha256:old",
           now: str = "sha256:new") -> dict:
    """What observe_kept_build records after the rebuild cell."""
    return {"tag": "course02/demo:1.0", "repository": "course02/prod", "before": before, "now": now,
            "kept": kept or {}, "other_names": list(other_names), "exists": exists}


def test_2_2_starting_point_the_build_is_lost_and_the_hint_does_not_name_the_command():
    verdict = ch02.judge_kept_build(builds())
    assert_fails(verdict, "build-lost", "section 4", "second name", "before the rebuild", absent=("tag ",))


def test_2_2_the_solution_a_second_name_before_the_rebuild_passes():
    verdict = ch02.judge_kept_build(builds({"course02/prod:2": "sha256:old"}))
    assert verdict, repr(verdict)
    assert "course02/prod:2" in verdict.message


def test_2_2_another_correct_answer():
    """Any version in the repository, given by ID or with `docker image tag`, beside other names there."""
    assert ch02.judge_kept_build(builds({"course02/prod:release-7": "sha256:old", "course02/prod:1": "sha256:x"}))


@pytest.mark.parametrize("record, code", [
    (builds({"course02/prod:2": "sha256:new"}), "named-the-new-build"),
    (builds(other_names=("course02/demo:keep",), exists=True), "kept-elsewhere"),
    (builds(exists=True), "left-dangling"),
    (builds(before=""), "no-rebuild"),
])
def test_2_2_wrong_answers_fail_with_their_code(record, code):
    verdict = ch02.judge_kept_build(record)
    assert_fails(verdict, code, absent=("tag ",))


def build_tiny(test_label: str, context, reference: str, message: str) -> str:
    (context / "message.txt").write_text(message)
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", reference, str(context))
    return docker("image", "ls", "--quiet", "--no-trunc", reference).stdout.strip()


def test_2_2_observes_the_kept_and_the_lost_build(engine, test_label, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY message.txt /message.txt\n")
    tag, repository, before = f"{test_label}/demo:1.0", f"{test_label}/prod", tmp_path / "before"
    first = build_tiny(test_label, tmp_path, tag, "one")
    docker("tag", tag, f"{repository}:1")
    before.write_text(first)
    build_tiny(test_label, tmp_path, tag, "two")
    assert ch02.kept_build(tag, repository, before), "the name given before the rebuild keeps the build"
    second = docker("image", "ls", "--quiet", "--no-trunc", tag).stdout.strip()
    before.write_text(second)
    build_tiny(test_label, tmp_path, tag, "three")
    lost = ch02.kept_build(tag, repository, before)
    assert lost.code == ("left-dangling" if image_store() == "classic" else "build-lost"), repr(lost)


# --- Exercise 2.3: a server that will not stay up -----------------------------------------------

def server(status: str = "running", exit_code: int = 0, restarts: int = 0, pid1: str = "python -m http.server 8000",
           answers: bool = True, policy: str = "no", labels: dict | None = None) -> dict:
    """What observe_server records for c02-server."""
    facts = {"name": "c02-server", "status": status, "exit_code": exit_code, "restart_count": 4 + restarts,
             "labels": {LABEL: "02"} if labels is None else labels, "restart_policy": {"name": policy, "max": 0}}
    return {"name": "c02-server", "port": 8000, "facts": facts, "restarts_meanwhile": restarts,
            "pid1": pid1 if status == "running" else "", "answers": answers and status == "running"}


def test_2_3_starting_point_a_crash_loop_with_exit_code_0():
    verdict = ch02.judge_server(server("restarting", restarts=2, policy="always"))
    assert_fails(verdict, "crash-loop", "restart policy", "exit code 0", "section 5",
                 absent=("--restart", "dockercourse=02", "exec"))


def test_2_3_the_solution_the_server_in_the_foreground_passes():
    verdict = ch02.judge_server(server(policy="unless-stopped"))
    assert verdict, repr(verdict)
    assert "python -m http.server 8000" in verdict.message


def test_2_3_another_correct_answer():
    """No restart policy, and Docker's init as PID 1 in front of the server (`--init`): the server is its child,
    gets its signals, and the container ends when it ends."""
    assert ch02.judge_server(server(pid1="/sbin/docker-init -- python3 -m http.server 8000"))
    assert ch02.judge_server(server(pid1="/usr/local/bin/python3 -m http.server 8000"))


@pytest.mark.parametrize("record, code", [
    (server("exited"), "main-process-ended"),
    (server("exited", exit_code=1), "server-failed"),
    (server(pid1="sleep infinity"), "server-not-main-process"),
    (server(pid1="sh -c python -m http.server 8000 & sleep infinity"), "server-not-main-process"),
    (server(pid1="tail -f /dev/null"), "server-not-main-process"),
    (server(pid1="python -m http.server 8080", answers=False), "server-not-answering"),
    (server("running", restarts=1, policy="always"), "crash-loop"),
    (server(labels={}), "label-missing"),
])
def test_2_3_wrong_answers_fail_with_their_code(record, code):
    assert_fails(ch02.judge_server(record), code)


def test_2_3_no_container_says_to_run_the_setup():
    assert_fails(ch02.judge_server({"name": "c02-server", "port": 8000, "facts": None}), "no-container", "setup")


def test_2_3_observes_the_crash_loop_and_the_repair(engine, test_label):
    name = f"{test_label}-server"
    docker("run", "-d", "--name", name, "--restart", "always", "--label", f"{LABEL}={test_label}", PYTHON_IMAGE,
           "sh", "-c", "python -m http.server 8000 > /tmp/http.log 2>&1 &")
    assert ch02.server_stays_up(name, creator=test_label).code == "crash-loop"
    docker("rm", "-f", name)
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", PYTHON_IMAGE,
           "sh", "-c", "exec python -m http.server 8000")
    seen = ch02.observe_server(name)
    assert seen["pid1"] == "python -m http.server 8000" and seen["restarts_meanwhile"] == 0, seen
    assert ch02.judge_server(seen, creator=test_label), seen


# --- Exercise 2.4: free the space, keep the data ------------------------------------------------

def leftovers(containers: dict | None = None, anonymous: tuple = ("9f" * 32,), data: str | None = "order 1: 3 books\n",
              volumes: tuple = ("c02-orders",)) -> dict:
    """What observe_leftovers records for the chapter's label."""
    return {"volume": "c02-orders", "data_file": "orders.csv",
            "containers": {"c02-old-1": "exited", "c02-old-2": "exited"} if containers is None else containers,
            "volumes": list(volumes), "anonymous": list(anonymous), "data": data}


def test_2_4_starting_point_the_stopped_containers_without_the_command():
    verdict = ch02.judge_leftovers(leftovers())
    assert_fails(verdict, "stopped-containers-left", "c02-old-1", "section 8",
                 absent=("prune", "--filter", "--force", "label=dockercourse=02"))


def test_2_4_the_solution_prunes_and_keeps_the_named_volume():
    assert ch02.judge_leftovers(leftovers({}, anonymous=()))


def test_2_4_another_correct_answer():
    """Removed by name instead of pruned, while a running container of the chapter stays: it is in use."""
    assert ch02.judge_leftovers(leftovers({"c02-web": "running"}, anonymous=()))


@pytest.mark.parametrize("record, code", [
    (leftovers({}, anonymous=(), data=None, volumes=()), "data-deleted"),
    (leftovers({}, anonymous=(), data=""), "data-replaced"),
    (leftovers({}), "anonymous-volume-left"),
    (leftovers({"c02-old-2": "exited"}, anonymous=()), "stopped-containers-left"),
])
def test_2_4_wrong_answers_fail_with_their_code(record, code):
    assert_fails(ch02.judge_leftovers(record), code, absent=("prune", "--filter", "label=dockercourse=02"))


def test_2_4_observes_the_leftovers_the_prune_and_the_data(engine, test_label):
    label, volume = f"{LABEL}={test_label}", f"{test_label}-orders"
    docker("volume", "create", "--label", label, volume)
    docker("run", "--rm", "--label", label, "-v", f"{volume}:/data", PYTHON_IMAGE, "sh", "-c",
           "echo 'order 1: 3 books' > /data/orders.csv")
    docker("run", "--name", f"{test_label}-cache", "--label", label, "--mount",
           f"type=volume,dst=/cache,volume-label={label}", PYTHON_IMAGE, "true")
    docker("rm", f"{test_label}-cache")
    docker("run", "--name", f"{test_label}-old", "--label", label, PYTHON_IMAGE, "true")
    docker("wait", f"{test_label}-old")  # `docker run` can return while the engine still reads it as running
    seen = ch02.observe_leftovers(volume, creator=test_label)
    assert seen["containers"] == {f"{test_label}-old": "exited"} and len(seen["anonymous"]) == 1, seen
    assert "order 1" in seen["data"]
    docker("container", "prune", "--force", "--filter", f"label={label}")
    docker("volume", "prune", "--force", "--filter", f"label={label}")
    assert ch02.freed_but_kept(volume, creator=test_label)
    docker("volume", "prune", "--all", "--force", "--filter", f"label={label}")
    assert ch02.freed_but_kept(volume, creator=test_label).code == "data-deleted"
