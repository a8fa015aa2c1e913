"""Exercise checkers: each says exactly what is right or wrong, with a hint when it is wrong.

A checker takes what the learner's cell produced (the lines of a `!docker …` command captured
with ``answer = !…``) and judges it against the engine itself, not against a stored answer.
Every checker is tested in ``tests/test_checks*.py`` against the reference solution and against
the typical wrong answers.
"""

import json
import os
import platform
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import LABEL, CourseError
from .engine import docker
from .images import inspect_image, manifest_image
from .wait import wait_http


@dataclass(frozen=True)
class Verdict:
    """What a checker found; shown as the check cell's output, and true when the answer is right."""

    ok: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"✓ {self.message}" if self.ok else f"✗ {self.message}\n  hint: {self.hint}"


def inspect_container(name: str) -> dict | None:
    """What `docker container inspect NAME` says, as a dict; None when the engine has no such container."""
    inspected = docker("container", "inspect", name, check=False)
    return json.loads(inspected.stdout)[0] if inspected.returncode == 0 else None


def _python_minor() -> str:
    """The Python major.minor inside the course's Python image, from its manifest name."""
    return re.match(r"python:(\d+\.\d+)", manifest_image("python").name).group(1)


def python_version_in_container(answer: list[str]) -> Verdict:
    """Exercise 0.1 (chapter 00): the Python version printed from inside the course's Python image."""
    text = " ".join(answer).strip()
    found = re.search(r"Python (\d+\.\d+)\.\d+", text)
    expected = _python_minor()
    if not text:
        return Verdict(False, "the answer is empty",
                        "capture the command's output: answer = !docker run --rm … python --version")
    if "Unable to find image" in text or "No such image" in text or "pull access denied" in text:
        return Verdict(False, "the image is not there", "use the manifest's name exactly, and run `make images`")
    if found is None:
        return Verdict(False, f"no Python version in the output: {text[:80]!r}",
                        "the command inside the container should be `python --version`")
    if found.group(1) == platform.python_version().rsplit(".", 1)[0] != expected:
        return Verdict(False, f"Python {found.group(1)} is this notebook's own Python, not the container's",
                        "run the command inside a container: docker run --rm IMAGE python --version")
    if found.group(1) != expected:
        return Verdict(False, f"Python {found.group(1)} is not the course image's Python {expected}",
                        f"use the image from the manifest: {manifest_image('python').name}")
    return Verdict(True, f"Python {found.group(1)} from inside the container: correct")


def container_hostname(answer: list[str]) -> Verdict:
    """Exercise 0.2 (chapter 00): the hostname seen from inside a container."""
    text = " ".join(answer).strip()
    if not text:
        return Verdict(False, "the answer is empty", "capture the output: answer = !docker run --rm … hostname")
    if text == socket.gethostname():
        return Verdict(False, f"{text!r} is this machine's own hostname",
                        "run `hostname` inside a container: docker run --rm IMAGE hostname")
    if re.fullmatch(r"[0-9a-f]{12}", text):
        return Verdict(True, "the container has a hostname of its own, its short ID: "
                              "it lives in its own UTS namespace")
    if " " in text or "docker:" in text or "Error" in text:
        return Verdict(False, f"that is not a hostname: {text[:80]!r}",
                        "the command inside the container should be just `hostname`")
    return Verdict(True, f"the container has a hostname of its own, {text!r} (set with --hostname)")


# --- chapter 03 ---

def sdk_exit_code(answer, name: str = "course03-exit", expected: int = 3, creator: str = "03") -> Verdict:
    """Exercise 3.1 (chapter 03): the exit code of a labelled container run with the Docker SDK for Python."""
    if answer is None or answer == "" or answer == []:
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
    if answer is None or not str(answer).strip():
        return Verdict(False, "the answer is empty", "set answer to the 'ApiVersion' field of GET /version's JSON")
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
                       "ask the engine itself: GET /version over /var/run/docker.sock, field 'ApiVersion'")
    if text == server.get("MinAPIVersion"):
        return Verdict(False, f"{text} is the oldest API version the engine still accepts",
                       "take 'ApiVersion', not 'MinAPIVersion'")
    if text == server.get("Version"):
        return Verdict(False, f"{text} is the engine's release, not its API version",
                       "take the field 'ApiVersion', not 'Version'")
    return Verdict(False, f"{text!r} is not the engine's API version",
                   "send GET /version over /var/run/docker.sock and take the field 'ApiVersion'")


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


# --- chapter 04 ---

def _build_steps_04(log: str) -> dict[str, str]:
    """The steps of a `docker build --progress=plain` log, by instruction: "CACHED" or "ran"."""
    names, cached = {}, set()
    for line in log.splitlines():
        if step := re.match(r"#(\d+) \[(?:[\w.-]+ )?\d+/\d+\] (.+)", line):
            names[step.group(1)] = step.group(2).strip()
        elif step := re.match(r"#(\d+) CACHED\s*$", line):
            cached.add(step.group(1))
    return {name: "CACHED" if number in cached else "ran" for number, name in names.items()}


def _build_error_04(log: str) -> str:
    errors = [line.strip() for line in log.splitlines() if line.strip().startswith("ERROR")]
    return (errors[-1] if errors else log.strip().splitlines()[-1] if log.strip() else "no output")[:200]


def _missing_image_04(image: str):
    """The image's config, or a Verdict saying that it is not there."""
    found = inspect_image(image)
    if found is None:
        return Verdict(False, f"there is no image {image!r}",
                       f"build it first: run the `docker build … -t {image} …` cell above")
    return found["Config"]


