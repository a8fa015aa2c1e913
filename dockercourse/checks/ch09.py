"""Chapter 09's exercise checkers (better images): each observes, then judges (checks/common.py).

Each builds the learner's directory itself, labelled with the chapter's label (so that its cleanup removes the
image), and judges what the image does, not how the Dockerfile is spelled, wherever that can be seen:

- Exercise 9.1, ``worker_stops_cleanly``: `docker stop` ends the worker at once, with exit code 0, state saved.
- Exercise 9.2, ``lean_tool_image``: no layer keeps the 30 MB "SDK"; the image still holds its checksum.
- Exercise 9.3, ``install_cache_mount``: the install step keeps its cache in a cache mount, never in the image.
"""

import re
import tempfile
import time
from pathlib import Path

from .. import LABEL
from ..engine import docker
from ..manifest import manifest_image
from ..progress import exercise
from ..wait import TimedOut, until
from .common import Verdict

SCRATCH = Path("/tmp/dockercourse-09")
#: Exercise 9.2: what the learner's layers may add to the base, in bytes of the image's content (the "SDK" is 30 MB).
EXTRA_LIMIT_09 = 5_000_000
SHELLS_09 = ("/bin/sh -c", "sh -c", "/bin/bash -c", "bash -c", "/bin/dash -c")


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in dockerfile.splitlines()
                                           if not line.lstrip().startswith("#")))
    found = []
    for line in joined.splitlines():
        match = re.match(r"\s*([A-Za-z]+)\s+(.*)", line)
        if match:
            found.append((match.group(1).upper(), match.group(2).strip()))
    return found


