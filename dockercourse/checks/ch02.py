"""Chapter 02's exercise checkers (Images and containers).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import json
import re
import time

from .. import LABEL
from ..engine import docker
from .common import Verdict


def changed_file(answer, container: str = "c02-mystery") -> Verdict:
    """Exercise 2.1 (chapter 02): the one file of the image that a container changed, found with `docker diff`."""
    if isinstance(answer, (list, tuple)):
        if len(answer) > 1:
            return Verdict(False, f"that is {len(answer)} paths, and the container changed one file of the image",
                           "answer with one path, a string such as '/etc/…'")
        answer = answer[0] if answer else ""
    text = str(answer or "").strip()
    if not text:
        return Verdict(False, "answer is still None" if answer is None else "the answer is empty",
                       f"read the lines of `docker diff {container}` that start with C: one of them is a file "
                       "of the image, the others directories; set answer to its path, e.g. answer = '/etc/…'")
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
                       f"fill in the blank after --restart in the exercise cell (section 7's table lists the "
                       f"policies) and run it: docker run -d --name {container} --restart …")
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