def dependencies_cached_after_code_change(context: str, label: str = "04") -> Verdict:
    """Exercise 4.1 (chapter 04): after a one-line change to app.py, `RUN pip install` comes from the cache.

    Builds CONTEXT/Dockerfile twice in a copy of the context, with a unique comment appended to app.py
    in between (BuildKit's cache is content-addressed: a new comment is a change no earlier run made).
    """
    source = Path(context)
    if not (source / "Dockerfile").is_file():
        return Verdict(False, f"there is no Dockerfile in {source}", "run the %%writefile cell above first")
    tag = f"course04/exercise-4-1:{label}"
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / "context"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))

        def build() -> tuple[bool, str]:
            result = docker("build", "--progress=plain", "--label", f"dockercourse={label}", "-t", tag, str(copy),
                            check=False, timeout=600)
            return result.returncode == 0, result.stdout + result.stderr

        try:
            built, log = build()
            if not built:
                return Verdict(False, f"the Dockerfile does not build: {_build_error_04(log)}",
                               "build it yourself with `docker build --progress=plain …` and read the first ERROR")
            if not any("pip install" in step for step in _build_steps_04(log)):
                return Verdict(False, "there is no `RUN pip install …` step in the Dockerfile",
                               "install the dependencies: RUN pip install --no-cache-dir -r requirements.txt")
            marker = f"a one-line code change {uuid.uuid4().hex}"
            with (copy / "app.py").open("a") as app:
                app.write(f"# {marker}\n")
            built, log = build()
            if not built:
                return Verdict(False, f"the second build failed: {_build_error_04(log)}",
                               "build it yourself with `docker build --progress=plain …` and read the first ERROR")
            pip = [status for step, status in _build_steps_04(log).items() if "pip install" in step]
            if "ran" in pip:
                return Verdict(False, "after a one-line change to app.py, `RUN pip install …` ran again: "
                                      "a layer before it copied app.py, so the cache was invalidated",
                               "COPY requirements.txt . alone, then RUN pip install, and only then COPY . .")
            probe = docker("run", "--rm", "--label", f"dockercourse={label}", "--entrypoint", "python", tag, "-c",
                           f"import sys, flask, app; sys.exit(0 if {marker!r} in open(app.__file__).read() else 3)",
                           check=False)
            if probe.returncode == 3:
                return Verdict(False, "the image holds the old app.py, not the changed one",
                               "copy the code after the dependencies: COPY . . after RUN pip install")
            if probe.returncode != 0:
                last = (probe.stdout + probe.stderr).strip().splitlines()[-1:] or ["no output"]
                return Verdict(False, f"the image cannot import the app: {last[0][:160]}",
                               "the image needs the code too: COPY . . after RUN pip install, with WORKDIR /app")
        finally:
            docker("image", "rm", "--force", tag, check=False)
    return Verdict(True, "after a code change, `RUN pip install …` came from the cache (CACHED), "
                         "and the image holds the new code")


def _watch_health_04(container: str, timeout: float, failures: int = 5) -> tuple[dict, list[dict]]:
    """Wait until the container is healthy, unhealthy or stopped, its probe has failed `failures` times,
    or `timeout` seconds have passed; return its state and its last probes."""
    start = time.monotonic()
    while True:
        state = inspect_container(container)["State"]
        health = state.get("Health") or {}
        probes = health.get("Log") or []
        if (health.get("Status") in ("healthy", "unhealthy") or state["Status"] != "running"
                or sum(probe["ExitCode"] != 0 for probe in probes) >= failures
                or time.monotonic() - start > timeout):
            return state, probes
        time.sleep(0.25)


def image_becomes_healthy(image: str, label: str = "04", timeout: float = 30) -> Verdict:
    """Exercise 4.2 (chapter 04): the image's HEALTHCHECK reports healthy while the app serves, and only then.

    Runs the image twice: as it is (it must become healthy within `timeout` seconds), and with
    `sleep` instead of the app (its first probe must fail: the check has to test the app itself).
    """
    config = _missing_image_04(image)
    if isinstance(config, Verdict):
        return config
    test = (config.get("Healthcheck") or {}).get("Test") or []
    if not test:
        return Verdict(False, f"{image} has no HEALTHCHECK",
                       "add a HEALTHCHECK instruction to the Dockerfile: HEALTHCHECK [OPTIONS] CMD command")
    if test == ["NONE"]:
        return Verdict(False, "the HEALTHCHECK is switched off (HEALTHCHECK NONE)",
                       "write HEALTHCHECK [OPTIONS] CMD command, a command that probes the app")
    container = docker("run", "--detach", "--label", f"dockercourse={label}", image).stdout.strip()
    try:
        state, probes = _watch_health_04(container, timeout)
        status = (state.get("Health") or {}).get("Status")
        last = probes[-1]["Output"].strip().splitlines()[-1:] if probes else []
        if state["Status"] in ("exited", "dead"):
            return Verdict(False, f"the container exited (code {state['ExitCode']}) before it was healthy",
                           "read `docker logs` of a container of the image: the app itself must start")
        if status != "healthy" and last and "not found" in last[0]:
            return Verdict(False, f"the probe fails: {last[0][:160]}",
                           "the image has no curl or wget: probe with Python, e.g. python -c \"import "
                           "urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)\"")
        if status == "unhealthy" or (status == "starting" and probes):
            return Verdict(False, f"the probe fails: {last[0][:160] if last else 'no output'}",
                           "inside the container the app listens on http://127.0.0.1:8000/health; "
                           "try your command with `docker exec CONTAINER …`")
        if status != "healthy":
            return Verdict(False, f"no probe ran in {timeout:.0f} s: the status stayed {status!r}",
                           "the first probe runs one --interval after the start (30 s by default); "
                           "add --start-interval=1s (with a --start-period) or use a short --interval")
    finally:
        docker("rm", "--force", container, check=False)
    control = docker("run", "--detach", "--label", f"dockercourse={label}", "--entrypoint", "sleep", image,
                     "120").stdout.strip()
    try:
        state, _ = _watch_health_04(control, timeout, failures=1)
        if (state.get("Health") or {}).get("Status") == "healthy":
            return Verdict(False, "the HEALTHCHECK says healthy even when the app is not running",
                           "probe the app itself: an HTTP request to http://127.0.0.1:8000/health, "
                           "which fails when nothing listens there")
    finally:
        docker("rm", "--force", control, check=False)
    return Verdict(True, "the container became healthy, and the same probe fails when the app is not running")


