"""Chapter 06's checkers (Docker Compose): the judges against hand-written records, with no engine (the starting
points, typical wrong answers, the chapter's solutions and other correct answers), and the observers against a
real stack of the sample app.

The engine tests run the sample app's compose.yaml as their own project, named and labelled after the test's
label (`tests-…`), on host ports the engine picks (WEB_PORT=127.0.0.1:0), so they collide with neither the chapter
(8060–8069) nor other tests; the project is taken down afterwards.
"""

import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch06
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image

COMPOSE_FILE = REPO_DIR / "sample_app" / "compose.yaml"
PYTHON = manifest_image("python").name
REDIS_AT = "172.18.0.2"


# --- Exercise 6.1: records ---------------------------------------------------------------------------------

def probe_record(networks=("course06_default",), running=True, label="06", command=("sleep", "infinity"),
                 resolved=(REDIS_AT,), opened=True, targets_running=True) -> dict:
    return {"probe": {"name": "course06-probe", "running": running, "status": "running" if running else "exited",
                      "exit_code": 0, "command": list(command), "networks": list(networks), "label": label},
            "targets": [{"name": "course06-redis-1", "running": targets_running, "addresses": [REDIS_AT]}],
            "reached": {"resolved": list(resolved), "open": opened} if running else None}


def test_6_1_starting_point_no_probe_gets_where_to_look():
    verdict = ch06.judge_probe({"probe": None, "targets": [], "reached": None})
    assert not verdict and verdict.code == "probe-missing"
    assert "there is no container course06-probe yet" in verdict.message and "Section 4" in verdict.hint
    assert "--network" not in verdict.hint and "course06_default" not in verdict.hint


def test_6_1_a_probe_on_the_default_bridge_cannot_resolve_the_service():
    verdict = ch06.judge_probe(probe_record(networks=("bridge",), resolved=(), opened=False))
    assert not verdict and verdict.code == "name-not-resolved"
    assert "course06-probe is on bridge" in verdict.hint and "docker network ls" in verdict.hint


def test_6_1_a_probe_whose_python_exited_at_once():
    verdict = ch06.judge_probe(probe_record(running=False, command=("python3",)))
    assert not verdict and verdict.code == "probe-exited"
    assert "`python3` ended at once" in verdict.hint and "sleep infinity" in verdict.hint


def test_6_1_a_probe_without_the_label_and_a_stack_that_is_down():
    assert ch06.judge_probe(probe_record(label=None)).code == "label-missing"
    assert ch06.judge_probe(probe_record(targets_running=False)).code == "stack-down"


def test_6_1_another_projects_redis_and_a_closed_port():
    verdict = ch06.judge_probe(probe_record(networks=("shop_default",), resolved=("172.30.0.5",)))
    assert not verdict and verdict.code == "resolves-elsewhere" and "course06's own network" in verdict.hint
    assert ch06.judge_probe(probe_record(opened=False)).code == "port-closed"


def test_6_1_the_solution_passes():
    verdict = ch06.judge_probe(probe_record())
    assert verdict, repr(verdict)
    assert repr(verdict).startswith("✓") and "leads to the stack's redis" in verdict.message


def test_6_1_another_correct_answer():
    """A Redis image instead of Python, started on the default bridge and connected to the project network later."""
    record = probe_record(networks=("bridge", "course06_default"), command=("docker-entrypoint.sh", "sleep",
                                                                             "infinity"))
    assert ch06.judge_probe(record), repr(ch06.judge_probe(record))


# --- Exercise 6.2: records ---------------------------------------------------------------------------------

CURL = ["CMD", "curl", "-fsS", "http://localhost:8000/health"]
CURL_MISSING = 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": ' \
               "executable file not found in $PATH"


def web_record(health="healthy", test=("CMD", "python", "healthcheck.py"), last_exit=0, output="",
               files=("compose.yaml", "compose.ci.yaml"), running=True) -> dict:
    return {"containers": [{"name": "course06-web-1", "running": running, "status": "running" if running else "exited",
                            "health": health, "test": list(test) if test else None, "last_exit": last_exit,
                            "last_output": output, "config_files": list(files), "app_status": 200}]}


def test_6_2_starting_point_a_check_whose_program_is_missing():
    verdict = ch06.judge_web_health(web_record("unhealthy", CURL, -1, CURL_MISSING))
    assert not verdict and verdict.code == "check-command-missing"
    assert "the app itself answers /health" in verdict.message and "exit code and output" in verdict.hint
    assert "python" not in verdict.hint and "curl" not in verdict.hint


def test_6_2_disabling_the_check_or_one_that_cannot_fail_is_not_a_repair():
    assert ch06.judge_web_health(web_record(health=None, test=("NONE",))).code == "healthcheck-disabled"
    verdict = ch06.judge_web_health(web_record(test=("CMD-SHELL", "true")))
    assert not verdict and verdict.code == "check-always-passes"


def test_6_2_dropping_the_override_or_a_check_that_still_fails():
    assert ch06.judge_web_health(web_record(files=("compose.yaml",))).code == "override-dropped"
    verdict = ch06.judge_web_health(web_record("unhealthy", ("CMD", "python", "-c", "import sys; sys.exit(1)"), 1))
    assert not verdict and verdict.code == "check-failing"
    assert ch06.judge_web_health(web_record("starting")).code == "still-starting"


