"""Chapter 12's exercise checkers (Swarm and Kubernetes).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

from pathlib import Path

from .. import CourseError
from ..k8s_manifests import documents, validate_document
from ..swarm import MANAGER, manager, running_tasks
from .common import Verdict


def service_replicas(service: str, expected: int, node: str = MANAGER) -> Verdict:
    """Exercise 12.1: the swarm service is set to `expected` replicas, and that many tasks run."""
    spec = manager("service", "inspect", service, "--format", "{{.Spec.Mode.Replicated.Replicas}}", node=node)
    if spec.returncode != 0:
        if "No such container" in spec.stderr or "is not running" in spec.stderr:
            return Verdict(False, f"the node container {node} is not running",
                           "run the chapter from the top: sections 1 and 2 start the nodes and form the swarm")
        if "not a swarm manager" in spec.stderr:
            return Verdict(False, f"the engine in {node} is not a swarm manager",
                           "run section 2 (swarm init on node1), then section 4")
        return Verdict(False, f"the swarm has no service {service}",
                       "run section 4, which creates it, then the exercise cell")
    replicas = int(spec.stdout.strip() or 0)
    if replicas != expected:
        return Verdict(False, f"{service} is set to {replicas} replicas, not {expected}",
                       f"`docker exec {node} docker service scale {service}=N` sets the number (N a whole "
                       "number, no spaces around =): the manager answers service commands, the workers do not")
    running = len(running_tasks(service, node))
    if running != expected:
        return Verdict(False, f"{service} is set to {expected} replicas, but {running} task(s) run",
                       f"read why: docker exec {node} docker service ps {service}")
    return Verdict(True, f"{service} runs {expected} replicas")


def _container(document: dict) -> dict | None:
    containers = (document.get("spec", {}).get("template", {}).get("spec", {}) or {}).get("containers") or []
    return containers[0] if containers else None


def liveness_probe(path: str) -> Verdict:
    """Exercise 12.2: the Deployment is valid and its container's livenessProbe matches the HEALTHCHECK."""
    file = Path(path)
    if not file.is_file():
        return Verdict(False, f"there is no {file.name} yet", "run the exercise's %%writefile cell")
    try:
        found = documents(file)
    except CourseError as error:
        return Verdict(False, f"{file.name} is not valid YAML", str(error))
    deployments = [doc for doc in found if doc.get("kind") == "Deployment"]
    if not deployments:
        return Verdict(False, f"{file.name} holds no Deployment", "keep the starting point's first lines: "
                       "apiVersion: apps/v1, kind: Deployment")
    error = validate_document(deployments[0])
    if error:
        return Verdict(False, f"the Kubernetes API schema rejects the Deployment ({error})",
                       "compare the probe's indentation and field names with sample_app/k8s/web.yaml: "
                       "livenessProbe sits beside ports:, httpGet holds path and port")
    probe = (_container(deployments[0]) or {}).get("livenessProbe")
    if not probe:
        return Verdict(False, "the container has no livenessProbe yet",
                       "replace the TODO with a livenessProbe: (same indentation as ports:) holding httpGet "
                       "(path, port), periodSeconds, timeoutSeconds and failureThreshold")
    get = probe.get("httpGet") or {}
    if get.get("path") != "/health" or str(get.get("port")) != "8000":
        return Verdict(False, "the probe does not GET /health on port 8000",
                       "httpGet: {path: /health, port: 8000}: the URL healthcheck.py asks for")
    wanted = {"periodSeconds": 30, "timeoutSeconds": 3, "failureThreshold": 3}
    wrong = [f"{key} is {probe.get(key)}, not {value}" for key, value in wanted.items() if probe.get(key) != value]
    if wrong:
        return Verdict(False, "; ".join(wrong),
                       "--interval=30s is periodSeconds, --timeout=3s is timeoutSeconds, --retries=3 is "
                       "failureThreshold (see the HEALTHCHECK line of sample_app/Dockerfile)")
    return Verdict(True, "the livenessProbe does what the HEALTHCHECK does, and the Deployment is valid")