def runs_as_non_root(image: str, label: str = "04", timeout: float = 20) -> Verdict:
    """Exercise 4.3 (chapter 04): the image runs as a non-root user, and the app still answers on /health."""
    config = _missing_image_04(image)
    if isinstance(config, Verdict):
        return config
    uid = docker("run", "--rm", "--label", f"dockercourse={label}", "--entrypoint", "id", image, "-u",
                 check=False).stdout.strip()
    if uid == "0":
        return Verdict(False, f"{image} still runs as root (id -u prints 0)",
                       "create a user (RUN useradd --system --uid 10001 app) and switch to it: USER 10001, "
                       "after the steps that need root")
    if not uid.isdigit():
        return Verdict(False, f"`id -u` did not run in the image: {uid[:120]!r}",
                       "USER must name a user that exists in the image, or a numeric UID")
    probe = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"
    container = docker("run", "--detach", "--label", f"dockercourse={label}", image).stdout.strip()
    try:
        start, answered = time.monotonic(), False
        while time.monotonic() - start < timeout and not answered:
            if inspect_container(container)["State"]["Status"] != "running":
                logs = docker("logs", "--tail", "3", container, check=False)
                last = (logs.stdout + logs.stderr).strip().splitlines()[-1:] or ["no output"]
                return Verdict(False, f"as uid {uid} the app stopped: {last[0][:160]}",
                               "read `docker logs`: does the app write where that user may not? "
                               "Give it a writable place (a volume, /tmp) instead of running as root")
            answered = docker("exec", container, "python", "-c", probe, check=False).returncode == 0
            time.sleep(0 if answered else 0.5)
    finally:
        docker("rm", "--force", container, check=False)
    if not answered:
        return Verdict(False, f"as uid {uid} the app does not answer on /health within {timeout:.0f} s",
                       "read `docker logs` of a container of your image")
    user = (config.get("User") or "").split(":")[0]
    tip = "" if user.isdigit() else (f" (tip: USER {uid}, numeric rather than {user!r}, lets Kubernetes' "
                                     "runAsNonRoot verify it without reading /etc/passwd)")
    return Verdict(True, f"the app runs as uid {uid}, not root, and answers on /health{tip}")


# --- chapter 02 ---

def changed_file(answer, container: str = "c02-mystery") -> Verdict:
    """Exercise 2.1 (chapter 02): the one file of the image that a container changed, found with `docker diff`."""
    if isinstance(answer, (list, tuple)):
        if len(answer) > 1:
            return Verdict(False, f"that is {len(answer)} paths, and the container changed one file of the image",
                           "answer with one path, a string such as '/etc/…'")
        answer = answer[0] if answer else ""
    text = str(answer or "").strip()
    if not text:
        return Verdict(False, "the answer is empty", "set answer to a path, e.g. answer = '/etc/…'")
    diff = docker("diff", container, check=False)
    if diff.returncode != 0:
        return Verdict(False, f"the engine has no container named {container}",
                       "run the exercise's first cell: it starts the container and its script")
    changes = {line[2:]: line[0] for line in diff.stdout.splitlines() if line[1:2] == " "}
    if re.match(r"[ACD] /", text):
        return Verdict(False, f"{text!r} keeps docker diff's letter in front of the path",
                       f"answer with the path only: {text[2:]!r}")
    if not text.startswith("/"):
        return Verdict(False, f"{text!r} is not an absolute path", "write the path as docker diff prints it, from /")
    kind = changes.get(text.rstrip("/") or "/")
    if kind is None:
        return Verdict(False, f"docker diff does not list {text}: the container did not touch it",
                       f"run `docker diff {container}` and look at the lines that start with C")
    if kind == "A":
        return Verdict(False, f"{text} was added by the container (A): the image has no such file",
                       "the question asks for a file of the image that the container changed: a C line")
    if kind == "D":
        return Verdict(False, f"{text} was deleted by the container (D), not changed",
                       "the question asks for a file the container changed: a C line")
    inside = [path for path in changes if path.startswith(text.rstrip("/") + "/")]
    if inside:
        return Verdict(False, f"{text} is a directory: C on a directory only says that something inside it "
                              f"was added, changed or deleted ({len(inside)} entries below it)",
                       "look for the deepest C path, one with nothing listed below it")
    return Verdict(True, "that file comes from the image, and the container changed it (C in docker diff): "
                         "copied up into its writable layer, while the image stays as it was")


