"""Chapter 12's checkers: each judge against hand-written records (the starting point, typical wrong answers, the
chapter's solution and another correct answer), with no engine; the observing side against a one-node swarm of the
tests' own (an engine in a container, labelled with the module's label and removed afterwards, so it never meets
the chapter's nodes) and, for the Kubernetes exercise, against files in a temporary folder.
"""

import re

import nbformat
import pytest

from dockercourse import REPO_DIR
from dockercourse.checks import ch12
from dockercourse.engine import docker
from dockercourse.exercises import find_exercises, solution_blocks
from dockercourse.manifest import manifest_image
from dockercourse.tooling.lessons import distinctive_tokens
from dockercourse.wait import until

NOTEBOOK = REPO_DIR / "notebooks" / "12-beyond-one-host.ipynb"
GOOD, BAD = "sample-app:12-v2", ch12.BAD_IMAGE


def exercise(number: str) -> tuple[nbformat.NotebookNode, object]:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return notebook, next(found for found in find_exercises(notebook) if found.number == number)


def solution(number: str) -> str:
    notebook, found = exercise(number)
    return "\n".join(solution_blocks(notebook.cells[found.solution].source))


def setup_cells(number: str) -> list[str]:
    """The sources of an exercise's cells tagged `breaks` (what the starting point starts from)."""
    notebook, found = exercise(number)
    return [notebook.cells[index].source for index in range(found.heading, found.stubs[0])
            if "breaks" in notebook.cells[index].metadata.get("tags", [])]


def assert_hint_keeps_the_solution(number: str, hint: str) -> None:
    """The hint a checker gives at the starting point names none of the solution's distinctive tokens."""
    notebook, found = exercise(number)
    given = "\n".join(notebook.cells[index].source for index in [found.heading, *found.stubs])
    leaked = [token for token in distinctive_tokens(solution(number), given)
              if re.search(rf"(?<![\w-]){re.escape(token.lower())}(?![\w-])", hint.lower())]
    assert not leaked, leaked


# --- 12.1 · Keep the manager for managing: judged on records ----------------------------------------------------

NODES = {"node1": {"availability": "active", "manager": True},
         "node2": {"availability": "active", "manager": False},
         "node3": {"availability": "active", "manager": False}}


def placement(nodes_of_tasks: str, replicas: int = 6, nodes: dict = NODES) -> dict:
    """A record of api: "112233" = two tasks on node1, two on node2, two on node3."""
    return {"trouble": "", "replicas": replicas, "nodes": nodes,
            "tasks": [[f"node{number}", GOOD] for number in nodes_of_tasks]}


def test_12_1_starting_point_gets_its_hint():
    verdict = ch12.judge_off_the_manager(placement("111333"), "api", 6)
    assert not verdict and verdict.code == "tasks-on-manager"
    assert verdict.message == "api still runs task(s) on node1, the manager"
    assert_hint_keeps_the_solution("12.1", verdict.hint)


def test_12_1_solution_passes():
    verdict = ch12.judge_off_the_manager(placement("222333"), "api", 6)
    assert verdict and "node1 stays active" in verdict.message


def test_12_1_another_correct_answer():
    """node.hostname!=node1, or a label only the workers carry: the tasks may spread unevenly; a second manager
    (promoted) must be kept free too."""
    two_managers = dict(NODES, node2={"availability": "active", "manager": True})
    assert ch12.judge_off_the_manager(placement("223333"), "api", 6)
    assert ch12.judge_off_the_manager(placement("333333", nodes=two_managers), "api", 6)
    assert not ch12.judge_off_the_manager(placement("222333", nodes=two_managers), "api", 6)


def test_12_1_draining_the_manager_is_the_wrong_tool():
    drained = dict(NODES, node1={"availability": "drain", "manager": True})
    verdict = ch12.judge_off_the_manager(placement("222333", nodes=drained), "api", 6)
    assert not verdict and verdict.code == "manager-drained" and "every service" in verdict.hint


def test_12_1_fewer_replicas_is_not_moving_them():
    verdict = ch12.judge_off_the_manager(placement("2233", replicas=4), "api", 6)
    assert not verdict and verdict.code == "replicas-changed"


def test_12_1_a_constraint_no_node_meets_leaves_tasks_pending():
    verdict = ch12.judge_off_the_manager(placement("23"), "api", 6)
    assert not verdict and verdict.code == "tasks-pending" and verdict.message == "2 of api's 6 tasks run"


@pytest.mark.parametrize("trouble", ["no-node", "not-a-manager", "locked", "no-service"])
def test_12_1_a_swarm_that_cannot_answer_gets_a_way_back(trouble):
    verdict = ch12.judge_off_the_manager({"trouble": trouble}, "api", 6)
    assert not verdict and verdict.code == f"swarm-{trouble}" and verdict.hint


