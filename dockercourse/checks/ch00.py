"""Chapter 00's exercise checkers (Preflight).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import platform
import re
import socket

from ..manifest import manifest_image
from .common import Verdict, python_minor, run_error


def python_version_in_container(answer: list[str]) -> Verdict:
    """Exercise 0.1 (chapter 00): the Python version printed from inside the course's Python image."""
    text = " ".join(answer).strip()
    found = re.search(r"Python (\d+\.\d+)\.\d+", text)
    expected = python_minor()
    if not text:
        return Verdict(False, "the answer is empty",
                        "capture the command's output: answer = !docker run --rm … python --version")
    if 'exec: "COMMAND"' in text:
        return Verdict(False, "the container tried to run a program called COMMAND",
                        "replace COMMAND with the command that prints Python's version, as you would type it "
                        "in a terminal; everything after the image name runs inside the container")
    if run_error(text) == "no such program":
        return Verdict(False, "the command after the image name is not a program in the image",
                        "the command inside the container should be `python --version`")
    if run_error(text) == "no such image":
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
        return Verdict(False, "that is the hostname of the machine this notebook runs on, not a container's",
                        "run `hostname` inside a container: docker run --rm IMAGE hostname")
    if re.fullmatch(r"[0-9a-f]{12}", text):
        return Verdict(True, "the container has a hostname of its own, its short ID: "
                              "it lives in its own UTS namespace")
    if " " in text or "docker:" in text or "Error" in text:
        return Verdict(False, f"that is not a hostname: {text[:80]!r}",
                        "the command inside the container should be just `hostname`")
    return Verdict(True, f"the container has a hostname of its own, {text!r} (set with --hostname)")
