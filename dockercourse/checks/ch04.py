"""Chapter 04's exercise checkers (The Dockerfile), and what its collapsed check cells measure.

Each checker observes, then judges (checks/common.py): ``observe_…`` builds and runs what the learner wrote and
returns a plain record; ``judge_…`` words the verdict from that record alone; the checker the notebook calls
is the two together.

- Exercise 4.1 (break-fix): a Dockerfile that reinstalls every dependency after any code change, reordered so
  that a change to app.py leaves `RUN pip install` CACHED.
- Exercise 4.2 (break-fix): a Dockerfile whose build fails because its `USER` comes too early, repaired so
  that it builds, runs as a non-root user and serves.
- Exercise 4.3 (open): a HEALTHCHECK that tests the app itself.
"""

import json
import shutil
import tempfile
import uuid
from pathlib import Path

from ..buildkit_log import build_error, failed_step, steps
from ..engine import docker
from ..manifest import inspect_image
from ..progress import exercise
from ..wait import TimedOut, until
from .common import Verdict, inspect_container

#: What Exercise 4.3's probe must reach inside the container.
HEALTH_URL = "http://127.0.0.1:8000/health"


def image_sizes(image: str) -> tuple[int, int]:
    """Chapter 04 (sections 5 and 10): an image's size in bytes, two ways: unpacked (the sum of the layer
    sizes `docker history` lists) and the `Size` that `docker image inspect` reports (on the containerd
    image store, the compressed content)."""
    history = docker("history", "--human=false", "--format", "{{.Size}}", image).stdout.split()
    return sum(int(size) for size in history), json.loads(docker("image", "inspect", image).stdout)[0]["Size"]


#: The engine's own failures, not the learner's (containerd's snapshotter racing a concurrent image removal on a
#: busy engine): the build is tried once more.
TRANSIENT = ("failed to prepare extraction snapshot", "parent snapshot")


def _build(context: Path, tag: str, label: str, attempts: int = 2) -> dict:
    """Build CONTEXT/Dockerfile as TAG: whether it built, its plain log, and where it stopped if not."""
    for _ in range(attempts):
        result = docker("build", "--progress=plain", "--label", f"dockercourse={label}", "-t", tag, str(context),
                        check=False, timeout=600)
        log = result.stdout + result.stderr
        built = result.returncode == 0
        if built or not any(sign in log for sign in TRANSIENT):
            break
    return {"built": built, "log": log, "error": "" if built else build_error(log),
            "failed_step": None if built else failed_step(log),
            "permission_denied": not built and "Permission denied" in log}


# --- Exercise 4.1 · the order of the steps and the build cache ---------------------------------------------

def observe_cache_after_code_change(context: str, label: str = "04") -> dict:
    """Build CONTEXT/Dockerfile twice in a copy of the context, with a unique comment appended to app.py in
    between (a change no earlier build made), and ask the second image whether it holds that change."""
    source = Path(context)
    if not (source / "Dockerfile").is_file():
        return {"dockerfile": False}
    tag = f"course04/exercise-4-1:{label}"
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / "context"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        try:
            return _observe_two_builds(copy, tag, label)
        finally:
            docker("image", "rm", "--force", tag, check=False)


def _observe_two_builds(copy: Path, tag: str, label: str) -> dict:
    first = _build(copy, tag, label)
    seen = {"dockerfile": True, "first_built": first["built"], "first_error": first["error"],
            "install_first": steps(first["log"]).status("pip install")}
    if not first["built"] or seen["install_first"] == "absent":
        return seen
    marker = f"a one-line code change {uuid.uuid4().hex}"
    with (copy / "app.py").open("a") as app:
        app.write(f"# {marker}\n")
    second = _build(copy, tag, label)
    seen.update(second_built=second["built"], second_error=second["error"],
                install_second=steps(second["log"]).status("pip install"))
    if second["built"]:
        probe = docker("run", "--rm", "--label", f"dockercourse={label}", "--entrypoint", "python", tag, "-c",
                       f"import sys, flask, app; sys.exit(0 if {marker!r} in open(app.__file__).read() else 3)",
                       check=False)
        lines = (probe.stdout + probe.stderr).strip().splitlines()
        seen.update(probe_exit=probe.returncode, probe_said=lines[-1][:160] if lines else "")
    return seen