def _build(context: Path, image: str, chapter: str) -> str | None:
    """Build `context` as `image`; the last line of the error when it fails, else None."""
    built = docker("build", "--quiet", "--label", f"{LABEL}={chapter}", "-t", image, str(context),
                   timeout=600, check=False)
    if built.returncode == 0:
        return None
    lines = [line for line in (built.stderr or built.stdout).splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no message"


def _build_failed(seen: dict, context: str, image: str) -> Verdict | None:
    """The failing verdict of a missing Dockerfile or a failed build, shared by the three judges."""
    if not seen["dockerfile"]:
        return Verdict(False, f"there is no {context}/Dockerfile",
                       "run the exercise's setup cell, then write the Dockerfile there", code="no-dockerfile")
    if seen["build_error"]:
        return Verdict(False, f"the build failed: {seen['build_error']}",
                       f"read the error, fix the Dockerfile, then run `docker build -t {image} {context}` yourself "
                       "to see the whole log", code="build-failed")
    return None


# --- Exercise 9.1 -------------------------------------------------------------------------------------------------

def _pid1_09(name: str) -> str:
    """The command line of the container's first process (its PID 1), from `docker top` and the engine's PID."""
    pid = docker("inspect", "--format", "{{.State.Pid}}", name, check=False).stdout.strip()
    top = docker("top", name, "-o", "pid,args", check=False).stdout.splitlines()[1:]
    return next((line.split(None, 1)[1] for line in top if line.split(None, 1)[0] == pid and " " in line.strip()), "")


def _logs_09(name: str) -> list[str]:
    logs = docker("logs", name, check=False)
    return (logs.stdout + logs.stderr).strip().splitlines()


def observe_worker_stop(context: Path, image: str, chapter: str, grace: int) -> dict:
    """Exercise 9.1: build the worker, run it until it says "working", then `docker stop -t grace`: how long the
    stop took, the exit code, the log, and which process was PID 1."""
    seen = {"dockerfile": (context / "Dockerfile").is_file(), "build_error": None, "started": False, "pid1": "",
            "stop_seconds": None, "exit_code": None, "log": [], "grace": grace}
    if not seen["dockerfile"]:
        return seen
    seen["build_error"] = _build(context, image, chapter)
    if seen["build_error"]:
        return seen
    name = f"course{chapter}-ex1-check"
    docker("rm", "-f", "-v", name, check=False)
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={chapter}", image)
    try:
        until(lambda: any("working" in line for line in _logs_09(name)), 20, every=0.2, what=f"{name} working",
              give_up=lambda: docker("inspect", "--format", "{{.State.Running}}", name).stdout.strip() != "true")
        seen["started"], seen["pid1"] = True, _pid1_09(name)
        started = time.monotonic()
        docker("stop", "-t", str(grace), name, timeout=grace + 30)
        seen["stop_seconds"] = round(time.monotonic() - started, 1)
    except TimedOut:
        pass
    seen["exit_code"] = int(docker("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip() or -1)
    seen["log"] = _logs_09(name)[-5:]
    docker("rm", "-f", "-v", name, check=False)
    return seen


def judge_worker_stop(seen: dict, context: str = str(SCRATCH / "ex1"), image: str = "course09/worker:ex1") -> Verdict:
    """Exercise 9.1, judged: the worker started, and `docker stop` ended it within the grace period, exit code 0,
    after it logged that it saved its state."""
    if (failed := _build_failed(seen, context, image)) is not None:
        return failed
    if not seen["started"]:
        return Verdict(False, f"the worker never printed 'working' (exit code {seen['exit_code']}): "
                              f"{' / '.join(seen['log'])[-120:] or 'no log'}",
                       "run the image yourself and read its log: the worker must start before it can stop well",
                       code="never-started")
    saved = any(line.startswith("got ") for line in seen["log"])
    if saved and seen["exit_code"] == 0 and seen["stop_seconds"] < seen["grace"]:
        return Verdict(True, f"docker stop ended the worker in {seen['stop_seconds']:.1f} s, exit code 0, and it "
                             f"logged: {next(line for line in seen['log'] if line.startswith('got '))}")
    waited = f"docker stop waited {seen['stop_seconds']:.0f} s, then the container ended with {seen['exit_code']}"
    if seen["pid1"].startswith(SHELLS_09):
        return Verdict(False, f"{waited}; PID 1 was a shell, `{seen['pid1'].split(' -c')[0]} -c …`",
                       "the stop signal goes to PID 1 only, and here PID 1 is a shell that does not pass it on: "
                       "section 2 showed how a Dockerfile makes the program itself PID 1", code="shell-is-pid-1")
    if not saved:
        return Verdict(False, f"{waited}; PID 1 was `{seen['pid1']}`, which never logged 'got …'",
                       "the program is PID 1 now, but the signal docker stop sends is not the one the worker "
                       "handles: compare worker.py with section 3", code="signal-not-handled")
    return Verdict(False, f"{waited}; the worker logged that it saved, but did not exit with 0",
                   "read the end of worker.py: after saving it should exit with 0", code="exit-nonzero")


@exercise("9.1")
def worker_stops_cleanly(context: str | Path = SCRATCH / "ex1", image: str = "course09/worker:ex1",
                         chapter: str = "09", grace: int = 5) -> Verdict:
    """Exercise 9.1 (chapter 09): `docker stop` ends the worker at once, exit code 0, and the worker saved."""
    return judge_worker_stop(observe_worker_stop(Path(context), image, chapter, grace), str(context), image)


# --- Exercise 9.2 -------------------------------------------------------------------------------------------------

def _content_size_09(image: str) -> int:
    return int(docker("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())


def _checksum_09(image: str, chapter: str) -> str | None:
    """/opt/tool/checksum.txt of `image`, copied out of a created (never started) container: works on any base."""
    name = f"course{chapter}-ex2-check"
    docker("rm", "-f", name, check=False)
    docker("create", "--name", name, "--label", f"{LABEL}={chapter}", image, "none")
    try:
        with tempfile.TemporaryDirectory() as directory:
            copied = docker("cp", f"{name}:/opt/tool/checksum.txt", directory, check=False)
            found = Path(directory, "checksum.txt")
            return found.read_text().strip() if copied.returncode == 0 and found.is_file() else None
    finally:
        docker("rm", "-f", name, check=False)


def observe_lean_tool(context: Path, image: str, chapter: str) -> dict:
    """Exercise 9.2: build the tool image; how many bytes of content it adds to the Python base, and its checksum."""
    seen = {"dockerfile": (context / "Dockerfile").is_file(), "build_error": None, "extra_bytes": None,
            "checksum": None}
    if not seen["dockerfile"]:
        return seen
    seen["build_error"] = _build(context, image, chapter)
    if seen["build_error"]:
        return seen
    seen["extra_bytes"] = _content_size_09(image) - _content_size_09(manifest_image("python").name)
    seen["checksum"] = _checksum_09(image, chapter)
    return seen


def judge_lean_tool(seen: dict, context: str = str(SCRATCH / "ex2"), image: str = "course09/tool:ex2") -> Verdict:
    """Exercise 9.2, judged: the image holds the checksum, and at most 5 MB more than its base."""
    if (failed := _build_failed(seen, context, image)) is not None:
        return failed
    if seen["checksum"] is None:
        return Verdict(False, f"{image} has no /opt/tool/checksum.txt",
                       "the image must still keep the one file the tool needs from the SDK", code="checksum-missing")
    if not re.fullmatch(r"[0-9a-f]{64}", seen["checksum"]):
        return Verdict(False, f"/opt/tool/checksum.txt holds {seen['checksum'][:40]!r}, not a sha256 checksum",
                       "keep the command that computes it as it was", code="checksum-wrong")
    extra = seen["extra_bytes"] / 1e6
    if seen["extra_bytes"] > EXTRA_LIMIT_09:
        return Verdict(False, f"{image} is {extra:.0f} MB larger than its base: a layer still holds the SDK",
                       "a file deleted by a later step still weighs in the layer that wrote it (section 5, the "
                       "whiteout): the SDK must never be in a layer the image keeps", code="keeps-the-sdk")
    return Verdict(True, f"{image} adds {extra:.2f} MB to its base and keeps /opt/tool/checksum.txt")


@exercise("9.2")
def lean_tool_image(context: str | Path = SCRATCH / "ex2", image: str = "course09/tool:ex2",
                    chapter: str = "09") -> Verdict:
    """Exercise 9.2 (chapter 09): no layer keeps the SDK, and the image keeps its checksum."""
    return judge_lean_tool(observe_lean_tool(Path(context), image, chapter), str(context), image)


# --- Exercise 9.3 -------------------------------------------------------------------------------------------------

INSTALL_09 = re.compile(r"\b(pip|uv pip) install\b.*(-r |requirements)|\buv sync\b")
DEFAULT_CACHE_09 = {"pip": "/root/.cache/pip", "uv": "/root/.cache/uv"}
CACHE_VARIABLE_09 = {"pip": "PIP_CACHE_DIR", "uv": "UV_CACHE_DIR"}
NO_CACHE_09 = {"pip": re.compile(r"--no-cache-dir\b|PIP_NO_CACHE_DIR="), "uv": re.compile(r"--no-cache\b|UV_NO_CACHE=")}


def _environment_09(steps: list[tuple[str, str]]) -> dict[str, str]:
    """The variables the Dockerfile's ENV lines set (KEY=VALUE pairs, or the old KEY VALUE form)."""
    found = {}
    for name, arguments in steps:
        if name != "ENV":
            continue
        pairs = re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", arguments)
        found.update({key: value.strip('"') for key, value in pairs} if pairs else
                     dict([arguments.split(None, 1)]) if " " in arguments else {})
    return found


def _mount_targets_09(run: str) -> list[str]:
    """The targets of a RUN's `--mount=type=cache,…` options."""
    targets = []
    for option in re.findall(r"--mount=(\S+)", run):
        fields = dict(field.split("=", 1) for field in option.split(",") if "=" in field)
        if fields.get("type") == "cache":
            targets.append((fields.get("target") or fields.get("dst") or fields.get("destination") or "").rstrip("/"))
    return targets


def _cache_dir_09(run: str, installer: str, environment: dict[str, str]) -> str:
    """Where the installer keeps its cache for this RUN: --cache-dir, then its variable (inline or ENV), else the
    default under root's home."""
    option = re.search(r"--cache-dir[= ](\S+)", run)
    inline = re.search(rf"\b{CACHE_VARIABLE_09[installer]}=(\S+)", run)
    chosen = (option or inline) and (option or inline).group(1)
    return (chosen or environment.get(CACHE_VARIABLE_09[installer]) or DEFAULT_CACHE_09[installer]).rstrip("/")


def _read_install_09(context: Path) -> dict:
    """What the Dockerfile's install step says: installer, cache mounts, cache directory, cache switched off."""
    text = (context / "Dockerfile").read_text()
    steps = _instructions(text)
    runs = [arguments for name, arguments in steps if name == "RUN" and INSTALL_09.search(arguments)]
    if not runs:
        return {"install": None}
    run = runs[-1]
    installer = "uv" if re.search(r"\buv (pip|sync)\b", run) else "pip"
    environment = _environment_09(steps)
    no_cache = NO_CACHE_09[installer]
    return {"install": run[:160], "installer": installer, "cache_targets": _mount_targets_09(run),
            "cache_dir": _cache_dir_09(run, installer, environment),
            "no_cache": bool(no_cache.search(run) or no_cache.search(" ".join(f"{k}={v}" for k, v in
                                                                            environment.items())))}


def observe_install_cache(context: Path, image: str, chapter: str) -> dict:
    """Exercise 9.3: the install step as written; and, when it mounts a cache, the image built from it: does it
    import the app's packages, and how many files of the installer's cache did it keep."""
    seen = {"dockerfile": (context / "Dockerfile").is_file(), "install": None, "build_error": None,
            "imports": None, "cache_files_in_image": None}
    if not seen["dockerfile"]:
        return seen
    seen.update(_read_install_09(context))
    if not seen.get("cache_targets"):
        return seen
    if (error := _build(context, image, chapter)) is not None:
        return {**seen, "build_error": error}
    probe = ("import os, flask\nprint(sum(len(files) for directory in {!r} for _, _, files in os.walk(directory)))"
             .format(sorted({seen["cache_dir"], "/root/.cache"})))
    result = docker("run", "--rm", "--label", f"{LABEL}={chapter}", "--user", "0", image, "python", "-c", probe,
                    check=False)
    seen["imports"] = result.returncode == 0
    seen["cache_files_in_image"] = int(result.stdout.strip()) if result.returncode == 0 else None
    return seen


def _judge_step_09(seen: dict) -> Verdict | None:
    """The install step as written: it mounts a cache where the installer keeps its cache, and uses it."""
    if seen["install"] is None:
        return Verdict(False, "no RUN instruction installs the requirements",
                       "keep a RUN that installs requirements.txt (pip or uv), and change how it caches",
                       code="no-install-step")
    if not seen["cache_targets"]:
        return Verdict(False, "the install step keeps no cache between builds",
                       "a cache that outlives one build has to live in the builder, not in a layer: section 6 "
                       "mounted one into a RUN", code="no-cache-mount")
    if seen["cache_dir"] not in seen["cache_targets"]:
        return Verdict(False, f"the cache mount is at {', '.join(seen['cache_targets'])}, but {seen['installer']} "
                              f"keeps its cache in {seen['cache_dir']}",
                       "mount the cache where the installer looks for it, or tell the installer where the mount is",
                       code="cache-elsewhere")
    if seen["no_cache"]:
        return Verdict(False, f"the install step still tells {seen['installer']} not to use a cache",
                       "drop the option (or variable) that switches the cache off: the mount never becomes a layer",
                       code="cache-switched-off")
    return None


def judge_install_cache(seen: dict, context: str = str(SCRATCH / "ex3"),
                        image: str = "course09/cached:ex3") -> Verdict:
    """Exercise 9.3, judged: a cache mount where the installer keeps its cache, the cache not switched off, and an
    image that imports the app's packages and holds none of the cache."""
    if not seen["dockerfile"]:
        return _build_failed(seen, context, image)
    if (wrong := _judge_step_09(seen)) is not None:
        return wrong
    if (failed := _build_failed(seen, context, image)) is not None:
        return failed
    if not seen["imports"]:
        return Verdict(False, f"{image} does not import flask",
                       "install the requirements in that RUN, into the image's Python", code="not-installed")
    if seen["cache_files_in_image"]:
        return Verdict(False, f"{image} holds {seen['cache_files_in_image']} files of a package cache",
                       "only the mount may hold the cache: nothing may write it into the image's own directories",
                       code="cache-in-image")
    return Verdict(True, f"{image} installs with {seen['installer']}'s cache in a cache mount at "
                         f"{seen['cache_dir']}; the image holds none of it")


@exercise("9.3")
def install_cache_mount(context: str | Path = SCRATCH / "ex3", image: str = "course09/cached:ex3",
                        chapter: str = "09") -> Verdict:
    """Exercise 9.3 (chapter 09): the install step keeps its cache in a BuildKit cache mount, never in the image."""
    return judge_install_cache(observe_install_cache(Path(context), image, chapter), str(context), image)
