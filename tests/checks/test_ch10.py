"""Chapter 10's checkers (security): the judges against written records — the starting point, typical wrong
answers, the chapter's solution and another correct answer — with no engine; and a few engine tests that
prove the observing side against real containers and images.

Everything an engine test builds or runs carries the test's label (`tests-…`) and is removed afterwards; no
host port is fixed: the hardened container's test publishes on a port the engine picks.
"""

import re
import shlex

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch10
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks

NOTEBOOK = REPO_DIR / "notebooks" / "10-security.ipynb"
TOKEN = "s3cr3t-build-token-4242"
REDIS = "redis:8.10-trixie"


def solution(number: str) -> list[str]:
    """The solution blocks of one exercise, as the chapter stores them."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    exercise = next(found for found in find_exercises(notebook) if found.number == number)
    return solution_blocks(notebook.cells[exercise.solution].source)


def run_options(block: str, name: str) -> list[str]:
    """The options of the solution's `docker run -d --name NAME …` line, between the label and the image."""
    line = next(line for line in block.splitlines() if "docker run" in line and name in line)
    words = shlex.split(line.lstrip("!"))
    start = words.index(next(word for word in words if word.startswith("dockercourse="))) + 1
    image = next(index for index, word in enumerate(words) if index >= start and ":" in word and
                 not word.startswith("-") and not re.fullmatch(r"[\d.:]+", word))
    return words[start:image]


# --- Exercise 10.1 · Redis without capabilities: judged --------------------------------------------

def redis_record(**changes) -> dict:
    record = {"exists": True, "name": "course10-redis", "labels": {"dockercourse": "10"}, "running": True,
              "exit_code": 0, "user": "", "cap_drop": ["ALL"], "cap_add": [], "privileged": False, "pong": True,
              "last_log": "Ready to accept connections tcp"}
    return record | changes


def test_10_1_starting_point_says_where_to_look():
    verdict = ch10.judge_redis(redis_record(running=False, exit_code=1,
                                            last_log="chown: changing ownership of '.': Operation not permitted"))
    assert not verdict and verdict.code == "redis-exits"
    assert "docker logs course10-redis" in verdict.hint and "--user" not in verdict.hint
    assert "SETUID" not in verdict.hint and "CHOWN" not in verdict.hint


def test_10_1_solution_passes_with_no_capability():
    verdict = ch10.judge_redis(redis_record(user="redis"))
    assert verdict and "no capability at all" in verdict.message and "as user redis" in verdict.message


def test_10_1_another_correct_answer():
    """Root, with exactly the three capabilities the entrypoint uses, in the engine's CAP_ spelling."""
    verdict = ch10.judge_redis(redis_record(cap_add=["CAP_CHOWN", "CAP_SETUID", "CAP_SETGID"]))
    assert verdict and "CHOWN, SETGID, SETUID" in verdict.message


@pytest.mark.parametrize("changes, code", [
    ({"cap_drop": []}, "capabilities-not-dropped"),
    ({"privileged": True}, "capabilities-not-dropped"),
    ({"cap_add": ["CHOWN", "SETUID", "SETGID", "SYS_ADMIN"]}, "capabilities-beyond-need"),
    ({"pong": False}, "no-pong"),
    ({"labels": {}}, "label-missing"),
    ({"exists": False}, "no-container"),
])
def test_10_1_wrong_answers_get_their_hint(changes, code):
    verdict = ch10.judge_redis(redis_record(**changes))
    assert not verdict and verdict.code == code and verdict.hint


# --- Exercise 10.2 · Harden the sample app: judged ---------------------------------------------------

def hardened_record(**changes) -> dict:
    record = {"exists": True, "name": "course10-hardened", "labels": {"dockercourse": "10"},
              "image": "course10-app:1.0", "ports": {"8000/tcp": [["127.0.0.1", "8102"]]}, "read_only": True,
              "cap_drop": ["ALL"], "cap_add": [], "security_opt": ["no-new-privileges"], "privileged": False,
              "pids_limit": 100, "status": "running", "health": "healthy"}
    return record | changes


def test_10_2_starting_point_has_no_container():
    verdict = ch10.judge_hardened({"exists": False, "name": "course10-hardened"})
    assert not verdict and verdict.code == "no-container"
    assert not re.search(r"--read-only|--cap-drop|--pids-limit|--security-opt", verdict.hint)


def test_10_2_solution_passes():
    assert ch10.judge_hardened(hardened_record())


def test_10_2_another_correct_answer():
    """Compose's spellings, a tighter limit and a tmpfs: the end state counts, not the words."""
    verdict = ch10.judge_hardened(hardened_record(cap_drop=["all"], security_opt=["no-new-privileges:true"],
                                                  pids_limit=64))
    assert verdict and "at most 64 tasks" in verdict.message


@pytest.mark.parametrize("changes, words", [
    ({"read_only": False}, "root filesystem is writable"),
    ({"cap_drop": []}, "default capabilities"),
    ({"cap_add": ["NET_BIND_SERVICE"]}, "added back (NET_BIND_SERVICE)"),
    ({"security_opt": []}, "setuid binary"),
    ({"security_opt": ["no-new-privileges=false"]}, "setuid binary"),
    ({"pids_limit": 0}, "task limit is unset"),
    ({"pids_limit": 1000}, "task limit is 1000"),
])
def test_10_2_a_missing_control_is_named_in_words_not_flags(changes, words):
    verdict = ch10.judge_hardened(hardened_record(**changes))
    assert not verdict and verdict.code == "control-missing" and words in verdict.message
    assert "--" not in verdict.hint