def judge_cache_after_code_change(seen: dict) -> Verdict:
    """Exercise 4.1: `pip install` CACHED after a code-only change, and the image holds the new code."""
    if not seen["dockerfile"]:
        return Verdict(False, "there is no Dockerfile in the exercise's directory yet",
                       "write it with a %%writefile cell (its first line names the file), then run this check",
                       code="no-dockerfile")
    if not seen["first_built"]:
        return Verdict(False, f"the Dockerfile does not build: {seen['first_error']}",
                       "build it yourself with `docker build --progress=plain …` and read the first ERROR",
                       code="build-fails")
    if seen["install_first"] == "absent":
        return Verdict(False, "the Dockerfile installs no dependencies any more (no `RUN pip install …` step)",
                       "the app needs its packages: keep the install step, and move what comes before it",
                       code="no-install-step")
    if not seen["second_built"]:
        return Verdict(False, f"the build after a change to app.py failed: {seen['second_error']}",
                       "build it yourself with `docker build --progress=plain …` and read the first ERROR",
                       code="rebuild-fails")
    if seen["install_second"] == "ran":
        return Verdict(False, "after a one-line change to app.py, `RUN pip install …` ran again",
                       "a step reruns when a step above it missed the cache: find the first step whose files "
                       "include app.py, and ask which file the install step really needs (section 4)",
                       code="install-reruns-after-code-change")
    return _judge_new_code(seen)


def _judge_new_code(seen: dict) -> Verdict:
    if seen["probe_exit"] == 3:
        return Verdict(False, "`pip install` came from the cache, but the image holds the old app.py",
                       "the code must still reach the image, after the install step", code="old-code-in-image")
    if seen["probe_exit"] != 0:
        return Verdict(False, f"the image cannot import the app: {seen['probe_said'] or 'no output'}",
                       "the image needs the code and its packages in the directory the app runs from (WORKDIR)",
                       code="app-not-importable")
    return Verdict(True, "after a code change, `RUN pip install …` came from the cache (CACHED), "
                         "and the image holds the new code")


@exercise("4.1")
def dependencies_cached_after_code_change(context: str, label: str = "04") -> Verdict:
    """Exercise 4.1 (chapter 04): the Dockerfile in CONTEXT keeps `pip install` cached after a code change."""
    return judge_cache_after_code_change(observe_cache_after_code_change(context, label))


# --- Exercise 4.2 · a non-root user, after the steps that need root --------------------------------------

def observe_non_root(context: str, label: str = "04", timeout: float = 20) -> dict:
    """Build CONTEXT/Dockerfile; run the image: who it runs as, and whether the app answers /health inside."""
    source = Path(context)
    if not (source / "Dockerfile").is_file():
        return {"dockerfile": False}
    tag = f"course04/exercise-4-2:{label}"
    build = _build(source, tag, label)
    seen = {"dockerfile": True, "built": build["built"], "error": build["error"],
            "failed_step": build["failed_step"], "permission_denied": build["permission_denied"]}
    if not build["built"]:
        return seen
    try:
        seen.update(_observe_user_and_health(tag, label, timeout))
    finally:
        docker("image", "rm", "--force", tag, check=False)
    return seen


def _observe_user_and_health(image: str, label: str, timeout: float) -> dict:
    config = inspect_image(image)["Config"]
    uid = docker("run", "--rm", "--label", f"dockercourse={label}", "--entrypoint", "id", image, "-u",
                 check=False)
    seen = {"user": config.get("User") or "", "uid": (uid.stdout + uid.stderr).strip()[:160]}
    if seen["uid"] in ("0", "") or not seen["uid"].isdigit():
        return seen
    container = docker("run", "--detach", "--label", f"dockercourse={label}", image).stdout.strip()
    probe = f"import urllib.request; urllib.request.urlopen({HEALTH_URL!r}, timeout=2)"

    def running() -> bool:
        return inspect_container(container)["State"]["Status"] == "running"

    def answered() -> bool | None:
        return docker("exec", container, "python", "-c", probe, check=False).returncode == 0 or None

    try:
        seen["answered"] = until(answered, timeout, every=0.5, what="an answer on /health",
                                 give_up=lambda: not running())
    except TimedOut:
        seen["answered"] = False
    finally:
        logs = docker("logs", "--tail", "3", container, check=False, merge=True).stdout.strip().splitlines()
        seen.update(running=running(), last_log=logs[-1][:160] if logs else "")
        docker("rm", "--force", container, check=False)
    return seen


