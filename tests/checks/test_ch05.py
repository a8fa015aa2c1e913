"""Chapter 05's checkers: each judge against hand-written records (the notebook's starting point, typical wrong
answers, the chapter's solution and another correct answer), with no engine; a few engine tests prove that the
observing side records what the judge expects, on containers of the sample app run on free host ports. The
notebook's solutions themselves are proven by nbval, which solves each exercise in the chapter."""

import socket

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.checks import ch05
from dockercourse.engine import docker
from dockercourse.wait import wait_healthy

ID = "3f1c0a9b2d4e" + "0" * 52
OTHER_ID = "9a8b7c6d5e4f" + "1" * 52
CREATOR = "05"


def facts(**changes) -> dict:
    """A container as common.container_facts records it: a running sample app, labelled for chapter 05."""
    return {"name": "ch05-x", "id": ID, "image": "course05/sample-app:1.0.0", "image_id": "sha256:release",
            "labels": {LABEL: CREATOR}, "status": "running", "running": True, "exit_code": 0, "oom_killed": False,
            "health": "healthy", "restart_count": 0,
            "command": ["gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"],
            "env": {"PORT": "8000"}, "user": "10001", "ports": {}, "mounts": [], "networks": ["bridge"],
            "read_only": False, "memory": 0, "cap_add": [], "cap_drop": [], "security_opt": [],
            "restart_policy": {"name": "no", "max": 0}, **changes}


# --- Exercise 5.1 · the port is taken -------------------------------------------------------------------------

SHOP_PORTS = {"8000/tcp": [["0.0.0.0", "8054"], ["::", "8054"]]}


def shop_record(container=None, holders=None, page=None, last_log="") -> dict:
    """What observe_shop records; the repaired shop by default."""
    container = container if container is not None else facts(name="ch05-shop", ports=SHOP_PORTS,
                                                              env={"APP_VERSION": "1.0.0"})
    return {"name": "ch05-shop", "port": 8054, "facts": container,
            "holders": holders if holders is not None else ["ch05-shop"],
            "page": page if page is not None else {"hostname": container["id"][:12] if container else None,
                                                   "version": "1.0.0"},
            "last_log": last_log}


def test_5_1_starting_point_says_where_to_look_not_what_to_write():
    created = facts(name="ch05-shop", status="created", running=False, exit_code=0, health=None, ports={})
    verdict = ch05.judge_shop(shop_record(created, holders=["ch05-smoke-test"], page={}))
    assert not verdict and verdict.code == "port-held-by-another-container"
    assert "section 4" in verdict.hint and "ch05-smoke-test" not in verdict.hint
    assert "start" not in verdict.hint.split() and "--filter" not in verdict.hint


def test_5_1_the_solution_passes():
    assert ch05.judge_shop(shop_record())


def test_5_1_another_correct_answer():
    """The leftover moved to another port, ch05-shop removed and run again with the colleague's options."""
    verdict = ch05.judge_shop(shop_record(facts(name="ch05-shop", id=OTHER_ID, ports=SHOP_PORTS)))
    assert verdict, repr(verdict)


@pytest.mark.parametrize("record, code", [
    ({"container": None}, "no-container"),
    ({"container": facts(name="ch05-shop", labels={})}, "label-missing"),
    ({"container": facts(name="ch05-shop", status="created", running=False, ports={}), "holders": []},
     "created-not-started"),
    ({"container": facts(name="ch05-shop", status="exited", running=False, exit_code=1), "holders": [],
      "last_log": "Error: 'eighty' is not a valid port number."}, "stopped"),
    ({"container": facts(name="ch05-shop", ports={"8000/tcp": [["0.0.0.0", "8059"]]})}, "wrong-host-port"),
    ({"page": {"hostname": OTHER_ID[:12], "version": "1.0.0"}}, "another-container-answers"),
    ({"page": {"hostname": ID[:12], "version": "dev"}}, "settings-lost"),
], ids=["gone", "unlabelled", "created", "exited", "other-port", "other-container", "version"])
def test_5_1_wrong_answers_get_their_own_hint(record, code):
    arguments = {"container": facts(name="ch05-shop", ports=SHOP_PORTS), **record}
    if arguments["container"] is None:
        seen = {"name": "ch05-shop", "port": 8054, "facts": None, "holders": [], "page": None, "last_log": ""}
    else:
        seen = shop_record(**arguments)
    verdict = ch05.judge_shop(seen)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_5_1_no_answer_on_the_port():
    seen = shop_record()
    seen["page"] = None
    verdict = ch05.judge_shop(seen)
    assert not verdict and verdict.code == "no-answer"


# --- Exercise 5.2 · look inside --------------------------------------------------------------------------------

INSIDE = {"name": "ch05-peek", "exists": True, "running": True, "workers": 3, "uid": "21234"}


def test_5_2_starting_point_says_where_to_look_not_what_to_write():
    verdict = ch05.judge_inside(INSIDE, None, None)
    assert not verdict and verdict.code == "no-answer"
    assert "section 5" in verdict.hint and "top" not in verdict.hint.split()