def restarted_exactly(container: str = "c02-retry", times: int = 3, exit_code: int = 3, creator: str = "02",
                      timeout: float = 30) -> Verdict:
    """Exercise 2.2 (chapter 02): a container that exits with `exit_code` and that Docker restarts `times` times."""
    def inspect() -> dict | None:
        result = docker("container", "inspect", container, check=False)
        return json.loads(result.stdout)[0] if result.returncode == 0 else None

    info = inspect()
    if info is None:
        return Verdict(False, f"the engine has no container named {container}",
                       f"give it that name: docker run -d --name {container} …")
    if (info["Config"].get("Labels") or {}).get(LABEL) != creator:
        return Verdict(False, f"{container} does not carry the label {LABEL}={creator}",
                       f"remove it (docker rm -f {container}) and run it again with --label {LABEL}={creator}")
    policy = info["HostConfig"]["RestartPolicy"]
    name, maximum = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
    if name in ("always", "unless-stopped"):
        return Verdict(False, f"--restart {name} restarts the container after every exit, without end",
                       f"use --restart on-failure:{times}: it gives up after {times} restarts "
                       f"(docker rm -f {container} first)")
    if name != "on-failure":
        return Verdict(False, "the container has no restart policy (--restart no, the default): "
                              "Docker never starts it again",
                       f"add --restart on-failure:{times} (docker rm -f {container} first)")
    if maximum != times:
        allowed = f"at most {maximum}" if maximum else "unlimited"
        return Verdict(False, f"--restart on-failure{':' + str(maximum) if maximum else ''} allows {allowed} "
                              f"restarts, not {times}",
                       f"use --restart on-failure:{times} (docker rm -f {container} first)")
    if info["State"]["Status"] == "created":
        return Verdict(False, f"{container} was created but never started",
                       "start it: docker start, or create and start at once with docker run -d")
    deadline = time.monotonic() + timeout
    while info["State"]["Status"] in ("running", "restarting") and time.monotonic() < deadline:
        time.sleep(0.2)
        info = inspect() or info
    state, count = info["State"], info["RestartCount"]
    if state["Status"] in ("running", "restarting"):
        return Verdict(False, f"{container} is still {state['Status']} after {timeout:.0f} s: its command does not end",
                       f"make the command fail at once: python -c 'raise SystemExit({exit_code})'")
    if state["ExitCode"] == 0:
        return Verdict(False, "the container exited with 0, and on-failure restarts only after a non-zero exit code",
                       f"make it fail: python -c 'raise SystemExit({exit_code})' (docker rm -f {container} first)")
    if state["ExitCode"] != exit_code:
        return Verdict(False, f"the container exited with {state['ExitCode']}, not {exit_code}",
                       f"end the command with python -c 'raise SystemExit({exit_code})' "
                       f"(docker rm -f {container} first)")
    if count != times:
        return Verdict(False, f"RestartCount is {count}, not {times}",
                       f"remove it and run it once more: docker rm -f {container}, then docker run …")
    return Verdict(True, f"{container} exited with {exit_code}, Docker restarted it {count} times "
                         f"(RestartCount {count}), then left it exited: on-failure:{times} at work")


# --- chapter 01 ---

def _ch01_not_labelled(container: dict, name: str, creator: str) -> Verdict | None:
    """A failed verdict when the container lacks the chapter's label (the chapter's cleanup could not see it)."""
    if (container["Config"].get("Labels") or {}).get(LABEL) != creator:
        return Verdict(False, f"container {name} does not carry the label {LABEL}={creator}",
                       f"remove it (docker rm -f {name}) and run it again with --label {LABEL}={creator}, "
                       "so that the chapter's cleanup finds it")
    return None


def oom_killed(exit_code, oom_killed, name: str = "ch01-hog", creator: str = "01") -> Verdict:
    """Exercise 1.1 (chapter 01): a container killed by the kernel's OOM killer, and its exit state read back."""
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"the engine has no container named {name!r}",
                       f"run it detached with --name {name} and without --rm: --rm deletes the container, "
                       "and its exit code and OOMKilled flag with it")
    if (problem := _ch01_not_labelled(container, name, creator)) is not None:
        return problem
    state, limit = container["State"], container["HostConfig"].get("Memory") or 0
    if limit == 0:
        return Verdict(False, f"container {name} has no memory limit, so there is nothing to exceed",
                       f"docker rm -f {name}, then run it again with --memory 64m")
    if state["Running"]:
        return Verdict(False, f"container {name} is still running",
                       f"wait for it to end (docker wait {name}); if it never ends, its program does not "
                       "allocate: use python -c \"data = bytearray(256 * 1024 * 1024)\"")
    if state["ExitCode"] == 0:
        return Verdict(False, f"{name} exited with 0: its program stayed within the {limit // 2**20} MiB limit",
                       f"allocate more than the limit, e.g. bytearray(256 * 1024 * 1024) under --memory 64m "
                       f"(docker rm -f {name} first)")
    if state["ExitCode"] == 137 and not state["OOMKilled"]:
        return Verdict(False, f"{name} got SIGKILL (exit code 137), but not from the OOM killer: OOMKilled is false",
                       "someone else killed it (docker kill, or docker stop after its timeout): "
                       "let the program itself allocate past the limit")
    if not state["OOMKilled"]:
        return Verdict(False, f"{name} exited with {state['ExitCode']}, and OOMKilled is false",
                       f"read docker logs {name}: the program failed before it reached the limit")
    if isinstance(exit_code, list | tuple):
        return Verdict(False, f"exit_code is a list of output lines, {exit_code!r}, not a number",
                       "take the number out: exit_code = int(lines[0])")
    if isinstance(exit_code, str) and exit_code.strip().isdigit():
        return Verdict(False, f"exit_code is the text {exit_code!r}, not a number", "convert it: int(…)")
    if exit_code == 9:
        return Verdict(False, "9 is the signal's number (SIGKILL), not the exit code the engine reports",
                       "a process killed by signal N exits with 128 + N: read State.ExitCode")
    if exit_code != state["ExitCode"]:
        return Verdict(False, f"you answered exit_code={exit_code!r}, but the engine says {state['ExitCode']}",
                       f"read it from the engine: State.ExitCode in docker inspect {name} (or docker wait {name})")
    if isinstance(oom_killed, str):
        oom_killed = {"true": True, "false": False}.get(oom_killed.strip().lower(), oom_killed)
    if oom_killed is not True:
        return Verdict(False, f"you answered oom_killed={oom_killed!r}, but the engine says True",
                       f"read State.OOMKilled in docker inspect {name}")
    return Verdict(True, f"{name} exited with 137 = 128 + 9 (SIGKILL) and OOMKilled is true: the kernel killed it "
                         f"for exceeding its {limit // 2**20} MiB limit")


