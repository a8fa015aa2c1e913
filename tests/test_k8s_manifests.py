"""sample_app/k8s/ holds valid, hardened Kubernetes manifests: checked offline against the Kubernetes API schemas
that kubernetes-validate ships and against the Pod Security Standard "restricted" (dockercourse/k8s_manifests.py);
each check fails on a broken copy; and the hardened containers run, under the docker flags their securityContext
asks for (the course has no cluster: this is the closest it gets to running them)."""

import copy
import shutil
import subprocess
import sys

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.engine import docker
from dockercourse.k8s_manifests import (
    MANIFESTS,
    documents,
    pod_spec,
    qos_class,
    quantity,
    restricted_violations,
    validate_directory,
    validate_document,
)
from dockercourse.wait import until


def resource(file: str, kind: str) -> dict:
    return next(doc for doc in documents(MANIFESTS / file) if doc["kind"] == kind)


def deployment() -> dict:
    return resource("web.yaml", "Deployment")


def statefulset() -> dict:
    return resource("redis.yaml", "StatefulSet")


def workloads() -> list[dict]:
    return [deployment(), statefulset()]


def test_every_manifest_is_valid():
    checked = validate_directory()
    assert [str(c) for c in checked if c.error] == []
    kinds = {c.resource.split("/")[0] for c in checked}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "StatefulSet", "NetworkPolicy"} <= kinds


def test_a_broken_manifest_fails():
    typo = copy.deepcopy(deployment())
    container = typo["spec"]["template"]["spec"]["containers"][0]
    container["ports"][0]["containerPorts"] = container["ports"][0].pop("containerPort")
    assert "containerPort" in validate_document(typo)
    wrong_type = copy.deepcopy(deployment())
    wrong_type["spec"]["replicas"] = "three"
    assert "replicas" in validate_document(wrong_type)
    unknown = copy.deepcopy(deployment())
    unknown["spec"]["replica"] = 3
    assert "replica" in validate_document(unknown)
    misplaced = copy.deepcopy(deployment())   # a container-level field written in the Pod's securityContext
    misplaced["spec"]["template"]["spec"]["securityContext"]["readOnlyRootFilesystem"] = True
    assert "readOnlyRootFilesystem" in validate_document(misplaced)


@pytest.mark.parametrize("workload", workloads(), ids=lambda doc: doc["kind"])
def test_chapter_10s_hardening_is_in_every_pod(workload):
    """runAsNonRoot, a seccomp profile (Kubernetes applies none by default), no privilege escalation, every
    capability dropped, a read-only root filesystem: chapter 10's flags, as fields."""
    pod = pod_spec(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["readOnlyRootFilesystem"] is True
        assert context["capabilities"] == {"drop": ["ALL"]}
    assert restricted_violations(workload) == []


def test_the_app_writes_only_to_memory_and_redis_to_its_volume():
    web = pod_spec(deployment())
    volumes = {volume["name"]: volume for volume in web["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in web["containers"][0]["volumeMounts"]}
    assert volumes[mounts["/tmp"]]["emptyDir"]["medium"] == "Memory"
    redis = pod_spec(statefulset())
    assert redis["securityContext"]["fsGroup"] == redis["securityContext"]["runAsGroup"]
    assert {mount["mountPath"] for mount in redis["containers"][0]["volumeMounts"]} == {"/data"}


def test_the_restricted_check_words_what_the_api_server_refuses():
    bare = copy.deepcopy(deployment())
    pod = bare["spec"]["template"]["spec"]
    del pod["securityContext"]
    del pod["containers"][0]["securityContext"]
    found = restricted_violations(bare)
    assert [line.split(" (")[0] for line in found] == [
        "allowPrivilegeEscalation != false", "unrestricted capabilities", "runAsNonRoot != true", "seccompProfile"]
    assert 'container "web" must set securityContext.capabilities.drop=["ALL"]' in found[1]
    pod["hostNetwork"] = True
    pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}})
    pod["containers"][0]["securityContext"] = {"privileged": True, "runAsUser": 0,
                                               "seccompProfile": {"type": "Unconfined"}}
    found = " | ".join(restricted_violations(bare))
    for expected in ("host namespaces (hostNetwork=true)", 'privileged (container "web"',
                     'volume "host" uses restricted volume type "hostPath"', "runAsUser=0",
                     'must not set securityContext.seccompProfile.type to "Unconfined"'):
        assert expected in found


