"""The docker CLI from Python, and what the engine is: every docker call of the package goes through ``docker()``.

Installing and starting an engine is machine setup (``dockercourse.machine.engine_setup``); this module
only talks to the engine the client is pointed at (DOCKER_HOST, the active docker context, or the default).

Used by: every helper and checker that asks the engine something, the doctor (chapter 00), chapters 02,
03 and 06–11 (``docker``, ``image_store``).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from . import CourseError

GET_ENGINE_HINT = (
    "install Docker Desktop (macOS, Windows) or Docker Engine "
    "(Linux: https://docs.docker.com/engine/install/), start it, then run `make engine` again"
)


def _cause(result: subprocess.CompletedProcess) -> str:
    """The line of a failed docker command that says why: the CLI often ends with its usage hint instead."""
    text = (result.stderr or "").strip() or (result.stdout or "").strip()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith(("Run 'docker ", "Usage: "))]
    return lines[-1] if lines else "no message"


def docker(*args: str, timeout: float = 120, check: bool = True, input: str | bytes | None = None,
           env: dict[str, str] | None = None, merge: bool = False, cwd: str | Path | None = None,
           text: bool = True) -> subprocess.CompletedProcess:
    """Run the docker CLI, its output captured; on failure (with `check`) one line that says why.

    `input`: what the command reads on stdin; `env`: variables added to this process's environment (a
    DOCKER_HOST of another engine, say); `merge`: stderr into stdout, in the order a terminal shows them
    (`docker logs` of a program that writes to both); `text=False` for bytes (`docker save`, `docker export`).
    """
    if shutil.which("docker") is None:
        raise CourseError(f"the `docker` command is not installed: {GET_ENGINE_HINT}")
    try:
        result = subprocess.run(["docker", *args], input=input, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merge else subprocess.PIPE, text=text,
                                timeout=timeout, cwd=cwd, env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        raise CourseError(f"`docker {' '.join(args)}` gave no answer in {timeout:.0f} s: "
                          "check the engine with `python -m dockercourse doctor`") from None
    if check and result.returncode != 0:
        if not text:
            result = subprocess.CompletedProcess(result.args, result.returncode, "",
                                                 (result.stderr or b"").decode(errors="replace"))
        raise CourseError(f"`docker {' '.join(args)}` failed: {_cause(result)}")
    return result


def version_key(version: str) -> tuple[int, ...]:
    """"28.5.2+dfsg4" → (28, 5, 2): versions that compare as numbers."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def docker_clis() -> list[tuple[str, str]]:
    """Every `docker` program on PATH, in PATH's order (the first is the one that runs), with its version."""
    found, seen = [], set()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(directory) / "docker"
        if path.is_file() and os.access(path, os.X_OK) and path.resolve() not in seen:
            seen.add(path.resolve())
            answer = subprocess.run([str(path), "--version"], capture_output=True, text=True)  # this binary's own
            version = re.search(r"version (\S+?),", answer.stdout)
            found.append((str(path), version.group(1) if version else "unknown"))
    return found


def ask_engine(timeout: float = 10) -> tuple[str | None, str]:
    """(the engine's version, or None when none answers; the client's error then)."""
    if shutil.which("docker") is None:
        return None, "the docker command is not installed"
    try:
        result = docker("version", "--format", "{{.Server.Version}}", timeout=timeout, check=False)
    except CourseError:
        return None, f"no answer in {timeout:.0f} s"
    version = result.stdout.strip()
    if result.returncode == 0 and version:
        return version, ""
    return None, (result.stderr.strip().splitlines() or ["no message"])[-1]


def server_version(timeout: float = 10) -> str | None:
    """The engine's version if one answers, else None."""
    return ask_engine(timeout)[0]


def custom_endpoint() -> str | None:
    """The engine the client is pointed at, when it is not the local default socket."""
    if os.environ.get("DOCKER_HOST"):
        return f"DOCKER_HOST={os.environ['DOCKER_HOST']}"
    context = os.environ.get("DOCKER_CONTEXT")
    if context is None and shutil.which("docker"):
        context = docker("context", "show", check=False).stdout.strip()
    return f"the docker context {context!r}" if context and context != "default" else None


def no_engine_message(error: str) -> str:
    """What to do when no engine answers, from the client's error."""
    if "permission denied" in error.lower():
        return ("the Docker socket refused you (permission denied): add yourself to the docker group "
                "(`sudo usermod -aG docker $USER`, then log in again — root-equivalent) or run as root")
    where = custom_endpoint()
    if where:
        return f"no Docker engine answers at {where} ({error}): start that engine, or unset it to use the local one"
    return f"no Docker engine answers ({error}): run `make engine` (or start Docker Desktop), then try again"


def require_engine() -> str:
    """Return the engine version, or fail with the one line that says how to get one."""
    version, error = ask_engine(timeout=10)
    if version is None:
        raise CourseError(no_engine_message(error))
    return version


def image_store() -> str:
    """"containerd" when the engine keeps images in containerd's store (Engine 29's and Docker Desktop's
    default), "classic" for dockerd's own graph driver (overlay2, the default before Engine 29).

    Used by: ``make engine``, the doctor (chapter 00), chapters 02 and 03.
    """
    status = docker("info", "--format", "{{json .DriverStatus}}").stdout
    return "containerd" if "io.containerd.snapshotter" in status else "classic"


def compose_version() -> str | None:
    """The `docker compose` plugin's version ("2.40.3", "5.5.0"), or None when the plugin is missing.

    Used by: ``make engine``, the doctor and chapter 00.
    """
    answer = docker("compose", "version", "--short", check=False)
    return answer.stdout.strip().removeprefix("v") or None if answer.returncode == 0 else None