def host_pid(answer, name: str = "ch01-web") -> Verdict:
    """Exercise 1.2 (chapter 01): the host's PID for a container's PID 1."""
    container = inspect_container(name)
    if container is None or not container["State"]["Running"]:
        return Verdict(False, f"container {name} is not running, so its PID 1 has no host PID",
                       "run the cell of section 3 that starts it, then ask again")
    engine_pid = container["State"]["Pid"]
    if isinstance(answer, list | tuple):
        return Verdict(False, f"that is a list of output lines, {answer!r}, not a PID",
                       "take the number out: answer = int(lines[0]), or parse the JSON of docker inspect")
    if isinstance(answer, str) and answer.strip().isdigit():
        return Verdict(False, f"{answer!r} is text, not a number", "convert it: int(…)")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return Verdict(False, f"{answer!r} is not a PID", "a PID is an int: State.Pid in docker inspect's JSON")
    if answer == 1:
        return Verdict(False, "1 is the process's PID inside the container's own PID namespace",
                       f"the host numbers it differently: ask the engine, State.Pid in docker inspect {name}")
    if answer == os.getpid():
        return Verdict(False, f"{answer} is this notebook's own process", f"ask the engine about {name}: State.Pid")
    try:
        with open(f"/proc/{engine_pid}/stat") as stat:
            parent = int(stat.read().rsplit(")", 1)[1].split()[1])
    except OSError:  # no /proc of the engine's machine here (Docker Desktop): compare with the engine only
        parent = None
    if answer == parent:
        return Verdict(False, f"{answer} is the parent of the container's PID 1 (containerd-shim-runc-v2)",
                       "take the process itself: State.Pid")
    if answer != engine_pid:
        return Verdict(False, f"the engine says {name}'s PID 1 is PID {engine_pid} on the host, not {answer}",
                       f"read State.Pid from docker inspect {name}; it changes each time the container starts")
    return Verdict(True, f"that host PID is PID 1 in {name}: one process, numbered in two PID namespaces")


def resource_limits(limits, name: str = "ch01-limited", cpus: float = 0.5, memory: str = "128m",
                    creator: str = "01") -> Verdict:
    """Exercise 1.3 (chapter 01): a container run with --cpus and --memory, its limits read back from the engine."""
    mebibytes = int(memory.rstrip("m"))
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"the engine has no container named {name!r}",
                       f"docker run -d --name {name} --cpus {cpus} --memory {memory} … sleep 600")
    if (problem := _ch01_not_labelled(container, name, creator)) is not None:
        return problem
    host = container["HostConfig"]
    nano_cpus, shares, engine_memory = host.get("NanoCpus") or 0, host.get("CpuShares") or 0, host.get("Memory") or 0
    if nano_cpus == 0 and shares:
        return Verdict(False, f"{name} has --cpu-shares {shares}, a relative weight under contention, not a cap",
                       f"docker rm -f {name}, then run it with --cpus {cpus}")
    if nano_cpus != round(cpus * 1e9):
        return Verdict(False, f"{name}'s CPU limit is {nano_cpus / 1e9:g} CPUs, not {cpus}",
                       f"docker rm -f {name}, then run it with --cpus {cpus}")
    if engine_memory == mebibytes * 10**6:
        return Verdict(False, f"{name}'s memory limit is {engine_memory} bytes: {mebibytes} million, "
                              f"not {mebibytes} MiB", f"write --memory {memory}: m means MiB, 1024 × 1024 bytes")
    if engine_memory != mebibytes * 2**20:
        return Verdict(False, f"{name}'s memory limit is {engine_memory} bytes, not {mebibytes} MiB",
                       f"docker rm -f {name}, then run it with --memory {memory}")
    if not isinstance(limits, dict) or set(limits) != {"cpus", "memory_bytes"}:
        return Verdict(False, f"limits should be a dict with the keys 'cpus' and 'memory_bytes', not {limits!r}",
                       "limits = {'cpus': …, 'memory_bytes': …}, both read from HostConfig in docker inspect")
    if limits["cpus"] == nano_cpus:
        return Verdict(False, f"{limits['cpus']} is NanoCpus, in billionths of a CPU",
                       "divide by 1e9: HostConfig.NanoCpus / 1e9")
    if limits["cpus"] != nano_cpus / 1e9:
        return Verdict(False, f"cpus={limits['cpus']!r}, but the engine says {nano_cpus / 1e9:g}",
                       "read HostConfig.NanoCpus and divide by 1e9")
    if limits["memory_bytes"] == mebibytes:
        return Verdict(False, f"memory_bytes={mebibytes} is the limit in MiB",
                       "the engine stores bytes: HostConfig.Memory")
    if limits["memory_bytes"] != engine_memory:
        return Verdict(False, f"memory_bytes={limits['memory_bytes']!r}, but the engine says {engine_memory}",
                       "read HostConfig.Memory")
    return Verdict(True, f"{name} may use {nano_cpus / 1e9:g} CPUs and {engine_memory} bytes ({mebibytes} MiB): "
                         "the cgroup limits, read back from the engine")