def judge_non_root(seen: dict) -> Verdict:
    """Exercise 4.2: the image builds, runs as a non-root UID, and the app answers."""
    if not seen["dockerfile"]:
        return Verdict(False, "there is no Dockerfile in the exercise's directory",
                       "run the exercise's first cell again: it writes the colleague's Dockerfile",
                       code="no-dockerfile")
    if not seen["built"]:
        return _judge_failed_build(seen)
    if seen["uid"] == "0":
        return Verdict(False, "the image builds, but runs as root (id -u prints 0)",
                       "the task is to keep the unprivileged user: the container must still run as it",
                       code="runs-as-root")
    if not seen["uid"].isdigit():
        return Verdict(False, f"`id -u` did not run in the image: {seen['uid']!r}",
                       "the user the image switches to must exist in it, or be a number", code="no-such-user")
    return _judge_serving(seen)


def _short(step: str) -> str:
    """A step's instruction cut to its first three words ("RUN pip install …"): where it failed, not how it is
    written (its options may be the answer)."""
    words = step.split()
    return " ".join(words[:3]) + (" …" if len(words) > 3 else "")


def _judge_failed_build(seen: dict) -> Verdict:
    where = f" at `{_short(seen['failed_step'])}`" if seen["failed_step"] else ""
    if seen["permission_denied"]:
        return Verdict(False, f"the build fails{where}: Permission denied",
                       "each step runs as the user of the last USER line above it: which steps need root, "
                       "and where must the switch to the app's user come? (section 6)",
                       code="user-too-early")
    return Verdict(False, f"the build fails{where}: {seen['error']}",
                   "build it yourself with `docker build --progress=plain …` and read the first ERROR",
                   code="build-fails")


def _judge_serving(seen: dict) -> Verdict:
    if not seen["answered"]:
        if not seen["running"]:
            return Verdict(False, f"as uid {seen['uid']} the app stopped: {seen['last_log'] or 'no output'}",
                           "read `docker logs` of a container of your image: does the app write where that "
                           "user may not?", code="app-stops")
        return Verdict(False, f"as uid {seen['uid']} the app does not answer on /health",
                       "read `docker logs` of a container of your image", code="no-answer")
    name = seen["user"].split(":")[0]
    tip = "" if name.isdigit() else (f" (tip: USER {seen['uid']}, numeric rather than {name!r}, lets Kubernetes' "
                                     "runAsNonRoot verify it without reading /etc/passwd)")
    return Verdict(True, f"the image builds, the app runs as uid {seen['uid']}, not root, and answers on /health"
                         f"{tip}")


@exercise("4.2")
def runs_as_non_root(context: str, label: str = "04", timeout: float = 20) -> Verdict:
    """Exercise 4.2 (chapter 04): the Dockerfile in CONTEXT builds, and its image runs the app as a non-root user."""
    return judge_non_root(observe_non_root(context, label, timeout))


# --- Exercise 4.3 · a HEALTHCHECK that tests the app -----------------------------------------------------

def _health_facts(container: str) -> dict:
    state = inspect_container(container)["State"]
    health = state.get("Health") or {}
    probes = health.get("Log") or []
    return {"status": state["Status"], "exit_code": state["ExitCode"], "health": health.get("Status"),
            "probes": len(probes), "failed_probes": sum(probe["ExitCode"] != 0 for probe in probes),
            "last_output": (probes[-1]["Output"].strip().splitlines() or [""])[-1][:160] if probes else ""}


def _watch_health(container: str, timeout: float, failures: int) -> dict:
    """Wait until the container is healthy, unhealthy or stopped, or its probe has failed `failures` times, or
    `timeout` seconds have passed; return the facts the judge needs, as they are then."""
    latest: dict = {}

    def settled() -> dict | None:
        latest.update(_health_facts(container))
        done = latest["health"] in ("healthy", "unhealthy") or latest["status"] != "running" \
            or latest["failed_probes"] >= failures
        return dict(latest) if done else None

    try:
        return until(settled, timeout, every=0.25, what=f"container {container}'s health")
    except TimedOut:
        return dict(latest)


