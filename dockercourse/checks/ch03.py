"""Chapter 03's exercise checkers (Docker's architecture): each observes the engine (or the registry), then
judges the record (dockercourse/checks/common.py).

- Exercise 3.1, ``tool_works``: a script pinned to an API version the engine refuses, repaired.
- Exercise 3.2, ``release_reference``: the reference that deploys a pushed image by digest.
- Exercise 3.3, ``no_socket_left``: the container that mounts the engine's socket removed, the others left.
"""

import json
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from .. import LABEL
from ..engine import docker
from ..progress import exercise
from .common import Verdict

TOOL = Path("/tmp/dockercourse-03/tool/report.sh")


# --- Exercise 3.1: a tool the engine calls too old ----------------------------------------------

def observe_tool(script: str | Path = TOOL, timeout: float = 60) -> dict:
    """Run the learner's script as the exercise says (`sh SCRIPT`), and read the engine's range of API versions.

    The script runs docker itself; this is the one call here that is not `engine.docker()`: it runs the
    learner's tool, as the learner would."""
    path = Path(script)
    server = json.loads(docker("version", "--format", "{{json .Server}}", check=False).stdout or "{}") or {}
    seen = {"script": str(path), "exists": path.is_file(), "oldest": server.get("MinAPIVersion", ""),
            "newest": server.get("ApiVersion", ""), "exit_code": None, "output": ""}
    if seen["exists"]:
        ran = subprocess.run(["sh", str(path)], capture_output=True, text=True, timeout=timeout)
        seen.update(exit_code=ran.returncode, output=(ran.stdout + ran.stderr).strip())
    return seen


def judge_tool(seen: dict) -> Verdict:
    """Exercise 3.1 (chapter 03): the script runs and lists containers: it asks for an API version the engine
    accepts, or lets the CLI negotiate one."""
    script, output, accepted = seen["script"], seen["output"], f"{seen['oldest']} to {seen['newest']}"
    if not seen["exists"]:
        return Verdict(False, f"there is no {script}",
                       "run the exercise's setup cell: it writes the script", code="no-tool")
    if "is too old" in output:
        asked = re.search(r"client version (\S+) is too old", output)
        return Verdict(False, f"the engine refuses the API version the tool asks for"
                              f"{f' ({asked.group(1)})' if asked else ''}: it accepts {accepted}",
                       "find where the tool decides which API version its requests name, and compare it with "
                       "the range `docker version` shows for the engine (section 2)", code="api-version-too-old")
    if "is too new" in output:
        return Verdict(False, f"the tool now asks for an API version newer than this engine speaks ({accepted})",
                       "a client can only speak versions the engine knows: stay within its range, or let the "
                       "client and the engine agree on one", code="api-version-too-new")
    if seen["exit_code"] != 0:
        first = output.splitlines()[0] if output else "no output"
        return Verdict(False, f"the tool fails with exit code {seen['exit_code']}: {first}",
                       f"run `sh {script}` yourself and read its first error", code="tool-fails")
    return Verdict(True, "report.sh lists the containers again: it asks for an API version the engine accepts")


@exercise("3.1")
def tool_works(script: str | Path = TOOL) -> Verdict:
    """Exercise 3.1 (chapter 03): what the checker cell calls."""
    return judge_tool(observe_tool(script))


# --- Exercise 3.2: release by digest ------------------------------------------------------------

#: The Accept header a client sends to get a manifest as it was pushed (Docker v2 or OCI, an index or not).
MANIFEST_ACCEPT = ", ".join(["application/vnd.docker.distribution.manifest.v2+json",
                             "application/vnd.docker.distribution.manifest.list.v2+json",
                             "application/vnd.oci.image.manifest.v1+json",
                             "application/vnd.oci.image.index.v1+json"])