# --- 12.2 · A rollout stopped half way: judged on records -------------------------------------------------------

def rollout(image: str, state: str, tasks: str, replicas: int = 6, message: str = "") -> dict:
    """A record of api: `tasks` = the image of each running task, "g" good (the spec's), "o" another."""
    return {"trouble": "", "image": image, "replicas": replicas, "update_state": state, "update_message": message,
            "tasks": [["node2", image if kind == "g" else "sample-app:12"] for kind in tasks]}


def test_12_2_starting_point_gets_its_hint():
    paused = rollout(BAD, "paused", "ooooo", message="update paused due to failure or early termination of task x")
    verdict = ch12.judge_rollout(paused, "api", 6)
    assert not verdict and verdict.code == "spec-still-bad"
    assert verdict.message == "api's spec names sample-app:12-bad, and its update is paused"
    assert_hint_keeps_the_solution("12.2", verdict.hint)


def test_12_2_solution_passes():
    """`docker service rollback api`: the previous spec again."""
    assert ch12.judge_rollout(rollout(GOOD, "rollback_completed", "gggggg"), "api", 6)


def test_12_2_another_correct_answer():
    """`docker service update --image sample-app:12 api` (or 12-v2): a good image, the update completed."""
    assert ch12.judge_rollout(rollout("sample-app:12", "completed", "gggggg"), "api", 6)


def test_12_2_checked_too_early_says_wait():
    verdict = ch12.judge_rollout(rollout(GOOD, "rollback_started", "gggoo"), "api", 6)
    assert not verdict and verdict.code == "still-converging"


def test_12_2_a_task_missing_or_on_another_image_is_not_done():
    assert ch12.judge_rollout(rollout(GOOD, "completed", "ggggg"), "api", 6).code == "not-converged"
    assert ch12.judge_rollout(rollout(GOOD, "completed", "gggggo"), "api", 6).code == "not-converged"
    assert ch12.judge_rollout(rollout(GOOD, "completed", "ggggg", replicas=5), "api", 6).code == "not-converged"


def test_12_2_a_good_image_still_paused_is_not_done():
    verdict = ch12.judge_rollout(rollout(GOOD, "paused", "gggggg", message="update paused"), "api", 6)
    assert not verdict and verdict.code == "update-paused"


def test_12_2_a_swarm_that_cannot_answer_gets_a_way_back():
    verdict = ch12.judge_rollout({"trouble": "locked"}, "api", 6)
    assert not verdict and verdict.code == "swarm-locked" and "section 6" in verdict.hint


# --- 12.3 · A Deployment the cluster will not run: observed on files, judged ------------------------------------

def starting_manifest() -> str:
    """The colleague's manifest, as the chapter's setup cell writes it."""
    return re.sub(r"^%%writefile \S+\n", "", setup_cells("12.3")[0])


def solved_manifest() -> str:
    return re.sub(r"^%%writefile \S+\n", "", solution("12.3"))