def test_6_2_a_stack_that_is_down_or_a_web_that_stopped():
    assert ch06.judge_web_health({"containers": []}).code == "stack-down"
    assert ch06.judge_web_health(web_record(running=False)).code == "web-not-running"


def test_6_2_the_solution_passes():
    verdict = ch06.judge_web_health(web_record())
    assert verdict, repr(verdict)
    assert "python healthcheck.py" in verdict.message


def test_6_2_another_correct_answer():
    """A one-line Python check with the standard library, as a shell-form command."""
    check = ("CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"")
    assert ch06.judge_web_health(web_record(test=check))


# --- Exercise 6.3: records ---------------------------------------------------------------------------------

RELEASE = "/tmp/dockercourse-06/release.env"


def version_record(values=("3.0",), version="3.0", env_files=(RELEASE,), page="3.0", running=True) -> dict:
    return {"env_file": {"path": RELEASE, "values": None if values is None else list(values)},
            "containers": [{"name": "course06-web-1", "running": running, "status": "running",
                            "app_version": version, "env_files": list(env_files), "page_version": page}]}


def test_6_3_starting_point_an_env_file_that_sets_nothing():
    verdict = ch06.judge_app_version(version_record(values=(), version="1.0", env_files=(), page="1.0"))
    assert not verdict and verdict.code == "env-file-unset"
    assert "release.env sets nothing yet" in verdict.message and "section 1's table" in verdict.hint
    assert "--env-file" not in verdict.hint and "APP_VERSION=3.0" not in verdict.hint


def test_6_3_a_missing_file_and_a_wrong_value():
    assert ch06.judge_app_version(version_record(values=None)).code == "env-file-missing"
    verdict = ch06.judge_app_version(version_record(values=("3.0", "3")))
    assert not verdict and verdict.code == "env-file-wrong-value" and "APP_VERSION=3, not 3.0" in verdict.message


def test_6_3_a_file_compose_did_not_read():
    """Written right but not given to Compose, or given to the service as env_file: compose.yaml's default wins."""
    verdict = ch06.judge_app_version(version_record(version="1.0", env_files=(), page="1.0"))
    assert not verdict and verdict.code == "env-file-not-read"
    assert "compose.yaml's default" in verdict.hint and "environment: wins" in verdict.hint


def test_6_3_the_right_value_from_elsewhere():
    verdict = ch06.judge_app_version(version_record(env_files=()))
    assert not verdict and verdict.code == "not-from-the-env-file" and "no env file read" in verdict.message
    verdict = ch06.judge_app_version(version_record(env_files=("/tmp/other.env",)))
    assert not verdict and "/tmp/other.env" in verdict.message


def test_6_3_a_stack_that_is_down_and_a_page_not_updated():
    assert ch06.judge_app_version(version_record(running=False)).code == "stack-down"
    assert ch06.judge_app_version(version_record(page="1.0")).code == "page-stale"


def test_6_3_the_solution_passes():
    verdict = ch06.judge_app_version(version_record())
    assert verdict, repr(verdict)
    assert "read from release.env" in verdict.message


def test_6_3_another_correct_answer():
    """COMPOSE_ENV_FILES instead of --env-file: Compose records the file the same way; quotes in the file."""
    assert ch06.judge_app_version(version_record(values=("3.0",), env_files=("/tmp/dockercourse-06/../dockercourse"
                                                                              "-06/release.env",)))


def test_6_3_env_file_values_reads_key_value_lines(tmp_path):
    env_file = tmp_path / "release.env"
    assert ch06.env_file_values(str(env_file)) is None
    env_file.write_text("# a comment\nAPP_VERSION = '2.0'\nLOG_LEVEL=DEBUG\nAPP_VERSION=\"3.0\"\n")
    assert ch06.env_file_values(str(env_file)) == ["2.0", "3.0"]


# --- Exercise 6.4: records ---------------------------------------------------------------------------------

def replica(number: int, port: int | None, running=True, error="", health="healthy", hostname=None,
            counted=True) -> dict:
    return {"name": f"course06-web-{number}", "running": running, "status": "running" if running else "created",
            "error": error, "health": health if running else None, "answered": running,
            "hostname": hostname or f"host{number}", "counted_in_redis": counted,
            "host_ports": [port] if port and running else []}


def test_6_4_starting_point_one_replica():
    verdict = ch06.judge_replicas({"containers": [replica(1, 8060)]})
    assert not verdict and verdict.code == "wrong-replica-count"
    assert "1 web replica(s) running, not 4" in verdict.message and "section 9" in verdict.hint
    assert "8065-8068" not in verdict.hint


def test_6_4_a_fixed_port_leaves_three_replicas_created():
    error = "Bind for 0.0.0.0:8060 failed: port is already allocated"
    record = {"containers": [replica(1, 8060)] + [replica(n, None, running=False, error=error) for n in (2, 3, 4)]}
    verdict = ch06.judge_replicas(record)
    assert not verdict and verdict.code == "port-already-allocated" and "3 of 4" in verdict.message


def test_6_4_unhealthy_shared_hostname_count_in_memory_and_ports_elsewhere():
    four = [replica(n, 8064 + n) for n in (1, 2, 3, 4)]
    assert ch06.judge_replicas({"containers": [*four[:3], replica(4, 8068, health="starting")]}).code == \
        "replicas-unhealthy"
    assert ch06.judge_replicas({"containers": [*four[:3], replica(4, 8068, hostname="host1")]}).code == \
        "shared-hostname"
    assert ch06.judge_replicas({"containers": [*four[:3], replica(4, 8068, counted=False)]}).code == \
        "count-not-shared"
    verdict = ch06.judge_replicas({"containers": [replica(n, 8060 + n) for n in (1, 2, 3, 4)]})
    assert not verdict and verdict.code == "ports-outside-range"


def test_6_4_the_solution_passes():
    verdict = ch06.judge_replicas({"containers": [replica(n, 8064 + n) for n in (1, 2, 3, 4)]})
    assert verdict, repr(verdict)
    assert "8065, 8066, 8067, 8068" in verdict.message


def test_6_4_another_correct_answer():
    """WEB_PORT=127.0.0.1:8065-8068: the same ports on loopback only, taken in another order."""
    ports = {1: 8068, 2: 8065, 3: 8067, 4: 8066}
    assert ch06.judge_replicas({"containers": [replica(n, port) for n, port in ports.items()]})


# --- The observers, against a real stack ------------------------------------------------------------------

@pytest.fixture
def stack(test_label, tmp_path):
    """`docker compose` on the sample app as project `test_label`, ports picked by the engine; `down` at the end."""
    env = {"DOCKERCOURSE_LABEL": test_label, "WEB_PORT": "127.0.0.1:0", "COMPOSE_ANSI": "never"}

    def compose(*args: str, files=(), check: bool = True, **extra: str):
        options = [option for file in files for option in ("-f", str(file))]
        return docker("compose", "-p", test_label, "-f", str(COMPOSE_FILE), *options, *args,
                      env={**env, **extra}, check=check, timeout=600)

    compose.project = test_label
    yield compose
    compose("down", "--volumes", "--remove-orphans", check=False)


def test_the_observers_see_a_probe_a_broken_healthcheck_and_its_repair(stack, test_label, tmp_path):
    stack("up", "-d", "--wait")
    probe = f"{test_label}-probe"
    assert ch06.probe_reaches_redis(probe, stack.project, creator=test_label).code == "probe-missing"
    docker("run", "-d", "--name", probe, "--label", f"dockercourse={test_label}", PYTHON, "sleep", "infinity")
    seen = ch06.observe_probe(probe, stack.project, creator=test_label)
    assert seen["probe"]["networks"] == ["bridge"] and seen["reached"]["resolved"] == []
    docker("network", "connect", f"{stack.project}_default", probe)
    verdict = ch06.probe_reaches_redis(probe, stack.project, creator=test_label)
    assert verdict, repr(verdict)
    docker("rm", "-f", probe)

    override = tmp_path / "compose.ci.yaml"
    override.write_text("services:\n  web:\n    healthcheck:\n      test: " + str(CURL).replace("'", '"') +
                        "\n      interval: 1s\n      retries: 2\n      start_period: 1s\n")
    stack("up", "-d", "--wait", files=[override], check=False)
    seen = ch06.observe_web_health(stack.project)
    assert "executable file not found" in seen["containers"][0]["last_output"]
    assert seen["containers"][0]["config_files"] == ["compose.yaml", "compose.ci.yaml"]
    assert ch06.judge_web_health(seen, stack.project).code == "check-command-missing"
    override.write_text('services:\n  web:\n    healthcheck:\n      test: ["CMD", "python", "healthcheck.py"]\n')
    stack("up", "-d", "--wait", files=[override])
    verdict = ch06.web_health_check_runs(stack.project)
    assert verdict, repr(verdict)


def test_the_observers_see_a_version_from_an_env_file_and_replicas(stack, tmp_path):
    env_file = tmp_path / "release.env"
    env_file.write_text("APP_VERSION=3.0\n")
    stack("up", "-d", "--wait")
    assert ch06.compose_app_version("3.0", stack.project, str(env_file)).code == "env-file-not-read"
    stack("--env-file", str(env_file), "up", "-d", "--wait")
    seen = ch06.observe_app_version(stack.project, str(env_file))
    assert seen["containers"][0]["page_version"] == "3.0" and seen["containers"][0]["env_files"] == [str(env_file)]
    assert ch06.judge_app_version(seen, "3.0", stack.project), repr(ch06.judge_app_version(seen))

    stack("up", "-d", "--wait", "--scale", "web=2")
    seen = ch06.observe_replicas(stack.project)
    assert [container["running"] for container in seen["containers"]] == [True, True]
    assert all(len(container["host_ports"]) == 1 and container["counted_in_redis"] for container in seen["containers"])
    verdict = ch06.judge_replicas(seen, 2, range(1, 65536), stack.project)
    assert verdict, repr(verdict)
