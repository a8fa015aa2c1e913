"""Chapter 05's exercise checkers (Build and run).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import re

from .. import LABEL, CourseError
from ..engine import docker
from ..wait import wait_http
from .common import Verdict, inspect_container, run_error


def _log_lines_05(name: str) -> list[str]:
    """The container's log lines (stdout and stderr together, as a terminal shows them), stripped, non-empty."""
    result = docker("logs", name, check=False, merge=True)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _run_error_05(text: str, port: int, image: str | None) -> Verdict | None:
    """A `docker run` that failed: which mistake its error message points to."""
    hints = {
        "bad port": Verdict(False, "docker could not read the -p option: it takes port numbers",
                            f"write -p HOST:CONTAINER with numbers: HOST is the port you open on this machine "
                            f"({port}), CONTAINER the one the app listens on inside the container (section 2)"),
        "port taken": Verdict(False, f"host port {port} is already taken, so the container could not start",
                              "`docker ps` shows which container publishes it: remove that one (`docker rm -f NAME`); "
                              "if no container holds it, a program on your machine does — stop it"),
        "no such program": Verdict(False, "the container tried to run an option as its command",
                                   "options such as -d, -p and -e go before the image name; "
                                   "whatever follows the image is the command run inside the container"),
        "name taken": Verdict(False, "a container with that name already exists (from an earlier try?)",
                              "remove it first with `docker rm -f NAME`, then run your command again"),
        "no such image": Verdict(False, "Docker cannot find that image",
                                 f"use the tag built in this chapter, {image or 'course05/sample-app:1.0'}; "
                                 "`docker image ls course05/sample-app` lists the tags"),
    }
    return hints.get(run_error(text))


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
    if exit_code is None and log_line is None:
        return Verdict(False, "no answer yet: exit_code and log_line are None",
                       f"`docker wait {container}` waits until it stops and prints its exit code; "
                       f"`docker logs {container}` shows what it said before it stopped")
    if exit_code is None:
        return Verdict(False, "exit_code is None", f"`docker ps -a` shows 'Exited (N)'; `docker wait {container}` "
                                                   "prints it")
    if isinstance(exit_code, (list, tuple)) and len(exit_code) == 1:
        exit_code = exit_code[0]  # captured in the notebook: exit_code = !docker wait …
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
