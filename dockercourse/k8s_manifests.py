"""Kubernetes manifests checked offline against the Kubernetes API's schemas (kubernetes-validate).

kubernetes-validate ships the OpenAPI schemas of every Kubernetes release as JSON files inside the
package, so validating needs no cluster and no network. ``strict`` rejects fields the schema does not
know (a typo such as ``containerPorts``), which plain JSON-schema validation would let through.

Used by: the checker of exercise 12.2 (dockercourse/checks/ch12.py) and tests/test_k8s_manifests.py; the
chapter itself runs the `kubernetes-validate` command.
"""

from dataclasses import dataclass
from pathlib import Path

import kubernetes_validate
import yaml

from . import REPO_DIR, CourseError

MANIFESTS = REPO_DIR / "sample_app" / "k8s"
#: The Kubernetes release whose API the manifests are checked against (the newest the package ships).
KUBERNETES_VERSION = kubernetes_validate.latest_version()


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
        return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    except yaml.YAMLError as error:
        raise CourseError(f"{path.name} is not valid YAML ({str(error).splitlines()[0]}): "
                          "check its indentation") from None


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
    return [Checked(path.name, f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}",
                    validate_document(doc, version)) for doc in documents(path)]


def validate_directory(directory: Path = MANIFESTS, version: str = KUBERNETES_VERSION) -> list[Checked]:
    """Every resource of every *.yaml in the directory, checked, in file order."""
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise CourseError(f"no *.yaml manifests in {directory}: run from the course's repository")
    return [checked for path in files for checked in validate_file(path, version)]
