"""Chapter 03's exercise checkers (Docker's architecture).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import http.client
import json
import re
import urllib.error
import urllib.request

from .. import LABEL
from ..engine import docker
from .common import Verdict


def sdk_exit_code(answer, name: str = "course03-exit", expected: int = 3, creator: str = "03") -> Verdict:
    """Exercise 3.1 (chapter 03): the exit code of a labelled container run with the Docker SDK for Python."""
    if answer is None or answer == "" or answer == []:
        if docker("container", "inspect", name, check=False).returncode != 0:
            return Verdict(False, f"the answer is empty, and the engine has no container named {name!r} yet",
                           f"start it: container = client.containers.run('python:3.13-slim-trixie', [...], "
                           f"detach=True, name={name!r}, labels={{'{LABEL}': '{creator}'}}), "
                           "then answer = container.wait()['StatusCode']")
        return Verdict(False, "the answer is empty", "set answer = container.wait()['StatusCode']")
    if isinstance(answer, dict):
        return Verdict(False, f"that is all of wait()'s answer, {answer!r}, not the exit code",
                       "take the exit code from it: answer = container.wait()['StatusCode']")
    if hasattr(answer, "wait") and hasattr(answer, "attrs"):  # a docker.models.containers.Container
        return Verdict(False, "that is the container object, not its exit code",
                       "wait for it to end, then take the code: answer = container.wait()['StatusCode']")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return Verdict(False, f"{answer!r} is not an exit code",
                       "an exit code is an int: container.wait()['StatusCode']")
    inspected = docker("container", "inspect", name, check=False)
    if inspected.returncode != 0:
        return Verdict(False, f"the engine has no container named {name!r}",
                       f"pass name={name!r} and detach=True to client.containers.run(…) (and no remove=True)")
    container = json.loads(inspected.stdout)[0]
    if (container["Config"].get("Labels") or {}).get(LABEL) != creator:
        return Verdict(False, f"container {name} does not carry the label {LABEL}={creator}",
                       f"pass labels={{'{LABEL}': '{creator}'}} to client.containers.run(…)")
    if container["State"]["Running"]:
        return Verdict(False, f"container {name} is still running, so it has no exit code yet",
                       "call container.wait() before you read the exit code")
    engine_code = container["State"]["ExitCode"]
    if answer != engine_code:
        return Verdict(False, f"you answered {answer}, but the engine says {name} exited with {engine_code}",
                       "take the code from container.wait()['StatusCode'] rather than typing it")
    if engine_code != expected:
        return Verdict(False, f"{name} exited with {engine_code}, not {expected}",
                       f"the container's command should be ['python', '-c', 'raise SystemExit({expected})']")
    return Verdict(True, f"{name} exited with {engine_code}, and the engine agrees: correct")


def engine_api_version(answer) -> Verdict:
    """Exercise 3.2 (chapter 03): the engine's API version, asked with GET /version over the Unix socket."""
    if isinstance(answer, bytes):
        return Verdict(False, "that is bytes, the raw body of the response",
                       "decode the JSON first: json.loads(response.read())['ApiVersion']")
    if isinstance(answer, dict):
        hint = ("take one field: answer = version['ApiVersion']" if "ApiVersion" in answer
                else "ask GET /version: its JSON has the field 'ApiVersion'")
        return Verdict(False, "that is a whole JSON object, not a version", hint)
    if isinstance(answer, http.client.HTTPResponse):
        return Verdict(False, "that is the response object, not what it says",
                       "read its body and decode the JSON: json.loads(response.read())['ApiVersion']")
    if answer is None or not str(answer).strip():
        return Verdict(False, "the answer is empty",
                       "send connection.request('GET', '/version'); connection.getresponse().read() is a JSON body: "
                       "set answer2 to its field 'ApiVersion'")
    if not isinstance(answer, str):
        return Verdict(False, f"{answer!r} is a {type(answer).__name__}, not the string the engine sends",
                       "keep the field as it is, a string such as '1.45' (as a float, 1.40 would become 1.4)")
    versions = json.loads(docker("version", "--format", "{{json .}}").stdout)
    server, client = versions["Server"], versions["Client"]
    text = answer.strip()
    if text == server["ApiVersion"]:
        return Verdict(True, "the engine's own API version, as it answered over its socket: correct")
    if text == client.get("DefaultAPIVersion") or text == client.get("ApiVersion"):
        return Verdict(False, f"{text} is the newest API version the docker *client* speaks",
                       "ask the engine itself: GET /version over engine_connection(), field 'ApiVersion'")
    if text == server.get("MinAPIVersion"):
        return Verdict(False, f"{text} is the oldest API version the engine still accepts",
                       "take 'ApiVersion', not 'MinAPIVersion'")
    if text == server.get("Version"):
        return Verdict(False, f"{text} is the engine's release, not its API version",
                       "take the field 'ApiVersion', not 'Version'")
    return Verdict(False, f"{text!r} is not the engine's API version",
                   "send GET /version over engine_connection() and take the field 'ApiVersion'")