def test_10_2_wrong_port_and_unhealthy():
    assert ch10.judge_hardened(hardened_record(ports={"8000/tcp": [["0.0.0.0", "8102"]]})).code == "wrong-port"
    assert ch10.judge_hardened(hardened_record(health="unhealthy")).code == "not-healthy"
    assert ch10.judge_hardened(hardened_record(labels={"dockercourse": "other"})).code == "label-missing"


# --- Exercise 10.3 · A teammate's image leaks its token: judged ---------------------------------------

def secret_record(**changes) -> dict:
    record = {"image": "course10-ex3:1.0", "token_file": "/tmp/dockercourse-10/api_token.txt", "token_length": 23,
              "exists": True, "label": "10", "build_log": "token of 23 bytes used", "searched": 9, "found": []}
    return record | changes


def test_10_3_starting_point_leaks_and_the_hint_keeps_the_answer():
    verdict = ch10.judge_secret(secret_record(found=["the image config"], build_log="token of 23 bytes used"))
    assert not verdict and verdict.code == "token-in-image" and "image config" in verdict.message
    assert not re.search(r"--secret|--mount|/run/secrets|required=true", verdict.hint)


def test_10_3_solution_passes():
    verdict = ch10.judge_secret(secret_record())
    assert verdict and "23-byte token" in verdict.message and "none of the 9 files" in verdict.message


def test_10_3_another_correct_answer():
    """A multi-stage build that uses the secret in a first stage and copies only /build.log on: the same end state."""
    assert ch10.judge_secret(secret_record(searched=14))


@pytest.mark.parametrize("changes, code", [
    ({"found": ["a layer, in the file /tmp/api_token.txt"]}, "token-in-image"),
    ({"build_log": "token of  bytes used"}, "token-not-used"),
    ({"token_length": 0}, "no-token-file"),
    ({"exists": False}, "no-image"),
    ({"label": ""}, "label-missing"),
])
def test_10_3_wrong_answers_get_their_hint(changes, code):
    verdict = ch10.judge_secret(secret_record(**changes))
    assert not verdict and verdict.code == code


# --- The observing side, against the engine ----------------------------------------------------------

def test_10_1_observe_a_redis_without_capabilities(test_label):
    name = f"{test_label}-redis"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", "--cap-drop", "ALL", REDIS)
    from dockercourse.wait import until
    until(lambda: docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == "false", 15)
    seen = ch10.observe_redis(name)
    assert seen["exists"] and not seen["running"] and "Operation not permitted" in seen["last_log"]
    assert ch10.judge_redis(seen, creator=test_label).code == "redis-exits"


def test_10_1_observe_the_solution(test_label):
    name = f"{test_label}-redis"
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}",
           *run_options(solution("10.1")[0], "course10-redis"), REDIS)
    from dockercourse.wait import until
    verdict = until(lambda: ch10.redis_without_capabilities(name, creator=test_label) or None, 20, every=0.5)
    assert verdict, repr(verdict)


@pytest.fixture
def secret_build(tmp_path, test_label):
    """Build a Dockerfile as the exercise's image would be built, labelled for the test."""
    token_file = tmp_path / "api_token.txt"
    token_file.write_text(TOKEN)
    context = tmp_path / "ex3"
    context.mkdir()
    image = f"{test_label}-ex3:1.0"

    def build(dockerfile: str, *options: str) -> str:
        (context / "Dockerfile").write_text(dockerfile)
        docker("build", "-q", "--label", f"dockercourse={test_label}", *options, "-t", image, str(context),
               timeout=300)
        return image

    build.token_file, build.label = str(token_file), test_label
    return build


def solution_dockerfile() -> str:
    """The Dockerfile the solution of 10.3 writes (between its heredoc's markers)."""
    return re.search(r"<<'END'\n(.*?)^END$", solution("10.3")[0], re.S | re.M).group(1)


def test_10_3_observe_the_leak_and_the_solution(secret_build):
    leaky = secret_build("FROM python:3.14-slim-trixie\nARG API_TOKEN\n"
                         'RUN echo "token of ${#API_TOKEN} bytes used" > /build.log\n',
                         "--build-arg", f"API_TOKEN={TOKEN}")
    seen = ch10.observe_secret(leaky, secret_build.token_file)
    assert seen["found"] == ["the image config"] and seen["build_log"] == "token of 23 bytes used"
    fixed = secret_build(solution_dockerfile(), "--no-cache", "--secret", f"id=api_token,src={secret_build.token_file}")
    verdict = ch10.secret_not_in_image(fixed, secret_build.token_file, creator=secret_build.label)
    assert verdict, repr(verdict)


@pytest.fixture(scope="module")
def app_image(module_label):
    """The sample app's image under the module's label (the chapter's course10-app:1.0)."""
    image = f"{module_label}-app:1.0"
    docker("build", "-q", "--label", f"dockercourse={module_label}", "-t", image, str(REPO_DIR / "sample_app"),
           timeout=600)
    return image


def test_10_2_observe_the_solution(app_image, test_label):
    name = f"{test_label}-hardened"
    # The solution's options, its fixed host port swapped for one the engine picks (tests run in parallel).
    options = [word.replace("127.0.0.1:8102:", "127.0.0.1::") for word in run_options(solution("10.2")[0],
                                                                                        "course10-hardened")]
    docker("run", "-d", "--name", name, "--label", f"dockercourse={test_label}", *options, app_image)
    port = int(docker("port", name, "8000/tcp").stdout.split(":")[-1])
    verdict = ch10.hardened_container(name, port=port, creator=test_label)
    assert verdict, repr(verdict)
