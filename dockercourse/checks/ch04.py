"""Chapter 04's exercise checkers (The Dockerfile), and what its collapsed check cells measure.

Each checker returns a Verdict, with a hint when the answer is not there yet.
"""

import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from ..buildkit_log import build_error, steps
from ..engine import docker
from ..manifest import inspect_image
from .common import Verdict, inspect_container


def image_sizes(image: str) -> tuple[int, int]:
    """Chapter 04 (sections 5 and 10): an image's size in bytes, two ways: unpacked (the sum of the layer
    sizes `docker history` lists) and the `Size` that `docker image inspect` reports (on the containerd
    image store, the compressed content)."""
    history = docker("history", "--human=false", "--format", "{{.Size}}", image).stdout.split()
    return sum(int(size) for size in history), json.loads(docker("image", "inspect", image).stdout)[0]["Size"]


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
                return Verdict(False, f"the Dockerfile does not build: {build_error(log)}",
                               "build it yourself with `docker build --progress=plain …` and read the first ERROR")
            if steps(log).status("pip install") == "absent":
                return Verdict(False, "there is no `RUN pip install …` step in the Dockerfile",
                               "install the dependencies: RUN pip install --no-cache-dir -r requirements.txt")
            marker = f"a one-line code change {uuid.uuid4().hex}"
            with (copy / "app.py").open("a") as app:
                app.write(f"# {marker}\n")
            built, log = build()
            if not built:
                return Verdict(False, f"the second build failed: {build_error(log)}",
                               "build it yourself with `docker build --progress=plain …` and read the first ERROR")
            if steps(log).status("pip install") == "ran":
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
                       "add a HEALTHCHECK instruction to the Dockerfile: HEALTHCHECK [OPTIONS] CMD a command "
                       "that requests http://127.0.0.1:8000/health inside the container")
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
                       "create the user (RUN useradd --no-log-init --uid 10001 app) and switch to it with USER 10001, "
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