REFERENCE = re.compile(r"^(?P<name>[^@\s]+?)(?::(?P<tag>[\w.-]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


def _manifest(registry: str, repository: str, reference: str) -> tuple[int, str, dict]:
    """(HTTP status, the Docker-Content-Digest, the JSON body) of GET /v2/REPOSITORY/manifests/REFERENCE;
    status 0 when no registry answers."""
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/{reference}",
                                     headers={"Accept": MANIFEST_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Docker-Content-Digest", ""), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, "", {}
    except (urllib.error.URLError, OSError):
        return 0, "", {}


def observe_release(answer, registry: str = "localhost:8030", repository: str = "course03/release",
                    tag: str = "2.0") -> dict:
    """What the registry says the tag is (its digest, and the manifests an index lists), and what the answer
    names: its repository, tag and digest, and whether the registry knows that digest in that repository."""
    status, digest, body = _manifest(registry, repository, tag)
    text = answer.strip() if isinstance(answer, str) else None
    parsed = REFERENCE.match(text) if text else None
    named = parsed.groupdict() if parsed else {}
    known = None
    if named.get("digest") and named["name"].startswith(f"{registry}/"):
        known = _manifest(registry, named["name"].removeprefix(f"{registry}/"), named["digest"])[0] == 200
    return {"registry": registry, "repository": repository, "tag": tag, "registry_status": status,
            "tag_digest": digest, "platform_digests": [entry["digest"] for entry in body.get("manifests", [])],
            "answer": text if text is not None else (None if answer is None else repr(answer)),
            "answer_is_text": text is not None, "name": named.get("name"), "answer_tag": named.get("tag"),
            "digest": named.get("digest"), "known": known}


def _judge_pushed(seen: dict) -> Verdict | None:
    """A failing verdict while the registry has no such tag (or answers not at all)."""
    registry, repository, tag = seen["registry"], seen["repository"], seen["tag"]
    if seen["registry_status"] == 0:
        return Verdict(False, f"no registry answers at {registry}",
                       "run section 5's cells that start the chapter's registry, course03-registry",
                       code="no-registry")
    if seen["registry_status"] != 200:
        return Verdict(False, f"the registry has no {repository}:{tag} yet (HTTP {seen['registry_status']})",
                       f"a registry keeps an image in the repository its name says: name the build for the "
                       f"registry's repository {repository} (version {tag}), then send it there (section 5)",
                       code="not-published")
    return None


def judge_release(seen: dict) -> Verdict:
    """Exercise 3.2 (chapter 03): the answer is REGISTRY/REPOSITORY@DIGEST, the digest the registry gives the tag
    (or one of the manifests its index lists)."""
    unpublished = _judge_pushed(seen)
    if unpublished is not None:
        return unpublished
    repository, wanted = seen["repository"], f"{seen['registry']}/{seen['repository']}"
    if not seen["answer"] or not seen["answer_is_text"]:
        return Verdict(False, f"{repository}:{seen['tag']} is published; answer3 is not a reference yet",
                       "set answer3 to a string NAME@sha256:…: the digest the registry gives the tag "
                       "(the push prints it; section 5)", code="no-answer")
    if not seen["digest"]:
        return Verdict(False, f"{seen['answer']!r} names a tag: whoever pushes under it next changes what deploys",
                       "a tag can move; the registry's digest for it cannot (section 5)", code="tag-not-digest")
    if seen["name"] != wanted:
        return Verdict(False, f"{seen['name']} is not {wanted}",
                       f"the reference starts with the registry and the repository: {wanted}", code="wrong-repository")
    if seen["digest"] == seen["tag_digest"]:
        return Verdict(True, f"{seen['answer'][:60]}… deploys exactly what {repository}:{seen['tag']} names now, "
                             "whatever later happens to the tag")
    if seen["digest"] in seen["platform_digests"]:
        return Verdict(True, "that digest pins one platform's manifest of the image: exactly those bytes, though "
                             "a client on another platform cannot use it; the tag's own digest pins them all")
    if seen["known"]:
        return Verdict(False, f"the registry knows {seen['digest'][:19]}…, but {repository}:{seen['tag']} names "
                              f"{seen['tag_digest'][:19]}…",
                       "take the digest of your last push of the build to release", code="another-digest")
    return Verdict(False, f"the registry knows no {seen['digest'][:19]}… in {repository}",
                   "take the digest the registry gives (the push prints it), not one of the engine's own IDs",
                   code="unknown-digest")


@exercise("3.2")
def release_reference(answer, registry: str = "localhost:8030", repository: str = "course03/release",
                      tag: str = "2.0") -> Verdict:
    """Exercise 3.2 (chapter 03): what the checker cell calls."""
    return judge_release(observe_release(answer, registry, repository, tag))


# --- Exercise 3.3: which container holds the keys to the host? ----------------------------------

def observe_mounts(creator: str = "03", names: tuple[str, ...] = ("course03-metrics", "course03-backup",
                                                                   "course03-cache")) -> dict:
    """The chapter's containers: running or not, and what each mounts (type, source, destination). `names`: the
    exercise's three, the one with the socket first."""
    listed = docker("ps", "-a", "--quiet", "--filter", f"label={LABEL}={creator}", check=False).stdout.split()
    found = json.loads(docker("container", "inspect", *listed, check=False).stdout or "[]") if listed else []
    containers = {entry["Name"].lstrip("/"): {
        "running": bool(entry["State"].get("Running")),
        "mounts": [[mount.get("Type", ""), mount.get("Source", ""), mount.get("Destination", "")]
                   for mount in entry.get("Mounts", [])]} for entry in found}
    return {"names": list(names), "containers": containers}


def _holds_the_socket(container: dict) -> bool:
    return any(source.endswith(".sock") or destination.endswith("docker.sock")
               for _, source, destination in container["mounts"])


def judge_mounts(seen: dict) -> Verdict:
    """Exercise 3.3 (chapter 03): no container of the chapter mounts the engine's socket, and the others run."""
    containers, names = seen["containers"], seen["names"]
    if not any(name in containers for name in names):
        return Verdict(False, "none of the exercise's three containers exists",
                       "run the exercise's setup cell: it starts them", code="no-containers")
    holding = sorted(name for name, container in containers.items() if _holds_the_socket(container))
    if holding:
        stopped = [name for name in holding if not containers[name]["running"]]
        if stopped and len(stopped) == len(holding):
            return Verdict(False, f"{', '.join(stopped)} is stopped, but still there with the engine's socket "
                                  "mounted: `docker start` gives it the power back", "remove it",
                           code="socket-container-stopped")
        return Verdict(False, "a container of the chapter still mounts the engine's socket",
                       "look at what each container mounts (the engine's `docker inspect` lists it): which mount "
                       "lets a process send requests to the engine? (section 8)", code="socket-still-mounted")
    innocent = [name for name in names[1:] if not containers.get(name, {}).get("running")]
    if innocent:
        return Verdict(False, f"{', '.join(innocent)} is gone or stopped too, and it could not control the engine: "
                              "a read-only directory and a volume give no power over it",
                       "run the setup cell again, and remove only the container with the socket",
                       code="removed-too-much")
    return Verdict(True, "no container of the chapter mounts the engine's socket any more; the backup and the cache "
                         "keep running")


@exercise("3.3")
def no_socket_left(creator: str = "03") -> Verdict:
    """Exercise 3.3 (chapter 03): what the checker cell calls."""
    return judge_mounts(observe_mounts(creator))
