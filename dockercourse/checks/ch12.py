"""Chapter 12's exercise checkers (Swarm and Kubernetes): each observes, then judges (see common.py).

- 12.1 ``off_the_manager``: a service's tasks run on the workers only, the manager stays active.
- 12.2 ``rollout_repaired``: a service whose update paused half way is back on a good image, every task running.
- 12.3 ``hardened_worker``: a Deployment the Pod Security level "restricted" admits, read-only, still able to write
  where it must.

The Swarm checkers ask the manager's engine inside its node container (``docker exec course12-node1 docker …``);
the Kubernetes one reads a file and validates it offline (dockercourse/k8s_manifests.py).
"""

import json
from pathlib import Path

from .. import CourseError
from ..k8s_manifests import documents, pod_spec, restricted_violations, validate_document
from ..progress import exercise
from ..swarm import MANAGER, manager, running_tasks
from .common import Verdict

#: Section 5's image whose healthcheck always fails.
BAD_IMAGE = "sample-app:12-bad"
#: Volume types a container can write to (a ConfigMap, Secret or projected volume is read-only).
WRITABLE_VOLUMES = {"emptyDir", "ephemeral", "persistentVolumeClaim"}


# --- what the manager says ------------------------------------------------------------------------------------

def _swarm_trouble(stderr: str) -> str:
    """Why the manager could not answer: the node container is gone, its engine is no manager, or no such service."""
    if "No such container" in stderr or "is not running" in stderr:
        return "no-node"
    if "not a swarm manager" in stderr or "is not part of a swarm" in stderr:
        return "not-a-manager"
    if "is encrypted and needs to be unlocked" in stderr:
        return "locked"
    return "no-service"


def _inspect_service(service: str, node: str) -> tuple[dict | None, str]:
    """The service as `docker service inspect` gives it, or None and why not."""
    found = manager("service", "inspect", service, node=node)
    if found.returncode != 0:
        return None, _swarm_trouble(found.stderr)
    return json.loads(found.stdout)[0], ""


def _nodes(node: str) -> dict[str, dict]:
    """Each node of the swarm by hostname: its availability and whether it is a manager."""
    listed = manager("node", "ls", "--format", "{{.Hostname}}\t{{.Availability}}\t{{.ManagerStatus}}", node=node)
    rows = [line.split("\t") for line in listed.stdout.splitlines() if line.count("\t") == 2]
    return {host: {"availability": availability.lower(), "manager": bool(status)}
            for host, availability, status in rows}


def _trouble_verdict(trouble: str, service: str) -> Verdict:
    """The verdict when the manager could not answer (the same for every Swarm exercise)."""
    said = {
        "no-node": (f"the node container {MANAGER} is not running",
                    "run the chapter from the top: sections 1 and 2 start the nodes and form the swarm"),
        "not-a-manager": (f"the engine in {MANAGER} is not a swarm manager",
                          "run section 2 (swarm init on node1), then the sections up to this exercise"),
        "locked": ("the swarm is locked (autolock, after a manager restart)",
                   "section 6 shows how a locked manager gets its key back"),
        "no-service": (f"the swarm has no service {service}",
                       "run section 4, which creates it, then the cells down to this exercise"),
    }[trouble]
    return Verdict(False, *said, code=f"swarm-{trouble}")


# --- 12.1: the manager keeps no application task ------------------------------------------------------------

def observe_off_the_manager(service: str, node: str = MANAGER) -> dict:
    """The service's replicas and running tasks (node, image), and each node's availability and role."""
    spec, trouble = _inspect_service(service, node)
    if spec is None:
        return {"trouble": trouble}
    return {"trouble": "",
            "replicas": ((spec["Spec"].get("Mode") or {}).get("Replicated") or {}).get("Replicas"),
            "tasks": [list(task) for task in running_tasks(service, node)],
            "nodes": _nodes(node)}