def test_5_2_the_solution_passes():
    """workers counted from `docker top`, user = !docker exec … id -u (a one-line list)."""
    assert ch05.judge_inside(INSIDE, 3, ["21234"])


def test_5_2_another_correct_answer():
    """workers = !docker exec … printenv WEB_CONCURRENCY, and the whole line of `id`."""
    verdict = ch05.judge_inside(INSIDE, ["3"], "uid=21234 gid=0(root) groups=0(root)")
    assert verdict, repr(verdict)


@pytest.mark.parametrize("workers, user, code", [
    (4, 21234, "counted-master"),
    (2, 21234, "wrong-workers"),
    (["PID COMMAND", "1 gunicorn", "7 gunicorn"], 21234, "workers-not-a-number"),
    (3, 10001, "wrong-user"),
    (3, "app", "user-not-a-number"),
    (None, 21234, "workers-not-a-number"),
])
def test_5_2_wrong_answers_get_their_own_hint(workers, user, code):
    verdict = ch05.judge_inside(INSIDE, workers, user)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


def test_5_2_a_stopped_container_is_not_judged():
    verdict = ch05.judge_inside({"name": "ch05-peek", "exists": False, "running": False}, 3, 1)
    assert not verdict and verdict.code == "no-container"


# --- Exercise 5.3 · a release on this machine only ------------------------------------------------------------

LOOPBACK = {"8000/tcp": [["127.0.0.1", "8058"]]}


def release_record(container="default", page="default", image_id="sha256:release") -> dict:
    """What observe_release records; the chapter's solution by default."""
    container = facts(name="ch05-ex3", ports=LOOPBACK, env={"APP_VERSION": "1.0.0"}) \
        if container == "default" else container
    return {"name": "ch05-ex3", "port": 8058, "image": "course05/sample-app:1.0.0", "image_id": image_id,
            "facts": container, "page": {"hostname": ID[:12], "version": "1.0.0"} if page == "default" else page,
            "last_log": ""}


def test_5_3_starting_point_says_where_to_look_not_what_to_write():
    verdict = ch05.judge_release(release_record(container=None, page=None))
    assert not verdict and verdict.code == "no-container"
    assert "127.0.0.1" not in verdict.hint and "APP_VERSION" not in verdict.hint


def test_5_3_the_solution_passes():
    assert ch05.judge_release(release_record())


def test_5_3_another_correct_answer():
    """-e PORT=9000 -p 127.0.0.1:8058:9000 --env APP_VERSION=1.0.0, run from the tag `1` (the same image)."""
    container = facts(name="ch05-ex3", image="course05/sample-app:1", ports={"9000/tcp": [["127.0.0.1", "8058"]]},
                      env={"APP_VERSION": "1.0.0", "PORT": "9000"})
    verdict = ch05.judge_release(release_record(container))
    assert verdict, repr(verdict)


@pytest.mark.parametrize("container, page, code", [
    (facts(name="ch05-ex3", labels={}), "default", "label-missing"),
    (facts(name="ch05-ex3", image="course05/sample-app:1.1", image_id="sha256:other"), "default", "wrong-image"),
    (facts(name="ch05-ex3", status="exited", running=False, exit_code=127), None, "stopped"),
    (facts(name="ch05-ex3", ports={}), None, "not-published"),
    (facts(name="ch05-ex3", ports={"8058/tcp": [["0.0.0.0", "8000"]]}), None, "ports-reversed"),
    (facts(name="ch05-ex3", ports={"8000/tcp": [["127.0.0.1", "8059"]]}), None, "wrong-host-port"),
    (facts(name="ch05-ex3", ports={"8000/tcp": [["0.0.0.0", "8058"], ["::", "8058"]]}), "default",
     "published-on-all-interfaces"),
    (facts(name="ch05-ex3", ports=LOOPBACK,
           command=["gunicorn", "--bind", "127.0.0.1:8000", "app:create_app()"]), None, "listens-on-loopback-inside"),
    (facts(name="ch05-ex3", ports=LOOPBACK), None, "no-answer"),
    (facts(name="ch05-ex3", ports=LOOPBACK), {"hostname": None, "version": None}, "not-the-app"),
    (facts(name="ch05-ex3", ports=LOOPBACK), {"hostname": ID[:12], "version": "dev"}, "version-not-set"),
    (facts(name="ch05-ex3", ports=LOOPBACK), {"hostname": ID[:12], "version": "1.0"}, "wrong-version"),
], ids=["unlabelled", "image", "exited", "unpublished", "reversed", "other-port", "all-interfaces", "loopback-inside",
        "no-answer", "not-the-app", "no-version", "other-version"])
def test_5_3_wrong_answers_get_their_own_hint(container, page, code):
    verdict = ch05.judge_release(release_record(container, page))
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


