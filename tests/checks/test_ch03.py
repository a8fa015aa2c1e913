"""Chapter 03's checkers against typical wrong answers
(must fail, with the hint that helps), and each starting point's hint. `make nbval`
(which solves each exercise in the chapter) proves the solutions shown; the tests here run against the real engine."""

import json
import time
import urllib.error
import urllib.request

import pytest

from dockercourse import LABEL
from dockercourse.checks import ch03
from dockercourse.engine import docker, image_store
from dockercourse.engine_api import engine_connection, engine_endpoint
from dockercourse.manifest import manifest_image
from tests.shell import captured

PYTHON_IMAGE = manifest_image("python").name
REGISTRY_IMAGE = manifest_image("registry").name


# --- Exercise 3.1: the exit code of a container run with the SDK -------------------------------

def run_with_sdk(test_label: str, name: str, code: int, labelled: bool = True):
    import docker as sdk  # the Docker SDK for Python, as the chapter uses it

    client = sdk.DockerClient(base_url=engine_endpoint())
    labels = {LABEL: test_label} if labelled else {"other": "label"}
    container = client.containers.run(PYTHON_IMAGE, ["python", "-c", f"raise SystemExit({code})"],
                                      detach=True, labels=labels, name=name)
    return client, container


def test_sdk_exit_code_starting_point_gets_the_hint_to_start_the_container(engine, test_label):
    verdict = ch03.sdk_exit_code(None, name=f"{test_label}-exit", creator=test_label)  # answer = None, no container
    assert not verdict
    assert "start it: container = client.containers.run(" in verdict.hint
    assert f"name='{test_label}-exit'" in verdict.hint and "detach=True" in verdict.hint


def test_sdk_exit_code_wrong_answers_fail_with_a_hint(engine, test_label):
    name = f"{test_label}-exit"
    client, container = run_with_sdk(test_label, name, 3)
    result = container.wait()
    cases = [
        (None, "set answer = container.wait()['StatusCode']"),
        (result, "take the exit code from it"),
        (container, "wait for it to end"),
        ("3", "an exit code is an int"),
        (0, "rather than typing it"),
    ]
    for answer, hint in cases:
        verdict = ch03.sdk_exit_code(answer, name=name, creator=test_label)
        assert not verdict, answer
        assert hint in verdict.hint, (answer, verdict)
    assert "pass name=" in ch03.sdk_exit_code(3, name=f"{test_label}-absent", creator=test_label).hint
    client.close()


def test_sdk_exit_code_judges_the_label_the_state_and_the_command(engine, test_label):
    client, unlabelled = run_with_sdk(test_label, f"{test_label}-unlabelled", 3, labelled=False)
    try:
        unlabelled.wait()
        verdict = ch03.sdk_exit_code(3, name=f"{test_label}-unlabelled", creator=test_label)
        assert not verdict and f"labels={{'{LABEL}': '{test_label}'}}" in verdict.hint
    finally:
        unlabelled.remove(force=True)
    _, wrong = run_with_sdk(test_label, f"{test_label}-wrong", 1)
    verdict = ch03.sdk_exit_code(wrong.wait()["StatusCode"], name=f"{test_label}-wrong", creator=test_label)
    assert not verdict and "raise SystemExit(3)" in verdict.hint
    running = client.containers.run(PYTHON_IMAGE, ["sleep", "30"], detach=True, labels={LABEL: test_label},
                                    name=f"{test_label}-running")
    verdict = ch03.sdk_exit_code(0, name=running.name, creator=test_label)
    assert not verdict and "call container.wait()" in verdict.hint
    client.close()


# --- Exercise 3.2: the engine's API version over the raw socket ---------------------------------

def test_engine_api_version_starting_point_gets_the_hint_to_send_the_request():
    verdict = ch03.engine_api_version(None)  # answer2 = None
    assert not verdict
    assert "connection.request('GET', '/version')" in verdict.hint and "'ApiVersion'" in verdict.hint


def test_engine_api_version_a_response_object_fails_with_a_hint(engine):
    connection = engine_connection()
    try:
        connection.request("GET", "/version")
        verdict = ch03.engine_api_version(connection.getresponse())
    finally:
        connection.close()
    assert not verdict and "read its body and decode the JSON" in verdict.hint


