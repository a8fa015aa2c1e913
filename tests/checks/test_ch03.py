"""Chapter 03's checkers. The judges, against hand-written records: each exercise's starting point (its hint),
typical wrong answers (each with the mistake's code and a hint that helps), the chapter's solution and another
correct answer; no engine. A few engine tests prove the observing side: a pinned script run against the real
engine, a registry asked for a pushed image's digest, the mounts of real containers. `make nbval` proves the
notebook's own solutions."""

import time
import urllib.error
import urllib.request

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch03
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image
from tests.checks import assert_fails
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name
REGISTRY_IMAGE = manifest_image("registry").name
TOO_OLD = ("Error response from daemon: client version 1.23 is too old. Minimum supported API version is 1.24, "
           "please upgrade your client to a newer version")


# --- Exercise 3.1: a tool the engine calls too old ----------------------------------------------

def tool(output: str = TOO_OLD, exit_code: int = 1, exists: bool = True) -> dict:
    """What observe_tool records after running report.sh against an engine that accepts 1.24 to 1.51."""
    return {"script": "/tmp/dockercourse-03/tool/report.sh", "exists": exists, "oldest": "1.24", "newest": "1.51",
            "exit_code": exit_code if exists else None, "output": output if exists else ""}


def test_3_1_starting_point_names_the_range_not_the_fix():
    verdict = ch03.judge_tool(tool())
    assert_fails(verdict, "api-version-too-old", "1.23", "1.24 to 1.51", "section 2",
                 absent=("sed", "/docker_api_version/d", "delete", "remove the"))


def test_3_1_the_solution_without_the_pin_passes():
    assert ch03.judge_tool(tool("course03-cli: Up 3 minutes", exit_code=0))


def test_3_1_another_correct_answer():
    """A pin inside the engine's range (1.44 here) works too, and an empty list is still a list."""
    assert ch03.judge_tool(tool("", exit_code=0))


@pytest.mark.parametrize("record, code", [
    (tool("Error response from daemon: client version 1.99 is too new. Maximum supported API version is 1.51"),
     "api-version-too-new"),
    (tool("report.sh: 3: Syntax error: Unterminated quoted string", exit_code=2), "tool-fails"),
    (tool(exists=False), "no-tool"),
])
def test_3_1_wrong_answers_fail_with_their_code(record, code):
    assert_fails(ch03.judge_tool(record), code)


def write_tool(tmp_path, pin: str | None, test_label: str):
    lines = ["#!/bin/sh", *([f"export DOCKER_API_VERSION={pin}"] if pin else []),
             f"docker ps --all --filter label={LABEL}={test_label} --format '{{{{.Names}}}}'"]
    script = tmp_path / "report.sh"
    script.write_text("\n".join(lines) + "\n")
    return script


def test_3_1_observes_the_refusal_and_the_repairs(engine, test_label, tmp_path):
    seen = ch03.observe_tool(write_tool(tmp_path, "1.23", test_label))
    assert seen["exit_code"] != 0 and "is too old" in seen["output"], seen
    assert ch03.judge_tool(seen).code == "api-version-too-old"
    assert ch03.tool_works(write_tool(tmp_path, None, test_label)), "no pin: the CLI negotiates"
    oldest = ch03.observe_tool(write_tool(tmp_path, None, test_label))["oldest"]
    assert ch03.tool_works(write_tool(tmp_path, oldest, test_label)), "a pin the engine accepts"


# --- Exercise 3.2: release by digest ------------------------------------------------------------

INDEX, PLATFORM, OTHER = "sha256:" + "1" * 64, "sha256:" + "2" * 64, "sha256:" + "3" * 64
RELEASE = "localhost:8030/course03/release"


def release(answer, status: int = 200, name: str | None = None, tag: str | None = None, digest: str | None = None,
            known: bool | None = None) -> dict:
    """What observe_release records: the registry's answer for course03/release:2.0, and the learner's answer."""
    return {"registry": "localhost:8030", "repository": "course03/release", "tag": "2.0", "registry_status": status,
            "tag_digest": INDEX if status == 200 else "",
            "platform_digests": [PLATFORM, OTHER] if status == 200 else [],
            "answer": answer, "answer_is_text": isinstance(answer, str), "name": name, "answer_tag": tag,
            "digest": digest, "known": known}


def test_3_2_starting_point_says_where_the_image_must_go_without_the_commands():
    verdict = ch03.judge_release(release(None, status=404))
    assert_fails(verdict, "not-published", "course03/release", "section 5", absent=("docker tag", "docker push"))


def test_3_2_the_solution_the_tags_digest_passes():
    assert ch03.judge_release(release(f"{RELEASE}@{INDEX}", name=RELEASE, digest=INDEX, known=True))


def test_3_2_another_correct_answer():
    """Tag and digest together (the digest wins), or the digest of this platform's manifest from the index."""
    assert ch03.judge_release(release(f"{RELEASE}:2.0@{INDEX}", name=RELEASE, tag="2.0", digest=INDEX, known=True))
    assert ch03.judge_release(release(f"{RELEASE}@{PLATFORM}", name=RELEASE, digest=PLATFORM, known=True))