@pytest.fixture
def worker(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "worker.yaml"
        path.write_text(text)
        return str(path)
    return write


def test_12_3_starting_point_gets_its_hint(worker):
    seen = ch12.observe_worker(worker(starting_manifest()))
    assert len(seen["violations"]) == 4 and not seen["read_only"] and seen["writes_to"] == ["/tmp"]
    verdict = ch12.judge_worker(seen)
    assert not verdict and verdict.code == "violates-restricted" and "(and 3 more)" in verdict.message
    assert_hint_keeps_the_solution("12.3", verdict.hint)


def test_12_3_solution_passes(worker):
    assert ch12.hardened_worker(worker(solved_manifest()))


def test_12_3_another_correct_answer(worker):
    """Everything in the container's securityContext, and a tmpfs (emptyDir in memory) at /tmp."""
    manifest = starting_manifest() + """
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            seccompProfile: {type: RuntimeDefault}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: scratch, mountPath: /tmp}
      volumes:
        - name: scratch
          emptyDir: {medium: Memory, sizeLimit: 16Mi}
"""
    verdict = ch12.hardened_worker(worker(manifest))
    assert verdict, verdict


def test_12_3_admitted_but_writable_is_not_chapter_10(worker):
    admitted = solved_manifest().replace("            readOnlyRootFilesystem: true\n", "")
    verdict = ch12.hardened_worker(worker(admitted))
    assert not verdict and verdict.code == "root-writable"


def test_12_3_read_only_without_a_place_to_write_would_crash(worker):
    no_volume = re.sub(r"\n          volumeMounts:.*", "", solved_manifest(), flags=re.S)
    verdict = ch12.hardened_worker(worker(no_volume))
    assert not verdict and verdict.code == "writes-to-read-only" and "Read-only file system" in verdict.hint
    config_map = solved_manifest().replace("emptyDir: {}", "configMap: {name: scratch}")
    assert ch12.hardened_worker(worker(config_map)).code == "writes-to-read-only"
    read_only_mount = solved_manifest().replace("mountPath: /tmp", "mountPath: /tmp\n              readOnly: true")
    assert ch12.hardened_worker(worker(read_only_mount)).code == "writes-to-read-only"


def test_12_3_root_or_an_added_capability_is_refused(worker):
    root = solved_manifest().replace("runAsNonRoot: true", "runAsNonRoot: true\n        runAsUser: 0")
    verdict = ch12.hardened_worker(worker(root))
    assert not verdict and "runAsUser=0" in verdict.message
    added = solved_manifest().replace('drop: ["ALL"]', 'drop: ["ALL"]\n              add: ["SYS_ADMIN"]')
    assert 'must not include "SYS_ADMIN"' in ch12.hardened_worker(worker(added)).message


def test_12_3_a_broken_file_says_what_is_wrong(worker, tmp_path):
    assert ch12.hardened_worker(str(tmp_path / "missing.yaml")).code == "no-file"
    typo = ch12.hardened_worker(worker(solved_manifest().replace("readOnlyRootFilesystem", "readOnlyRootFileSystem")))
    assert typo.code == "schema-rejects" and "readOnlyRootFileSystem" in typo.message
    assert not ch12.hardened_worker(worker(solved_manifest().replace("    spec:\n", "  spec:\n", 1)))
    assert ch12.hardened_worker(worker("kind: [unclosed\n")).code == "not-yaml"
    assert ch12.hardened_worker(worker("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")).code == \
        "no-deployment"


# --- the observing side of 12.1 and 12.2, against a real swarm --------------------------------------------------

@pytest.fixture(scope="module")
def swarm_node(module_label):
    """A one-node swarm in an engine-in-a-container, with the Python image loaded; removed afterwards."""
    name = f"{module_label}-node"
    docker("volume", "create", "--label", f"dockercourse={module_label}", name)
    docker("run", "-d", "--privileged", "--name", name, "--label", f"dockercourse={module_label}",
           "--volume", f"{name}:/var/lib/docker", manifest_image("docker").name)
    until(lambda: docker("exec", name, "docker", "info", check=False).returncode == 0, 90, every=0.5,
          what=f"the engine in {name}")
    python = manifest_image("python").name
    docker("exec", "-i", name, "docker", "load", "--quiet", input=docker("save", python, text=False).stdout,
           text=False, timeout=300)
    yield name, python
    docker("rm", "--force", "--volumes", name, check=False)
    docker("volume", "rm", "--force", name, check=False)


def test_observing_a_node_that_is_not_there(engine):
    seen = ch12.observe_off_the_manager("api", node="tests-no-such-node")
    assert seen == {"trouble": "no-node"}


def test_observing_a_swarm_from_before_init_to_a_paused_update(swarm_node):
    node, python = swarm_node
    assert ch12.observe_rollout("api", node=node) == {"trouble": "not-a-manager"}
    docker("exec", node, "docker", "swarm", "init", "--advertise-addr", "127.0.0.1")
    assert ch12.observe_off_the_manager("api", node=node) == {"trouble": "no-service"}

    docker("exec", node, "docker", "service", "create", "--quiet", "--name", "api", "--replicas", "2",
           python, "sleep", "600", timeout=180)
    seen = ch12.observe_off_the_manager("api", node=node)
    host = docker("exec", node, "hostname").stdout.strip()
    assert seen["replicas"] == 2 and seen["tasks"] == [[host, python]] * 2
    assert seen["nodes"] == {host: {"availability": "active", "manager": True}}
    assert ch12.judge_off_the_manager(seen, "api", 2).code == "tasks-on-manager"

    # A healthcheck that always fails, with the defaults: the update pauses, the spec keeps the new settings.
    paused = docker("exec", node, "docker", "service", "update", "--health-cmd", "exit 1", "--health-interval", "1s",
                    "--health-retries", "1", "--update-failure-action", "pause", "api", check=False, timeout=180)
    assert paused.returncode != 0 and "update paused" in paused.stderr
    seen = ch12.observe_rollout("api", node=node)
    assert seen["image"] == python and seen["replicas"] == 2 and seen["update_state"] == "paused"
    assert "paused due to failure" in seen["update_message"]
    assert ch12.judge_rollout(seen, "api", 2, bad=python).code == "spec-still-bad"

    docker("exec", node, "docker", "service", "rollback", "api", timeout=180)
    seen = ch12.observe_rollout("api", node=node)
    assert seen["update_state"] == "rollback_completed" and len(seen["tasks"]) == 2
    assert ch12.judge_rollout(seen, "api", 2)