def test_engine_api_version_confusions_fail_with_a_hint(engine):
    versions = json.loads(docker("version", "--format", "{{json .}}").stdout.strip())
    server, client = versions["Server"], versions["Client"]
    cases = [(server["MinAPIVersion"], "not 'MinAPIVersion'"), (server["Version"], "not 'Version'"),
             ("0.99", "take the field 'ApiVersion'")]
    if client["DefaultAPIVersion"] != server["ApiVersion"]:
        cases.append((client["DefaultAPIVersion"], "ask the engine itself"))
    for answer, hint in cases:
        verdict = ch03.engine_api_version(answer)
        assert not verdict, answer
        assert hint in verdict.hint, (answer, verdict)


@pytest.mark.parametrize("answer, hint", [
    (b'{"ApiVersion": "1.45"}', "decode the JSON first"),
    ({"ApiVersion": "1.45", "Version": "26.1.5"}, "answer = version['ApiVersion']"),
    ({"Containers": 3}, "ask GET /version"),
    ("", "set answer2 to its field 'ApiVersion'"),
    (None, "set answer2 to its field 'ApiVersion'"),
    (1.45, "a string such as '1.45'"),
])
def test_engine_api_version_wrong_types_fail_with_a_hint(answer, hint):
    verdict = ch03.engine_api_version(answer)
    assert not verdict
    assert hint in verdict.hint


# --- Exercise 3.3: the digest of a pushed image, against the registry's own answer ---------------

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
    return address, tmp_path


def build_and_push(test_label: str, address: str, context, message: str) -> tuple[str, list[str]]:
    (context / "message.txt").write_text(message)
    reference = f"{address}/{test_label}/exercise:1.0"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", reference, str(context))
    return reference, captured("docker", "push", reference)


def test_pushed_digest_reference_solution_passes(engine, test_label, registry):
    address, context = registry
    _, answer = build_and_push(test_label, address, context, "one")
    verdict = ch03.pushed_digest(answer, repository=f"{test_label}/exercise", registry=address)
    assert verdict, repr(verdict)
    digest = next(line for line in answer if "digest:" in line).split()[2]
    assert ch03.pushed_digest(digest, repository=f"{test_label}/exercise", registry=address)


def test_pushed_digest_wrong_answers_fail_with_a_hint(engine, test_label, registry):
    address, context = registry
    repository = f"{test_label}/exercise"
    reference, first_push = build_and_push(test_label, address, context, "one")
    _, second_push = build_and_push(test_label, address, context, "two")  # the tag moves
    image_id = docker("image", "inspect", "--format", "{{.Id}}", reference).stdout.strip()
    cases = [(first_push, "pushing again moves the tag")]
    if image_store() == "classic":  # the image ID is the digest of the image's config, not of the manifest
        cases.append((image_id, "take the digest that `docker push` printed"))
    else:  # containerd: the image ID is the digest of the index the push sent, so it is the right answer too
        assert image_id in "\n".join(second_push)
        assert ch03.pushed_digest(image_id, repository=repository, registry=address)
    for answer, hint in cases:
        verdict = ch03.pushed_digest(answer, repository=repository, registry=address)
        assert not verdict
        assert hint in verdict.hint, verdict
    verdict = ch03.pushed_digest(second_push, repository=f"{test_label}/never-pushed", registry=address)
    assert not verdict and "push it: docker push" in verdict.hint


def test_pushed_digest_starting_point_gets_the_hint_to_fill_the_blanks(engine):
    answer = captured("docker", "push", "____")  # answer3 = !docker push ____
    verdict = ch03.pushed_digest(answer)
    assert not verdict
    assert "fill in each blank with localhost:8030/course03/exercise:1.0" in verdict.hint


@pytest.mark.parametrize("answer, hint", [
    ([], "capture the push"),
    (["An image does not exist locally with the tag: localhost:8030/course03/exercise"], "tag the image first"),
    (["Get \"http://localhost:8030/v2/\": dial tcp 127.0.0.1:8030: connect: connection refused"],
     "start the chapter's registry"),
    (["The push refers to repository [localhost:8030/course03/exercise]"], "a digest looks like sha256:"),
])
def test_pushed_digest_wrong_outputs_fail_with_a_hint(answer, hint):
    verdict = ch03.pushed_digest(answer)
    assert not verdict
    assert hint in verdict.hint


def test_pushed_digest_says_when_no_registry_answers():
    verdict = ch03.pushed_digest("sha256:" + "0" * 64, registry="127.0.0.1:9")
    assert not verdict and "start the chapter's registry" in verdict.hint