def judge_off_the_manager(seen: dict, service: str, replicas: int) -> Verdict:
    """Pass when every wanted task runs, none on a manager, and no manager was drained for it."""
    if seen["trouble"]:
        return _trouble_verdict(seen["trouble"], service)
    managers = sorted(host for host, facts in seen["nodes"].items() if facts["manager"])
    drained = [host for host in managers if seen["nodes"][host]["availability"] != "active"]
    if drained:
        return Verdict(False, f"{', '.join(drained)} is not active (drained or paused)",
                       "a drain moves the tasks of every service, and web's task there has nowhere else to go: "
                       "set the node active again, and find what a service itself can say about where its tasks run",
                       code="manager-drained")
    if seen["replicas"] != replicas:
        return Verdict(False, f"{service} is set to {seen['replicas']} replicas, not {replicas}",
                       f"keep all {replicas}: the exercise moves the tasks, it does not remove any",
                       code="replicas-changed")
    on_managers = [host for host, _ in seen["tasks"] if host in managers]
    if on_managers:
        return Verdict(False, f"{service} still runs task(s) on {', '.join(sorted(set(on_managers)))}, the manager",
                       "the scheduler puts a service's tasks on any active node that its spec allows: the options "
                       "of `docker service create --help` include some that restrict where a service's tasks run",
                       code="tasks-on-manager")
    if len(seen["tasks"]) != replicas:
        return Verdict(False, f"{len(seen['tasks'])} of {service}'s {replicas} tasks run",
                       f"the rest are pending: read their error in `docker service ps {service}` (a rule no node "
                       "meets leaves tasks waiting)", code="tasks-pending")
    return Verdict(True, f"{service} runs its {replicas} tasks on the workers only, "
                         f"and {', '.join(managers)} stays active")


@exercise("12.1")
def off_the_manager(service: str, replicas: int, node: str = MANAGER) -> Verdict:
    """Exercise 12.1: the service's tasks run on the workers only, and the manager is still active."""
    return judge_off_the_manager(observe_off_the_manager(service, node), service, replicas)


# --- 12.2: a paused rollout, repaired --------------------------------------------------------------------------