def test_redis_is_reachable_only_from_the_web_pods():
    """Chapter 07's internal network: a NetworkPolicy on the Redis Pods, ingress from web only, no egress."""
    policy = resource("networkpolicy.yaml", "NetworkPolicy")
    redis_labels = statefulset()["spec"]["template"]["metadata"]["labels"]
    web_labels = deployment()["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"] == redis_labels
    assert sorted(policy["spec"]["policyTypes"]) == ["Egress", "Ingress"] and policy["spec"]["egress"] == []
    [rule] = policy["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": web_labels}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 6379}]


def test_the_web_service_publishes_and_redis_stays_inside():
    web = resource("web.yaml", "Service")
    assert web["spec"]["type"] == "LoadBalancer"
    assert web["spec"]["selector"] == deployment()["spec"]["template"]["metadata"]["labels"]
    redis = resource("redis.yaml", "Service")
    assert redis["spec"].get("type", "ClusterIP") == "ClusterIP" and redis["spec"]["clusterIP"] == "None"


def test_probes_and_resources_follow_the_image_and_the_stack():
    container = pod_spec(deployment())["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert (container["livenessProbe"]["periodSeconds"], container["livenessProbe"]["timeoutSeconds"],
            container["livenessProbe"]["failureThreshold"]) == (30, 3, 3)   # HEALTHCHECK --interval/--timeout/--retries
    assert container["startupProbe"]["periodSeconds"] * container["startupProbe"]["failureThreshold"] == 30
    # Readiness must not depend on the Redis every replica shares (chapter 12, section 9).
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["limits"]["memory"] == "256Mi"
    assert statefulset()["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "redis-data"


def test_qos_classes():
    assert qos_class(deployment()) == "Burstable"
    assert qos_class(statefulset()) == "Guaranteed"
    none = copy.deepcopy(deployment())
    del none["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert qos_class(none) == "BestEffort"
    limits_only = copy.deepcopy(deployment())   # a request left out takes its limit
    limits_only["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "0.25",
                                                                                       "memory": "128Mi"}}
    assert qos_class(limits_only) == "Guaranteed"
    assert quantity("250m") == quantity("0.25") and quantity("64Mi") == 64 * 2**20


@pytest.mark.skipif(shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0,
                    reason="unshare -n (a network namespace with loopback only) is not allowed here")
def test_validation_needs_no_network():
    code = "from dockercourse.k8s_manifests import validate_directory as v; assert not [c for c in v() if c.error]"
    ran = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr


def docker_flags(workload: dict) -> list[str]:
    """What the Pod's and its first container's securityContext ask for, as `docker run` flags: the user, no new
    privileges, no capability, a read-only root; each emptyDir as a tmpfs, and a claimed volume as a tmpfs that
    fsGroup's group owns (what the kubelet does to the volume)."""
    pod = pod_spec(workload)
    pod_context, container = pod["securityContext"], pod["containers"][0]
    context = container["securityContext"]
    flags = ["--user", f"{pod_context['runAsUser']}:{pod_context['runAsGroup']}",
             "--security-opt", "no-new-privileges", "--cap-drop", "ALL"]
    flags += ["--read-only"] if context.get("readOnlyRootFilesystem") else []
    volumes = {volume["name"]: volume for volume in pod.get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        if "emptyDir" in volumes.get(mount["name"], {}):
            flags += ["--tmpfs", mount["mountPath"]]
        elif mount["name"] not in volumes:   # a volumeClaimTemplate's claim
            flags += ["--tmpfs", f"{mount['mountPath']}:uid={pod_context['runAsUser']},gid={pod_context['fsGroup']}"]
    return flags


def test_the_hardened_containers_run(test_label):
    """The manifests cannot run here, but what their securityContext asks of the containers can: the app answers
    its healthcheck and Redis writes to its volume, read-only, as non-root, with no capability."""
    app = f"{test_label}-app:1.0"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", app, str(REPO_DIR / "sample_app"), timeout=600)
    web, redis = f"{test_label}-web", f"{test_label}-redis"
    docker("run", "-d", "--name", web, "--label", f"{LABEL}={test_label}", *docker_flags(deployment()), app)
    docker("run", "-d", "--name", redis, "--label", f"{LABEL}={test_label}", *docker_flags(statefulset()),
           statefulset()["spec"]["template"]["spec"]["containers"][0]["image"],
           *pod_spec(statefulset())["containers"][0]["args"])

    def healthy():
        return docker("inspect", "--format", "{{.State.Health.Status}}", web).stdout.strip() == "healthy"

    until(healthy, 60, every=0.5, what="the hardened web container's healthcheck")
    assert docker("exec", redis, "redis-cli", "set", "visits", "1").stdout.strip() == "OK"
    assert docker("exec", redis, "redis-cli", "bgrewriteaof").returncode == 0
    assert docker("exec", redis, "id", "-u").stdout.strip() == "999"