# --- Exercise 5.4 · the container that exits at once ------------------------------------------------------------

SETTINGS = {"APP_VERSION": "2.0", "LOG_LEVEL": "INFO", "MAX_BODY_BYTES": "4096"}
REPAIRED_ENV = {**SETTINGS, "WEB_CONCURRENCY": "2"}


def mystery_record(container) -> dict:
    return {"name": "ch05-mystery", "facts": container, "last_log": ""}


def test_5_4_starting_point_says_where_to_look_not_what_to_write():
    crashed = facts(name="ch05-mystery", status="exited", running=False, exit_code=1, health="unhealthy",
                    env={**SETTINGS, "WEB_CONCURRENCY": "auto"})
    verdict = ch05.judge_repaired(mystery_record(crashed), SETTINGS)
    assert not verdict and verdict.code == "exits-at-once" and "code 1" in verdict.message
    assert "section 10" in verdict.hint and "WEB_CONCURRENCY" not in verdict.hint


def test_5_4_the_solution_passes():
    assert ch05.judge_repaired(mystery_record(facts(name="ch05-mystery", env=REPAIRED_ENV)), SETTINGS)


def test_5_4_another_correct_answer():
    """The env file left as it was, its broken line deleted: gunicorn's default applies."""
    verdict = ch05.judge_repaired(mystery_record(facts(name="ch05-mystery", env=dict(SETTINGS))), SETTINGS)
    assert verdict, repr(verdict)


@pytest.mark.parametrize("container, code", [
    (None, "no-container"),
    (facts(name="ch05-mystery", labels={}, env=REPAIRED_ENV), "label-missing"),
    (facts(name="ch05-mystery", health="unhealthy", env=REPAIRED_ENV), "not-healthy"),
    (facts(name="ch05-mystery", env={"WEB_CONCURRENCY": "2"}), "settings-lost"),
], ids=["gone", "unlabelled", "unhealthy", "settings-lost"])
def test_5_4_wrong_answers_get_their_own_hint(container, code):
    verdict = ch05.judge_repaired(mystery_record(container), SETTINGS)
    assert not verdict and verdict.code == code and verdict.hint, repr(verdict)


# --- the observing side, on real containers -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def image(module_label):
    """The reference image, built once for the module under the module's label (removed with it)."""
    name = f"course05-test/sample-app:{module_label}"
    docker("build", "--quiet", "--label", f"{LABEL}={module_label}", "-t", name, str(REPO_DIR / "sample_app"),
           timeout=600)
    return name


def run(image: str, label: str, *options: str) -> str:
    return docker("run", "-d", "--label", f"{LABEL}={label}", *options, image, check=False).stdout.strip()


def test_5_1_observe_finds_the_holder_of_the_port(test_label, image):
    port = free_port()
    run(image, test_label, "--name", f"{test_label}-holder", "-p", f"{port}:8000")
    run(image, test_label, "--name", f"{test_label}-shop", "-p", f"{port}:8000")
    seen = ch05.observe_shop(f"{test_label}-shop", port)
    assert seen["facts"]["status"] == "created" and seen["holders"] == [f"{test_label}-holder"], seen
    assert ch05.judge_shop(seen, creator=test_label).code == "port-held-by-another-container"
    docker("rm", "-f", f"{test_label}-holder")
    docker("start", f"{test_label}-shop")
    wait_healthy(f"{test_label}-shop")
    seen = ch05.observe_shop(f"{test_label}-shop", port)
    assert seen["page"]["hostname"] == seen["facts"]["id"][:12] and seen["page"]["version"] == "dev", seen


def test_5_2_observe_counts_the_workers_and_reads_the_user(test_label, image):
    name = f"{test_label}-peek"
    run(image, test_label, "--name", name, "--user", "21234", "-e", "WEB_CONCURRENCY=3")
    wait_healthy(name)
    seen = ch05.observe_inside(name)
    assert (seen["workers"], seen["uid"]) == (3, "21234"), seen


def test_5_3_observe_fetches_the_page_on_the_loopback_port(test_label, image):
    port = free_port()
    name = f"{test_label}-release"
    run(image, test_label, "--name", name, "-p", f"127.0.0.1:{port}:8000", "-e", "APP_VERSION=1.0.0")
    seen = ch05.observe_release(name, port, image)
    assert seen["facts"]["ports"] == {"8000/tcp": [["127.0.0.1", str(port)]]}, seen
    assert seen["page"]["version"] == "1.0.0" and seen["facts"]["image_id"] == seen["image_id"], seen
    assert ch05.judge_release(seen, creator=test_label), seen


def test_5_4_observe_records_the_exit_and_its_last_log_line(test_label, image):
    name = f"{test_label}-mystery"
    run(image, test_label, "--name", name, "-e", "WEB_CONCURRENCY=auto")
    docker("wait", name, timeout=60)
    seen = ch05.observe_repaired(name)
    assert seen["facts"]["exit_code"] == 1 and "'auto'" in seen["last_log"], seen