#: The Accept header a client sends to get a manifest as it was pushed (Docker v2 or OCI), not converted.
MANIFEST_ACCEPT = ", ".join(["application/vnd.docker.distribution.manifest.v2+json",
                             "application/vnd.docker.distribution.manifest.list.v2+json",
                             "application/vnd.oci.image.manifest.v1+json",
                             "application/vnd.oci.image.index.v1+json"])


def _registry_manifest_digest(registry: str, repository: str, reference: str) -> str:
    """The digest a registry gives for repository:reference (header Docker-Content-Digest), via its HTTP API.

    Raises urllib.error.HTTPError (no such manifest) or URLError (no registry answers).
    """
    request = urllib.request.Request(f"http://{registry}/v2/{repository}/manifests/{reference}",
                                     headers={"Accept": MANIFEST_ACCEPT})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Docker-Content-Digest"]


def pushed_digest(answer, repository: str = "course03/exercise", tag: str = "1.0",
                  registry: str = "localhost:8030") -> Verdict:
    """Exercise 3.3 (chapter 03): the digest of an image pushed to the chapter's local registry."""
    text = "\n".join(answer) if isinstance(answer, list) else str(answer or "")
    reference = f"{registry}/{repository}:{tag}"
    if not text.strip():
        return Verdict(False, "the answer is empty", f"capture the push: answer = !docker push {reference}")
    if "____" in text or "invalid reference format" in text:
        return Verdict(False, "docker could not read the name: a blank (____) is still in the command",
                       f"fill in each blank with {reference}: tag the image with that name, then push it")
    if "does not exist" in text or "No such image" in text:
        return Verdict(False, "there was nothing to push under that name",
                       f"tag the image first: docker tag IMAGE {reference}")
    if "connection refused" in text or "dial tcp" in text:
        return Verdict(False, f"no registry answered at {registry}",
                       "start the chapter's registry first (the `docker run … registry:2.8.3` cell above)")
    digests = re.findall(r"sha256:[0-9a-f]{64}", text)
    if not digests:
        return Verdict(False, f"no digest in the answer: {text.strip()[:80]!r}",
                       f"a digest looks like sha256:<64 hex digits>; `docker push {reference}` prints one")
    digest = digests[-1]
    try:
        expected = _registry_manifest_digest(registry, repository, tag)
    except urllib.error.HTTPError as error:
        return Verdict(False, f"the registry has no {repository}:{tag} (HTTP {error.code})",
                       f"push it: docker push {reference}")
    except (urllib.error.URLError, OSError):
        return Verdict(False, f"no registry answers at {registry}",
                       "start the chapter's registry first (the `docker run … registry:2.8.3` cell above)")
    if digest == expected:
        return Verdict(True, f"{digest[:19]}…: the registry names {repository}:{tag} by the same digest")
    image_id = docker("image", "inspect", "--format", "{{.Id}}", reference, check=False).stdout.strip()
    if digest == image_id:
        return Verdict(False, "that is the image ID, the digest of the image's config, not of its manifest",
                       "take the digest that `docker push` printed (`1.0: digest: sha256:…`), "
                       "or the one in `docker image inspect --format '{{.RepoDigests}}'`")
    return Verdict(False, f"the registry says {repository}:{tag} is {expected[:19]}…, not {digest[:19]}…",
                   "take the digest printed by your last push of this tag: pushing again moves the tag")