@pytest.mark.parametrize("record, code", [
    (release(None), "no-answer"),
    (release(f"{RELEASE}:2.0", name=RELEASE, tag="2.0"), "tag-not-digest"),
    (release(f"course03/release@{INDEX}", name="course03/release", digest=INDEX), "wrong-repository"),
    (release(f"localhost:8030/course03/demo@{INDEX}", name="localhost:8030/course03/demo", digest=INDEX,
             known=True), "wrong-repository"),
    (release(f"{RELEASE}@{'sha256:' + '4' * 64}", name=RELEASE, digest="sha256:" + "4" * 64, known=False),
     "unknown-digest"),
    (release(f"{RELEASE}@{'sha256:' + '5' * 64}", name=RELEASE, digest="sha256:" + "5" * 64, known=True),
     "another-digest"),
    (release(None, status=0), "no-registry"),
])
def test_3_2_wrong_answers_fail_with_their_code(record, code):
    assert_fails(ch03.judge_release(record), code)


def test_3_2_an_answer_of_the_wrong_type_is_a_hint_not_an_error():
    verdict = ch03.judge_release(release(["sha256:abc"]))
    assert_fails(verdict, "no-answer", "string")


@pytest.fixture
def registry(test_label, tmp_path):
    """A registry from the manifest's image on a free loopback port, and a tiny image to push to it."""
    name = f"{test_label}-registry"
    docker("run", "-d", "--label", f"{LABEL}={test_label}", "--name", name, "-p", "127.0.0.1::5000", REGISTRY_IMAGE)
    address = docker("port", name, "5000/tcp").stdout.strip().splitlines()[0]
    for _ in range(50):
        try:
            urllib.request.urlopen(f"http://{address}/v2/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY message.txt /message.txt\n")
    (tmp_path / "message.txt").write_text("one")
    return address, tmp_path


def test_3_2_observes_the_registry_and_the_reference(engine, test_label, registry):
    address, context = registry
    repository = f"{test_label}/release"
    assert ch03.release_reference(None, address, repository).code == "not-published"
    reference = f"{address}/{repository}:2.0"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", reference, str(context))
    pushed = captured("docker", "push", reference)
    digest = next(line.split()[2] for line in pushed if "digest: sha256:" in line)
    assert ch03.release_reference(f"{address}/{repository}@{digest}", address, repository)
    assert ch03.release_reference(reference, address, repository).code == "tag-not-digest"
    assert ch03.release_reference(f"{address}/{repository}@sha256:{'0' * 64}", address, repository).code \
        == "unknown-digest"


# --- Exercise 3.3: which container holds the keys to the host? ----------------------------------

SOCKET = ["bind", "/var/run/docker.sock", "/var/run/docker.sock"]
BACKUP = ["bind", "/tmp/dockercourse-03/backup", "/backup"]
CACHE = ["volume", "/var/lib/docker/volumes/" + "c" * 64 + "/_data", "/cache"]


def mounts(*present: str, stopped: tuple = ()) -> dict:
    """What observe_mounts records for the chapter's containers that are still there."""
    every = {"course03-metrics": [SOCKET], "course03-backup": [BACKUP], "course03-cache": [CACHE],
             "course03-registry": [["volume", "/var/lib/docker/volumes/course03-registry-data/_data",
                                    "/var/lib/registry"]]}
    return {"names": ["course03-metrics", "course03-backup", "course03-cache"],
            "containers": {name: {"running": name not in stopped, "mounts": every[name]} for name in present}}


def test_3_3_starting_point_does_not_name_the_container():
    verdict = ch03.judge_mounts(mounts("course03-metrics", "course03-backup", "course03-cache", "course03-registry"))
    assert_fails(verdict, "socket-still-mounted", "mounts", "section 8", absent=("course03-metrics", "docker.sock"))


def test_3_3_the_solution_removing_the_socket_holder_passes():
    assert ch03.judge_mounts(mounts("course03-backup", "course03-cache", "course03-registry"))


def test_3_3_another_correct_answer():
    """Found with `docker ps --filter volume=…` and removed; the chapter's other containers may be gone already."""
    assert ch03.judge_mounts(mounts("course03-backup", "course03-cache"))


@pytest.mark.parametrize("record, code", [
    (mounts("course03-metrics", "course03-backup", "course03-cache", stopped=("course03-metrics",)),
     "socket-container-stopped"),
    (mounts("course03-metrics", "course03-cache"), "socket-still-mounted"),
    (mounts("course03-cache"), "removed-too-much"),
    (mounts("course03-backup", "course03-cache", stopped=("course03-cache",)), "removed-too-much"),
    (mounts(), "no-containers"),
])
def test_3_3_wrong_answers_fail_with_their_code(record, code):
    assert_fails(ch03.judge_mounts(record), code)


def test_3_3_observes_the_mounts_of_real_containers(engine, test_label, tmp_path):
    label = f"{LABEL}={test_label}"
    names = (f"{test_label}-metrics", f"{test_label}-backup", f"{test_label}-cache")
    docker("run", "-d", "--name", names[0], "--label", label, "-v", "/var/run/docker.sock:/var/run/docker.sock",
           PYTHON_IMAGE, "sleep", "60")
    docker("run", "-d", "--name", names[1], "--label", label, "-v", f"{tmp_path}:/backup:ro", PYTHON_IMAGE,
           "sleep", "60")
    docker("run", "-d", "--name", names[2], "--label", label, "--mount",
           f"type=volume,dst=/cache,volume-label={label}", PYTHON_IMAGE, "sleep", "60")
    seen = ch03.observe_mounts(test_label, names)
    assert [["bind", "/var/run/docker.sock", "/var/run/docker.sock"]] == seen["containers"][names[0]]["mounts"]
    assert ch03.judge_mounts(seen).code == "socket-still-mounted"
    docker("rm", "-f", names[0])
    assert ch03.judge_mounts(ch03.observe_mounts(test_label, names))