# --- chapter 05 ---

def _log_lines_05(name: str) -> list[str]:
    """The container's log lines (stdout and stderr together, as a terminal shows them), stripped, non-empty."""
    result = subprocess.run(["docker", "logs", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _run_error_05(text: str, port: int, image: str | None) -> Verdict | None:
    """A `docker run` that failed: which mistake its error message points to."""
    if "port is already allocated" in text or "address already in use" in text:
        return Verdict(False, f"host port {port} is already taken, so the container could not start",
                       "`docker ps` shows which container publishes it: remove that one (`docker rm -f NAME`); "
                       "if no container holds it, a program on your machine does — stop it")
    if "executable file not found" in text:
        return Verdict(False, "the container tried to run an option as its command",
                       "options such as -d, -p and -e go before the image name; "
                       "whatever follows the image is the command run inside the container")
    if "is already in use by container" in text:
        return Verdict(False, "a container with that name already exists (from an earlier try?)",
                       "remove it first with `docker rm -f NAME`, then run your command again")
    if re.search(r"Unable to find image|No such image|pull access denied|invalid reference format", text):
        return Verdict(False, "Docker cannot find that image",
                       f"use the tag built in this chapter, {image or 'course05/sample-app:1.0'}; "
                       "`docker image ls course05/sample-app` lists the tags")
    return None


def app_answers_on_port(answer: list[str], port: int = 8058, version: str = "1.0.0",
                        image: str | None = "course05/sample-app:1.0.0", chapter: str = "05",
                        timeout: float = 15) -> Verdict:
    """Exercise 5.1 (chapter 05): a detached sample-app container, labelled, publishing its port 8000 on
    host port `port`, whose home page shows `version` (APP_VERSION), run from `image`.

    `answer` is the output of `answer = !docker run -d …`: the new container's ID, or docker's error.
    """
    lines = [line.strip() for line in answer or [] if line.strip()]
    text = "\n".join(lines)
    if not text:
        return Verdict(False, "the answer is empty", "capture docker's output: answer = !docker run -d …")
    failed = _run_error_05(text, port, image)
    if failed is not None:
        return failed
    ids = [line for line in lines if re.fullmatch(r"[0-9a-f]{64}", line)]
    if not ids:
        return Verdict(False, f"no container ID in the output: {lines[0][:80]!r}",
                       "run the container detached (-d): `docker run -d …` prints the new container's ID")
    container = inspect_container(ids[-1])
    if container is None:
        return Verdict(False, f"container {ids[-1][:12]} does not exist any more",
                       "do not use --rm here, and do not remove it: run it again")
    name = container["Name"].lstrip("/")
    if (container["Config"].get("Labels") or {}).get(LABEL) != chapter:
        return Verdict(False, f"container {name} does not carry the label {LABEL}={chapter}",
                       f"add --label {LABEL}={chapter} (the chapter's cleanup removes what carries it)")
    if image is not None:
        wanted = docker("image", "inspect", "--format", "{{.Id}}", image, check=False).stdout.strip()
        if container["Image"] != wanted:
            return Verdict(False, f"container {name} runs {container['Config']['Image']}, not {image}",
                           f"put the image name, {image}, after the options")
    ports = container["NetworkSettings"]["Ports"] or {}
    host_ports = sorted({binding["HostPort"] for binding in ports.get("8000/tcp") or []})
    if str(port) not in host_ports:
        if ports.get(f"{port}/tcp"):
            return Verdict(False, f"{port} is published as the container's port, and nothing listens there",
                           f"-p takes HOST:CONTAINER, the host's port first: -p {port}:8000")
        if host_ports:
            return Verdict(False, f"the app's port 8000 is published on host port {', '.join(host_ports)}, "
                                  f"not {port}", f"publish it on the host's port {port}: -p {port}:8000")
        others = [key for key, bindings in ports.items() if bindings]
        if others:
            return Verdict(False, f"published {', '.join(others)} inside the container, but the app listens on 8000",
                           f"the container's port is the app's own, 8000: -p {port}:8000")
        return Verdict(False, f"container {name} publishes no port, so nothing outside it can reach the app",
                       f"add -p {port}:8000 (EXPOSE in the Dockerfile only documents the port; -p publishes it)")
    try:
        _, page = wait_http(f"http://127.0.0.1:{port}/", timeout=timeout)
    except CourseError:
        container = inspect_container(ids[-1]) or container
        state = container["State"]
        if not state["Running"]:
            logs = _log_lines_05(ids[-1])
            return Verdict(False, f"container {name} stopped with exit code {state['ExitCode']}: "
                                  f"{logs[-1] if logs else '(no logs)'}", f"read `docker logs {name}`, fix, run again")
        command = " ".join(container["Config"].get("Cmd") or [])
        if "127.0.0.1" in command or "localhost" in command:
            return Verdict(False, f"nothing answers on http://127.0.0.1:{port}/: the app listens on the "
                                  "container's own loopback", "do not override the command: the image binds 0.0.0.0")
        return Verdict(False, f"nothing answers on http://127.0.0.1:{port}/ within {timeout:.0f} s",
                       f"`docker logs {name}` says whether the app started")
    shown = re.search(r"Version <strong>(.*?)</strong>", page)
    if shown is None:
        return Verdict(False, f"port {port} answers, but not with the sample app's home page",
                       f"run the image {image} there")
    if shown.group(1) != version:
        configured = "APP_VERSION is not set, so the app shows its default" if shown.group(1) == "dev" \
            else f"APP_VERSION is {shown.group(1)!r}"
        return Verdict(False, f"the page shows version {shown.group(1)!r}: {configured}",
                       f"set it with -e APP_VERSION={version}, before the image name")
    return Verdict(True, f"{name} answers on http://127.0.0.1:{port}/ (host port {port} → container port 8000) "
                         f"with version {version}")


def diagnosed_exit(container: str = "ch05-mystery", exit_code=None, log_line=None) -> Verdict:
    """Exercise 5.2 (chapter 05): the exit code of a container that stopped at once, and the log line
    that says why (the last one: Python prints the exception last)."""
    found = inspect_container(container)
    if found is None:
        return Verdict(False, f"the engine has no container named {container}",
                       "run the exercise's first cell: it starts the container")
    state = found["State"]
    if state["Status"] in ("running", "restarting", "created"):
        return Verdict(False, f"{container} is {state['Status']}, so it has no exit code yet",
                       f"`docker wait {container}` blocks until it stops, then prints its exit code")
    actual = state["ExitCode"]
    try:
        given = int(str(exit_code).strip())
    except ValueError:
        return Verdict(False, f"{exit_code!r} is not an exit code", "an exit code is a number, such as 0 or 137")
    if given != actual:
        why = "0 would mean it ended successfully" if given == 0 else f"{given} is not the code it exited with"
        return Verdict(False, why, f"`docker ps -a` shows 'Exited (N)'; `docker inspect` has it as .State.ExitCode; "
                                   f"`docker wait {container}` prints it")
    if isinstance(log_line, (list, tuple)):
        return Verdict(False, "that is all of the logs, not one line",
                       "pick the line that says why: Python prints the exception last, so log_line = logs[-1]")
    line = str(log_line or "").strip()
    logs = _log_lines_05(container)
    if not line:
        return Verdict(False, "the log line is empty", f"copy the line from `docker logs {container}`")
    if not any(line in entry for entry in logs):
        return Verdict(False, f"{line[:60]!r} is not in the container's logs",
                       f"copy it from `docker logs {container}` (or take it from `logs = !docker logs …`)")
    if line not in logs[-1] or len(line) < 10:
        hint = ("that line only announces a traceback; the exception, and so the reason, comes last"
                if line.startswith("Traceback") else "read to the end: the last line says why the process stopped")
        return Verdict(False, "that line is in the logs, but it is not the one that says why it stopped", hint)
    return Verdict(True, f"{container} exited with {actual} because: {logs[-1]}")


# --- chapter 06 ---

COMPOSE_UP_06 = "docker compose -p {project} -f ../sample_app/compose.yaml"


def _compose_containers_06(project: str, service: str) -> list[dict]:
    """Every container (running or not) of one service of a Compose project, inspected; one-off runs left out."""
    ids = docker("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}",
                 "--filter", f"label=com.docker.compose.service={service}",
                 "--filter", "label=com.docker.compose.oneoff=False").stdout.split()
    if not ids:
        return []
    containers = json.loads(docker("container", "inspect", *ids).stdout)
    return sorted(containers, key=lambda c: int(c["Config"]["Labels"].get("com.docker.compose.container-number", 0)))


def _home_page_06(container_id: str) -> str | None:
    """The app's home page as the container itself serves it (from inside, so no host port is needed)."""
    fetch = ("import urllib.request; "
             "print(urllib.request.urlopen('http://127.0.0.1:8000/', timeout=3).read().decode())")
    result = docker("exec", container_id, "python", "-c", fetch, check=False)
    return result.stdout if result.returncode == 0 else None


def _env_06(container: dict) -> dict[str, str]:
    return dict(item.split("=", 1) for item in container["Config"].get("Env") or [] if "=" in item)


def _not_up_06(project: str, service: str, containers: list[dict], how: str) -> Verdict:
    """The verdict when a service has no running container: never started, or stuck."""
    if not containers:
        return Verdict(False, f"Compose project {project} has no {service} container",
                       f"bring the stack up with that project name: {COMPOSE_UP_06.format(project=project)} {how}")
    states = ", ".join(sorted({c["State"]["Status"] for c in containers}))
    return Verdict(False, f"{service} is not running in project {project} (state: {states})",
                   f"read why: {COMPOSE_UP_06.format(project=project)} logs {service}; then `up -d --wait` again")


def compose_app_version(expected: str = "3.0", project: str = "course06") -> Verdict:
    """Exercise 6.1 (chapter 06): the web service runs APP_VERSION `expected`, set through an --env-file."""
    containers = _compose_containers_06(project, "web")
    running = [c for c in containers if c["State"]["Running"]]
    if not running:
        return _not_up_06(project, "web", containers, "--env-file FILE up -d --wait")
    versions = sorted({_env_06(c).get("APP_VERSION", "") for c in running})
    if versions != [expected]:
        found = ", ".join(versions)
        if found == "1.0":
            hint = ("1.0 is compose.yaml's default (${APP_VERSION:-1.0}), so Compose did not read your value: "
                    f"pass the file with --env-file before `up`, and write the line APP_VERSION={expected} "
                    "(no spaces around =)")
        else:
            hint = f"the env file should hold the line APP_VERSION={expected}; then run `up -d --wait` again"
        return Verdict(False, f"web runs with APP_VERSION={found}, not {expected}", hint)
    env_file = running[0]["Config"]["Labels"].get("com.docker.compose.project.environment_file", "")
    if not env_file:
        return Verdict(False, f"web runs version {expected}, but Compose was given no --env-file "
                              "(the value came from the shell's environment?)",
                       f"write APP_VERSION={expected} into a file such as /tmp/dockercourse-06/release.env "
                       "and pass it with --env-file")
    page = _home_page_06(running[0]["Id"])
    if page is None or f"Version <strong>{expected}</strong>" not in page:
        return Verdict(False, f"the container has APP_VERSION={expected}, but its home page does not show it yet",
                       "wait until web is healthy: add --wait to `up -d`")
    return Verdict(True, f"web runs version {expected}, read from the env file {env_file.rsplit('/', 1)[-1]}, "
                         "and its home page shows it")


def compose_replicas(replicas: int = 4, project: str = "course06", service: str = "web") -> Verdict:
    """Exercise 6.2 (chapter 06): `replicas` healthy containers of the service, distinct hosts, one shared count."""
    containers = _compose_containers_06(project, service)
    if not containers:
        return _not_up_06(project, service, containers, f"up -d --wait --scale {service}={replicas}")
    stuck = [c for c in containers if not c["State"]["Running"]]
    if stuck:
        errors = " ".join(c["State"].get("Error") or "" for c in stuck)
        if "port is already allocated" in errors or "address already in use" in errors:
            return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers could not start: "
                                  "their host port is already allocated",
                           "one host port can be published by one container only: give each replica its own, "
                           f"e.g. WEB_PORT=8065-8068 {COMPOSE_UP_06.format(project=project)} "
                           f"up -d --wait --scale {service}={replicas}")
        states = ", ".join(sorted({c["State"]["Status"] for c in stuck}))
        return Verdict(False, f"{len(stuck)} of {len(containers)} {service} containers are not running ({states})",
                       f"read why: {COMPOSE_UP_06.format(project=project)} logs {service}")
    if len(containers) != replicas:
        return Verdict(False, f"{len(containers)} {service} replica(s) running, not {replicas}",
                       f"`up -d --wait --scale {service}={replicas}` sets the number; "
                       "a plain `up` goes back to the file's one")
    unhealthy = sorted({(c["State"].get("Health") or {}).get("Status", "none") for c in containers} - {"healthy"})
    if unhealthy:
        return Verdict(False, f"not every replica is healthy yet (also: {', '.join(unhealthy)})",
                       "add --wait to `up -d`: it returns only when every replica is healthy")
    pages = [_home_page_06(c["Id"]) for c in containers]
    if None in pages:
        return Verdict(False, "a replica did not answer on its port 8000 from inside",
                       f"read its logs: {COMPOSE_UP_06.format(project=project)} logs {service}")
    hostnames = {match.group(1) for page in pages if (match := re.search(r"container (\S+)</h1>", page))}
    if len(hostnames) != replicas:
        return Verdict(False, f"the {replicas} replicas answered with {len(hostnames)} hostname(s)",
                       "each replica is its own container with its own hostname: do not set `hostname:`")
    if not all("counted in redis" in page for page in pages):
        return Verdict(False, "the replicas count in memory, each on its own",
                       "keep compose.yaml's REDIS_URL, so that every replica counts in the same Redis")
    return Verdict(True, f"{replicas} replicas of {service} are running and healthy, each answers with its own "
                         "hostname, and they share one count in Redis")


def redis_address(answer: list[str], project: str = "course06") -> Verdict:
    """Exercise 6.3 (chapter 06): the redis service's IP address on the project network."""
    text = " ".join(answer).strip()
    command = f"answer3 = !{COMPOSE_UP_06.format(project=project)} exec redis hostname -i"
    if not text:
        return Verdict(False, "the answer is empty", f"capture the command's output: {command}")
    if re.search(r"gaierror|Name or service not known|Temporary failure in name resolution", text):
        return Verdict(False, "the name `redis` did not resolve where you asked",
                       "it exists only on the project's network, for its containers — not on the host: "
                       f"ask inside the stack, {command}")
    if re.search(r"no such service|is not running|No such container|no container found|Error", text):
        return Verdict(False, f"the command failed: {text[:100]!r}",
                       f"the stack must be up (`up -d --wait`), and the service is called redis: {command}")
    addresses = re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", text)
    if not addresses:
        return Verdict(False, f"no IPv4 address in the answer: {text[:80]!r}", f"`hostname -i` prints it: {command}")
    every_redis = _compose_containers_06(project, "redis")
    redis = [c for c in every_redis if c["State"]["Running"]]
    if not redis:
        return _not_up_06(project, "redis", every_redis, "up -d --wait")
    networks = redis[0]["NetworkSettings"]["Networks"]
    expected = {name: net["IPAddress"] for name, net in networks.items() if net.get("IPAddress")}
    found = [name for name, address in expected.items() if address in addresses]
    if found:
        return Verdict(True, f"that is the redis service's address on {found[0]}: correct")
    if any(address.startswith("127.") for address in addresses):
        return Verdict(False, "127.0.0.1 is every container's own loopback, not an address others can reach",
                       f"ask for the address on the network: {command}")
    web = {net["IPAddress"] for c in _compose_containers_06(project, "web")
           for net in c["NetworkSettings"]["Networks"].values()}
    if web & set(addresses):
        return Verdict(False, "that is the address of a web container, not of redis",
                       f"ask the redis container itself: {command}")
    gateways = {net.get("Gateway") for net in networks.values()}
    if gateways & set(addresses):
        return Verdict(False, "that is the network's gateway, the host's side of the bridge",
                       f"ask the redis container itself: {command}")
    return Verdict(False, f"{', '.join(addresses)} is not the redis container's address on "
                          f"{', '.join(expected)}", f"ask the redis container itself: {command}")