def observe_rollout(service: str, node: str = MANAGER) -> dict:
    """The service's image and replicas, its update state and message, and its running tasks (node, image)."""
    spec, trouble = _inspect_service(service, node)
    if spec is None:
        return {"trouble": trouble}
    status = spec.get("UpdateStatus") or {}
    return {"trouble": "",
            "image": spec["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0],
            "replicas": ((spec["Spec"].get("Mode") or {}).get("Replicated") or {}).get("Replicas"),
            "update_state": status.get("State", ""), "update_message": status.get("Message", ""),
            "tasks": [list(task) for task in running_tasks(service, node)]}


def judge_rollout(seen: dict, service: str, replicas: int, bad: str = BAD_IMAGE) -> Verdict:
    """Pass when the spec names a good image, no update is under way or paused, and every task runs that image."""
    if seen["trouble"]:
        return _trouble_verdict(seen["trouble"], service)
    if seen["image"] == bad:
        state = seen["update_state"] or "not started"
        return Verdict(False, f"{service}'s spec names {bad}, and its update is {state}",
                       "a stopped update leaves the new spec in place: any task that restarts gets that image. "
                       f"`docker service inspect {service}` shows the spec, the spec before it, and why the update "
                       "stopped (UpdateStatus)", code="spec-still-bad")
    if seen["update_state"] in ("updating", "rollback_started"):
        return Verdict(False, f"{service} is still changing ({seen['update_state']})",
                       "wait until the command you ran returns, then run the check again", code="still-converging")
    if seen["update_state"] in ("paused", "rollback_paused"):
        return Verdict(False, f"{service}'s update is {seen['update_state']}: {seen['update_message']}",
                       "a paused update waits for you: the image it names must be one whose tasks turn healthy",
                       code="update-paused")
    mismatched = [image for _, image in seen["tasks"] if image != seen["image"]]
    if seen["replicas"] != replicas or len(seen["tasks"]) != replicas or mismatched:
        return Verdict(False, f"{len(seen['tasks']) - len(mismatched)} of {service}'s {replicas} tasks run "
                       f"{seen['image']}", f"read `docker service ps {service}`: keep {replicas} replicas, and wait "
                       "until the replaced tasks have started", code="not-converged")
    return Verdict(True, f"{service} runs {replicas} tasks of {seen['image']}, and no update is paused")


@exercise("12.2")
def rollout_repaired(service: str, replicas: int, node: str = MANAGER) -> Verdict:
    """Exercise 12.2: the service is back on a good image, every task running, no update paused."""
    return judge_rollout(observe_rollout(service, node), service, replicas)


# --- 12.3: a Deployment the restricted level admits, read-only, still working -------------------------------

def _writable_mounts(pod: dict, container: dict) -> list[str]:
    """The paths where the container can write through a volume (emptyDir, an ephemeral or persistent claim)."""
    kinds = {volume["name"]: set(volume) - {"name"} for volume in pod.get("volumes") or []}
    return [mount["mountPath"] for mount in container.get("volumeMounts") or []
            if kinds.get(mount.get("name"), set()) & WRITABLE_VOLUMES and not mount.get("readOnly")]


def _writes_to(container: dict) -> list[str]:
    """Where the container's command line says it writes: the value of each --…-dir option (gunicorn's
    --worker-tmp-dir DIR)."""
    words = [*(container.get("command") or []), *(container.get("args") or [])]
    return [value for option, value in zip(words, words[1:], strict=False)
            if option.startswith("--") and option.endswith("-dir")]


def observe_worker(path: str) -> dict:
    """The manifest's Deployment as the checker judges it: schema error, restricted violations, read-only root,
    where its container writes and where it may write."""
    file = Path(path)
    if not file.is_file():
        return {"problem": "no-file", "detail": file.name}
    try:
        deployments = [doc for doc in documents(file) if doc.get("kind") == "Deployment"]
    except CourseError as error:
        return {"problem": "not-yaml", "detail": str(error)}
    if not deployments:
        return {"problem": "no-deployment", "detail": file.name}
    deployment = deployments[0]
    schema_error = validate_document(deployment)
    if schema_error:
        return {"problem": "schema", "detail": schema_error}
    pod = pod_spec(deployment) or {}
    container = (pod.get("containers") or [{}])[0]
    return {"problem": "", "detail": "", "violations": restricted_violations(deployment),
            "read_only": bool((container.get("securityContext") or {}).get("readOnlyRootFilesystem")),
            "writes_to": _writes_to(container), "writable": _writable_mounts(pod, container)}


def _within(path: str, mounts: list[str]) -> bool:
    return any(path == mount or path.startswith(mount.rstrip("/") + "/") for mount in mounts)


def judge_worker(seen: dict) -> Verdict:
    """Pass when the schema and the restricted level accept the Deployment, its root filesystem is read-only, and
    where it writes is a writable volume."""
    problem, detail = seen["problem"], seen["detail"]
    if problem:
        said = {
            "no-file": (f"there is no {detail} yet", "run the exercise's setup cells, which write it"),
            "not-yaml": ("the file is not valid YAML", detail),
            "no-deployment": (f"{detail} holds no Deployment",
                              "keep the manifest's first lines: its apiVersion and kind"),
            "schema": (f"the Kubernetes API schema rejects the Deployment ({detail})",
                       "a field is misspelt or misplaced: compare its indentation and name with those of "
                       "sample_app/k8s/web.yaml"),
        }[problem]
        return Verdict(False, *said, code=problem if problem != "schema" else "schema-rejects")
    if seen["violations"]:
        more = f" (and {len(seen['violations']) - 1} more)" if len(seen["violations"]) > 1 else ""
        return Verdict(False, f"the restricted level would refuse its Pods: {seen['violations'][0]}{more}",
                       "each violation names the field the API server wants, and whether the Pod's or the container's "
                       "securityContext may hold it; section 10's table maps chapter 10's flags to them",
                       code="violates-restricted")
    if not seen["read_only"]:
        return Verdict(False, "the restricted level admits it, but its root filesystem is still writable",
                       "chapter 10's --read-only has a securityContext field of its own, in the container's",
                       code="root-writable")
    unwritable = [path for path in seen["writes_to"] if not _within(path, seen["writable"])]
    if unwritable:
        return Verdict(False, f"the worker writes to {', '.join(unwritable)}, which a read-only root makes unwritable",
                       "its Pods would crash at start with 'Read-only file system': give that directory a writable "
                       "volume, as chapter 10 gave one with a tmpfs", code="writes-to-read-only")
    return Verdict(True, "the restricted level admits the worker, its root filesystem is read-only, and it can still "
                         "write where it must")


@exercise("12.3")
def hardened_worker(path: str) -> Verdict:
    """Exercise 12.3: the worker Deployment is admitted by "restricted", read-only, and can write where it writes."""
    return judge_worker(observe_worker(path))
