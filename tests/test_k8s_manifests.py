"""sample_app/k8s/ holds valid Kubernetes manifests: checked offline against the Kubernetes API schemas
that kubernetes-validate ships (dockercourse/k8s_manifests.py), and the check can fail."""

import copy
import shutil
import subprocess
import sys

import pytest

from dockercourse.k8s_manifests import MANIFESTS, documents, validate_directory, validate_document


def test_every_manifest_is_valid():
    checked = validate_directory()
    assert [str(c) for c in checked if c.error] == []
    kinds = {c.resource.split("/")[0] for c in checked}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "StatefulSet"} <= kinds


def deployment() -> dict:
    return next(doc for doc in documents(MANIFESTS / "web.yaml") if doc["kind"] == "Deployment")


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


def test_probes_and_resources_follow_the_image_and_the_stack():
    container = deployment()["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert (container["livenessProbe"]["periodSeconds"], container["livenessProbe"]["timeoutSeconds"],
            container["livenessProbe"]["failureThreshold"]) == (30, 3, 3)   # HEALTHCHECK --interval/--timeout/--retries
    assert container["startupProbe"]["periodSeconds"] * container["startupProbe"]["failureThreshold"] == 30
    assert container["resources"]["limits"]["memory"] == "256Mi"
    redis = next(doc for doc in documents(MANIFESTS / "redis.yaml") if doc["kind"] == "StatefulSet")
    assert redis["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "redis-data"


@pytest.mark.skipif(shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0,
                    reason="unshare -n (a network namespace with loopback only) is not allowed here")
def test_validation_needs_no_network():
    code = "from dockercourse.k8s_manifests import validate_directory as v; assert not [c for c in v() if c.error]"
    ran = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
