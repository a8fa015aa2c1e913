"""Chapter 09's exercise checkers (Better images).

Each returns a Verdict, with a hint when the answer is not there yet. Both build the learner's
Dockerfile themselves (labelled with the chapter's label, so its cleanup removes the image).
"""

import json
import re
from pathlib import Path

from .. import LABEL
from ..engine import docker
from .common import Verdict

SCRATCH = Path("/tmp/dockercourse-09")
BLANK = re.compile(r"____|\bTODO\b")


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


def _exec_form(arguments: str) -> list[str] | None:
    """The JSON array of an exec-form instruction, or None for the shell form."""
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed) else None


def _read(context: Path) -> tuple[str | None, Verdict | None]:
    dockerfile = context / "Dockerfile"
    if not dockerfile.is_file():
        return None, Verdict(False, f"there is no {dockerfile}",
                             "run the exercise's %%writefile cell: it writes the Dockerfile there")
    text = dockerfile.read_text()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if BLANK.search(body):
        return None, Verdict(False, "the Dockerfile still has its blank ____",
                             "replace ____ with your answer, run the cell again, then this check")
    return text, None


def _build(context: Path, image: str, chapter: str) -> Verdict | None:
    built = docker("build", "--quiet", "--label", f"{LABEL}={chapter}", "-t", image, str(context),
                   timeout=600, check=False)
    if built.returncode != 0:
        lines = [line for line in (built.stderr or built.stdout).splitlines() if line.strip()]
        return Verdict(False, f"the build failed: {lines[-1][:160] if lines else 'no message'}",
                       f"read the error, fix the Dockerfile, then run `docker build -t {image} {context}` "
                       "yourself to see the whole log")
    return None


def _run(image: str, chapter: str, *arguments: str) -> tuple[int, str]:
    result = docker("run", "--rm", "--label", f"{LABEL}={chapter}", image, *arguments, timeout=60, check=False)
    return result.returncode, (result.stdout + result.stderr).strip()


def exec_form_greeter(context: str | Path = SCRATCH / "ex1", image: str = "course09/greeter:ex1",
                      chapter: str = "09") -> Verdict:
    """Exercise 9.1 (chapter 09): a greeter on the shell-less base. `docker run IMAGE` prints
    "Hello, World!", `docker run IMAGE Docker` prints "Hello, Docker!": ENTRYPOINT and CMD, both in
    exec form (a JSON array), because the base has no /bin/sh to run the shell form."""
    context = Path(context)
    text, problem = _read(context)
    if problem is not None:
        return problem
    steps = _instructions(text)
    entrypoints = [arguments for name, arguments in steps if name == "ENTRYPOINT"]
    commands = [arguments for name, arguments in steps if name == "CMD"]
    if not entrypoints:
        return Verdict(False, "the Dockerfile has no ENTRYPOINT of its own",
                       'the base\'s ENTRYPOINT is python3.13 itself; set yours to run the script: '
                       'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"]')
    entrypoint = _exec_form(entrypoints[-1])
    if entrypoint is None:
        return Verdict(False, f"ENTRYPOINT {entrypoints[-1]} is in shell form",
                       "the shell form runs /bin/sh -c …, and this base has no shell: write it as a JSON "
                       'array, ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"] (section 2)')
    if not commands:
        return Verdict(False, "there is no CMD, so `docker run IMAGE` greets nobody",
                       'CMD holds the default arguments that follow the ENTRYPOINT: CMD ["World"]')
    command = _exec_form(commands[-1])
    if command is None:
        return Verdict(False, f"CMD {commands[-1]} is in shell form",
                       "with an ENTRYPOINT, a shell-form CMD becomes [\"/bin/sh\", \"-c\", …] arguments; "
                       'write it as a JSON array: CMD ["World"]')
    failed = _build(context, image, chapter)
    if failed is not None:
        return failed
    code, default = _run(image, chapter)
    if code != 0 or default != "Hello, World!":
        return Verdict(False, f"`docker run {image}` printed {default[-120:]!r} (exit code {code}), "
                              "not 'Hello, World!'",
                       "ENTRYPOINT runs the script, CMD gives its default argument: "
                       'ENTRYPOINT ["/usr/bin/python3", "/app/greet.py"] and CMD ["World"]')
    code, named = _run(image, chapter, "Docker")
    if code != 0 or named != "Hello, Docker!":
        return Verdict(False, f"`docker run {image} Docker` printed {named[-120:]!r}, not 'Hello, Docker!'",
                       "arguments after the image name replace CMD only: keep the name out of ENTRYPOINT "
                       'and put it in CMD ["World"]')
    return Verdict(True, f"{image}: no arguments → {default!r}; `Docker` → {named!r} (exec form, no shell)")


def pip_cache_mount(context: str | Path = SCRATCH / "ex2", image: str = "course09/cached:ex2",
                    chapter: str = "09") -> Verdict:
    """Exercise 9.2 (chapter 09): pip's download cache kept between builds in a BuildKit cache mount
    at /root/.cache/pip, not in the image, and not switched off with --no-cache-dir."""
    context = Path(context)
    text, problem = _read(context)
    if problem is not None:
        return problem
    runs = [arguments for name, arguments in _instructions(text) if name == "RUN" and "pip install" in arguments]
    if not runs:
        return Verdict(False, "no RUN instruction runs pip install",
                       "keep the exercise's RUN pip install … -r requirements.txt and add the mount to it")
    run = runs[-1]
    mounts = re.findall(r"--mount=(\S+)", run)
    caches = [mount for mount in mounts if "type=cache" in mount]
    if not caches:
        return Verdict(False, "the pip install step has no cache mount",
                       "RUN takes --mount=type=cache,target=DIR before the command: "
                       "RUN --mount=type=cache,target=/root/.cache/pip pip install … (section 6)")
    targets = re.findall(r"(?:target|dst|destination)=([^,\s]+)", caches[-1])
    if not targets or targets[-1].rstrip("/") != "/root/.cache/pip":
        return Verdict(False, f"the cache is mounted at {targets[-1] if targets else '(no target)'}, "
                              "where pip does not look",
                       "pip, running as root, keeps its cache in /root/.cache/pip: target=/root/.cache/pip")
    if "--no-cache-dir" in run:
        return Verdict(False, "pip install still has --no-cache-dir, so it ignores the mounted cache",
                       "drop --no-cache-dir: the cache now lives in the mount, which never becomes a layer")
    failed = _build(context, image, chapter)
    if failed is not None:
        return failed
    probe = "import os, flask; d = '/root/.cache/pip'; print(len(os.listdir(d)) if os.path.isdir(d) else 0)"
    code, listing = _run(image, chapter, "python", "-c", probe)
    if code != 0:
        return Verdict(False, f"the image does not import flask: {listing[-120:]!r}",
                       "install the requirements in that RUN: "
                       "pip install --root-user-action=ignore -r requirements.txt")
    if listing != "0":
        return Verdict(False, "the image holds pip's cache in /root/.cache/pip",
                       "do not RUN pip into that directory without the mount: the mount is what keeps it out")
    return Verdict(True, f"{image} builds with pip's cache in a cache mount at /root/.cache/pip; "
                         "the image holds none of it")
