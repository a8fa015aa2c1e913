"""Kubernetes manifests checked offline: against the Kubernetes API's schemas (kubernetes-validate), against the
Pod Security Standard "restricted", and for the QoS class their Pods would get.

kubernetes-validate ships the OpenAPI schemas of every Kubernetes release as JSON files inside the
package, so validating needs no cluster and no network. ``strict`` rejects fields the schema does not
know (a typo such as ``replica``), which plain JSON-schema validation would let through.

The other two do, offline, what a cluster does when it receives a Pod: the API server's Pod Security
admission (``restricted_violations``, worded as the API server words it) and the kubelet's QoS class
(``qos_class``). They cover what a Deployment of a web app can trip, not every rule of the standard.

Used by: chapter 12 (``qos_class``, ``restricted_violations``; the chapter runs the validator itself with
``python -m kubernetes_validate``), the checkers of its exercises (dockercourse/checks/ch12.py) and
tests/test_k8s_manifests.py.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import kubernetes_validate
import yaml

from . import REPO_DIR, CourseError

MANIFESTS = REPO_DIR / "sample_app" / "k8s"
#: The Kubernetes release whose API the manifests are checked against (the newest the package ships).
KUBERNETES_VERSION = kubernetes_validate.latest_version()
#: The volume types the "restricted" level allows (kubernetes.io, Pod Security Standards).
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim",
                      "projected", "secret"}
#: A seccomp profile the "restricted" level accepts.
CONFINED = {"RuntimeDefault", "Localhost"}


@dataclass(frozen=True)
class Checked:
    file: str          # the manifest's file name
    resource: str      # "Deployment/web"
    error: str | None  # the validator's first line, None when valid

    def __str__(self) -> str:
        return f"{self.file}: {self.resource} {'valid' if self.error is None else 'INVALID: ' + self.error}"


def documents(path: Path) -> list[dict]:
    """The YAML documents of one manifest file (empty documents left out)."""
    try:
        found = [doc for doc in yaml.safe_load_all(Path(path).read_text()) if doc]
    except yaml.YAMLError as error:
        raise CourseError(f"{Path(path).name} is not valid YAML ({str(error).splitlines()[0]}): "
                          "check its indentation") from None
    if not all(isinstance(doc, dict) for doc in found):
        raise CourseError(f"{Path(path).name} holds a YAML document that is not a mapping: check its indentation")
    return found


def validate_document(document: dict, version: str = KUBERNETES_VERSION) -> str | None:
    """None when the resource is valid for that Kubernetes version (strict), else the validator's first line."""
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        return f"{where + ': ' if where else ''}{str(error.message).splitlines()[0]}"
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as error:
        return str(error).splitlines()[0]
    return None


def validate_file(path: Path, version: str = KUBERNETES_VERSION) -> list[Checked]:
    """Every resource of one manifest file, checked."""
    return [Checked(Path(path).name, f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}",
                    validate_document(doc, version)) for doc in documents(path)]


def validate_directory(directory: Path = MANIFESTS, version: str = KUBERNETES_VERSION) -> list[Checked]:
    """Every resource of every *.yaml in the directory, checked, in file order."""
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise CourseError(f"no *.yaml manifests in {directory}: run from the course's repository")
    return [checked for path in files for checked in validate_file(path, version)]


def pod_spec(document: dict) -> dict | None:
    """The Pod spec of a Pod, or of a workload's Pod template (Deployment, StatefulSet, Job, …); None for others."""
    spec = document.get("spec") or {}
    if document.get("kind") == "Pod":
        return spec
    template = (spec.get("jobTemplate") or {}).get("spec", spec).get("template") or {}
    return template.get("spec")


def _containers(pod: dict) -> list[dict]:
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def _named(names: list[str]) -> str:
    """`container "web"` or `containers "web", "sidecar"`, as the API server names them."""
    quoted = ", ".join(f'"{name}"' for name in names)
    return f"container {quoted}" if len(names) == 1 else f"containers {quoted}"


def _context(container: dict) -> dict:
    return container.get("securityContext") or {}


def _host_namespaces(pod: dict) -> str | None:
    shared = [f"{key}=true" for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key)]
    return f"host namespaces ({', '.join(shared)})" if shared else None


def _privileged(pod: dict) -> str | None:
    names = [c["name"] for c in _containers(pod) if _context(c).get("privileged")]
    return f"privileged ({_named(names)} must not set securityContext.privileged=true)" if names else None


def _escalation(pod: dict) -> str | None:
    names = [c["name"] for c in _containers(pod) if _context(c).get("allowPrivilegeEscalation") is not False]
    return (f"allowPrivilegeEscalation != false ({_named(names)} must set "
            "securityContext.allowPrivilegeEscalation=false)") if names else None