def observe_healthcheck(image: str, label: str = "04", timeout: float = 30) -> dict:
    """The image's HEALTHCHECK, how a container of it fares (`run`), and, when that one turned healthy, how
    one with `sleep` instead of the app fares (`control`: its probe must fail)."""
    found = inspect_image(image)
    if found is None:
        return {"image": image, "exists": False}
    seen = {"image": image, "exists": True, "test": (found["Config"].get("Healthcheck") or {}).get("Test") or []}
    if not seen["test"] or seen["test"] == ["NONE"]:
        return seen
    seen["run"] = _run_and_watch(image, label, timeout, [], failures=5)
    if seen["run"]["health"] == "healthy":
        seen["control"] = _run_and_watch(image, label, timeout, ["--entrypoint", "sleep"], failures=1, args=["120"])
    return seen


def _run_and_watch(image: str, label: str, timeout: float, options: list[str], failures: int,
                   args: list[str] | None = None) -> dict:
    container = docker("run", "--detach", "--label", f"dockercourse={label}", *options, image,
                       *(args or [])).stdout.strip()
    try:
        return _watch_health(container, timeout, failures)
    finally:
        docker("rm", "--force", container, check=False)


def judge_healthcheck(seen: dict, timeout: float = 30) -> Verdict:
    """Exercise 4.3: the image reports healthy while the app serves, and only then."""
    image = seen["image"]
    if not seen["exists"]:
        return Verdict(False, f"there is no image {image!r}",
                       f"build it first: run the `docker build … -t {image} …` cell above", code="no-image")
    if not seen["test"]:
        return Verdict(False, f"{image} has no HEALTHCHECK",
                       "Docker only knows whether the process runs; section 8's instruction tells it how to ask "
                       "the app, from inside the container (the image has no curl, but its Python has urllib)",
                       code="no-healthcheck")
    if seen["test"] == ["NONE"]:
        return Verdict(False, "the HEALTHCHECK is switched off (HEALTHCHECK NONE)",
                       "give the instruction a command that asks the app whether it answers", code="healthcheck-none")
    failed = _judge_run(seen["run"], timeout)  # a failing Verdict is falsy: compare with None
    return failed if failed is not None else _judge_control(seen["control"])


def _judge_run(run: dict, timeout: float) -> Verdict | None:
    if run["status"] in ("exited", "dead"):
        return Verdict(False, f"the container exited (code {run['exit_code']}) before it was healthy",
                       "read `docker logs` of a container of the image: the app itself must start", code="exited")
    if run["health"] == "healthy":
        return None
    said = run["last_output"]
    if "not found" in said:
        return Verdict(False, f"the probe fails: {said}",
                       "the probe's program is not in the image: the slim image has no curl or wget; its Python "
                       "can make the request", code="probe-program-missing")
    if run["probes"]:
        return Verdict(False, f"the probe fails: {said or 'no output'}",
                       "run your probe's command yourself with `docker exec CONTAINER …` in a container of the "
                       "image and read what it says", code="probe-fails")
    return Verdict(False, f"no probe ran in {timeout:.0f} s: the status stayed {run['health']!r}",
                   "the first probe comes one interval after the start unless the start period probes more often "
                   "(section 8's table)", code="first-probe-too-late")


def _judge_control(control: dict) -> Verdict:
    if control["health"] == "healthy":
        return Verdict(False, "the HEALTHCHECK says healthy even when the app is not running",
                       "probe the app itself, with a request that fails when nothing answers", code="always-healthy")
    return Verdict(True, "the container became healthy, and the same probe fails when the app is not running")


@exercise("4.3")
def image_becomes_healthy(image: str, label: str = "04", timeout: float = 30) -> Verdict:
    """Exercise 4.3 (chapter 04): the image's HEALTHCHECK reports healthy while the app serves, and only then."""
    return judge_healthcheck(observe_healthcheck(image, label, timeout), timeout)
