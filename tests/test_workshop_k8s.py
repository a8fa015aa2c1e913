"""The workshop server's Kubernetes design (dockercourse/machine/workshop/k8s/values.yaml), checked offline: a
learner's pod as KubeSpawner renders it from the values is valid Kubernetes (strict schema, 1.32 — the chart's
oldest — and the newest kubernetes-validate knows), it carries the one-machine design (a private engine beside the
lab, the same caps, the lab unprivileged), and a broken copy is refused. Not run on a cluster here."""

import copy

import kubernetes_validate
import pytest

from dockercourse.k8s_manifests import validate_document
from dockercourse.machine.workshop import CAPS
from dockercourse.machine.workshop.k8s import learner_pod, values
from dockercourse.manifest import manifest_image

VERSIONS = ["1.32.0", kubernetes_validate.latest_version()]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_learners_pod_is_valid_kubernetes(version):
    assert validate_document(learner_pod(values()), version) is None


def test_the_pod_is_the_course_stack_with_the_same_caps():
    pod = learner_pod(values())["spec"]
    lab, engine = pod["containers"]
    assert engine["image"] == manifest_image("docker").name and engine["securityContext"]["privileged"]
    assert lab["securityContext"] == {"runAsUser": 1000, "allowPrivilegeEscalation": False}
    assert engine["resources"]["limits"]["memory"] == CAPS["engine"]["memory"].replace("g", "Gi")
    assert float(engine["resources"]["limits"]["cpu"]) == CAPS["engine"]["cpus"]
    assert lab["resources"]["limits"]["memory"] == CAPS["lab"]["memory"].upper()
    assert float(lab["resources"]["limits"]["cpu"]) == CAPS["lab"]["cpus"]
    shared = {mount["name"] for mount in lab["volumeMounts"]} & {mount["name"] for mount in engine["volumeMounts"]}
    assert shared == {"engine-socket", "shared-tmp", "home"}, "the lab and its engine see the same files and socket"
    assert "--group=999" in engine["args"] and not any("tcp://" in arg for arg in engine["args"]), "socket only"
    assert values()["cull"]["enabled"]
    assert "cp -rn" in pod["initContainers"][0]["command"][-1], "the course goes into an empty home, never over work"


def test_a_broken_copy_is_refused():
    broken = copy.deepcopy(learner_pod(values()))
    broken["spec"]["containers"][1]["securityContext"]["privileged"] = "yes"
    assert validate_document(broken, VERSIONS[-1]) is not None
    broken = copy.deepcopy(learner_pod(values()))
    broken["spec"]["containers"][0]["ports"][0]["containerPorts"] = 8888
    assert validate_document(broken, VERSIONS[-1]) is not None, "strict: an unknown field is an error"
