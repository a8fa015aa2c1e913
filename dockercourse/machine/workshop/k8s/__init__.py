"""The workshop server on Kubernetes (Zero to JupyterHub): the chart's values (values.yaml), and a learner's pod as
KubeSpawner renders it from them, for checking offline against Kubernetes' schema. No cluster runs here: this is
the design, validated, not a tested deployment (docs/workshop-server.md).

Used by: tests/test_workshop_k8s.py.
"""

from pathlib import Path

import yaml

VALUES = Path(__file__).with_name("values.yaml")


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def _resources(singleuser: dict) -> dict:
    """KubeSpawner's requests and limits from the chart's cpu and memory limit/guarantee."""
    resources = {"limits": {}, "requests": {}}
    for kind in ("cpu", "memory"):
        limit, guarantee = singleuser[kind].get("limit"), singleuser[kind].get("guarantee")
        if limit is not None:
            resources["limits"][kind] = str(limit)
        if guarantee is not None:
            resources["requests"][kind] = str(guarantee)
    return resources


def learner_pod(chart_values: dict, username: str = "ada") -> dict:
    """The pod KubeSpawner starts for a learner with these values: the chart's init containers (the course into the
    home), the notebook container (the course image, as uid 1000, without privilege escalation), the chart's extra
    containers (the private engine), the home volume claim and the extra volumes."""
    singleuser = chart_values["singleuser"]
    storage = singleuser["storage"]
    home = storage["dynamic"]["volumeNameTemplate"]
    env = [{"name": name, "value": str(value)} for name, value in singleuser.get("extraEnv", {}).items()]
    env += [{"name": "JUPYTERHUB_USER", "value": username}, {"name": "JUPYTERHUB_SERVICE_PREFIX",
                                                             "value": f"/user/{username}/"}]
    notebook = {
        "name": "notebook", "image": f"{singleuser['image']['name']}:{singleuser['image']['tag']}",
        "args": list(singleuser["cmd"]), "env": env, "ports": [{"name": "notebook-port", "containerPort": 8888}],
        "resources": _resources(singleuser),
        "securityContext": {"runAsUser": singleuser["uid"], "allowPrivilegeEscalation": False},
        "volumeMounts": [{"name": home, "mountPath": storage["homeMountPath"]}, *storage.get("extraVolumeMounts", [])],
    }
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"jupyter-{username}", "labels": {"component": "singleuser-server",
                                                                "hub.jupyter.org/username": username}},
        "spec": {
            "initContainers": list(singleuser.get("initContainers", [])),
            "containers": [notebook, *singleuser.get("extraContainers", [])],
            "securityContext": {"fsGroup": singleuser["fsGid"]},
            "volumes": [{"name": home, "persistentVolumeClaim": {"claimName": f"claim-{username}"}},
                        *storage.get("extraVolumes", [])],
            "restartPolicy": "OnFailure",
        },
    }