def _capabilities(pod: dict) -> str | None:
    problems = []
    for container in _containers(pod):
        capabilities = _context(container).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            problems.append(f'{_named([container["name"]])} must set securityContext.capabilities.drop=["ALL"]')
        problems += [f'{_named([container["name"]])} must not include "{added}" in securityContext.capabilities.add'
                     for added in capabilities.get("add") or [] if added != "NET_BIND_SERVICE"]
    return f"unrestricted capabilities ({'; '.join(problems)})" if problems else None


def _volumes(pod: dict) -> str | None:
    wrong = [(volume["name"], kind) for volume in pod.get("volumes") or []
             for kind in volume if kind != "name" and kind not in RESTRICTED_VOLUMES]
    described = ", ".join(f'volume "{name}" uses restricted volume type "{kind}"' for name, kind in wrong)
    return f"restricted volume types ({described})" if wrong else None


def _non_root(pod: dict) -> str | None:
    pod_says = (pod.get("securityContext") or {}).get("runAsNonRoot")
    explicit_false = [c["name"] for c in _containers(pod) if _context(c).get("runAsNonRoot") is False]
    unset = [c["name"] for c in _containers(pod) if _context(c).get("runAsNonRoot") is None]
    if pod_says is False or explicit_false:
        who = "pod" if pod_says is False else _named(explicit_false)
        return f"runAsNonRoot != true ({who} must not set securityContext.runAsNonRoot=false)"
    if pod_says is not True and unset:
        return f"runAsNonRoot != true (pod or {_named(unset)} must set securityContext.runAsNonRoot=true)"
    return None


def _root_user(pod: dict) -> str | None:
    who = (["pod"] if (pod.get("securityContext") or {}).get("runAsUser") == 0 else []) + \
          [_named([c["name"]]) for c in _containers(pod) if _context(c).get("runAsUser") == 0]
    return f"runAsUser=0 ({' and '.join(who)} must not set runAsUser=0)" if who else None


def _seccomp(pod: dict) -> str | None:
    def profile(context: dict) -> str | None:
        return (context.get("seccompProfile") or {}).get("type")

    pod_profile = profile(pod.get("securityContext") or {})
    unconfined = [c["name"] for c in _containers(pod) if profile(_context(c)) not in (None, *CONFINED)]
    unset = [c["name"] for c in _containers(pod) if profile(_context(c)) is None]
    if pod_profile not in (None, *CONFINED) or unconfined:
        who = "pod" if pod_profile not in (None, *CONFINED) else _named(unconfined)
        return f'seccompProfile ({who} must not set securityContext.seccompProfile.type to "Unconfined")'
    if pod_profile is None and unset:
        return (f'seccompProfile (pod or {_named(unset)} must set securityContext.seccompProfile.type to '
                '"RuntimeDefault" or "Localhost")')
    return None


RESTRICTED_CHECKS = (_host_namespaces, _privileged, _escalation, _capabilities, _volumes, _non_root, _root_user,
                     _seccomp)


def restricted_violations(document: dict) -> list[str]:
    """What the Pod Security Standard "restricted" finds wrong with a Pod or a workload's Pod template, worded as
    the API server's Pod Security admission words it; an empty list when it would admit it (or holds no Pod)."""
    pod = pod_spec(document)
    if pod is None:
        return []
    return [found for check in RESTRICTED_CHECKS if (found := check(pod))]


UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(text) -> float:
    """A Kubernetes quantity as a number: "250m" → 0.25, "64Mi" → 67108864, 2 → 2."""
    found = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(text))
    if not found or found.group(2) not in UNITS:
        raise CourseError(f"{text!r} is not a quantity this course reads (a number with m, Mi, Gi, k, M or G)")
    return float(found.group(1)) * UNITS[found.group(2)]


def qos_class(document: dict) -> str:
    """The QoS class the kubelet gives the Pod: "Guaranteed" when every container's CPU and memory requests equal
    its limits (a missing request takes its limit), "BestEffort" when none has any, else "Burstable"."""
    containers = _containers(pod_spec(document) or {})
    resources = [(c.get("resources") or {}) for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"

    def guaranteed(resource: dict) -> bool:
        limits, requests = resource.get("limits") or {}, resource.get("requests") or {}
        return all(kind in limits and quantity(requests.get(kind, limits[kind])) == quantity(limits[kind])
                   for kind in ("cpu", "memory"))

    return "Guaranteed" if all(guaranteed(r) for r in resources) else "Burstable"
