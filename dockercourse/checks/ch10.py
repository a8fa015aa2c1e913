"""Chapter 10's exercise checkers (security).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import tempfile
from pathlib import Path

from .. import CourseError
from ..engine import docker
from ..saved_image import search_saved_image
from ..wait import wait_healthy
from .common import Verdict, inspect_container, not_labelled

SECRET_BUILD_10 = ("docker build --label dockercourse=10 --secret id=api_token,src=/tmp/dockercourse-10/api_token.txt "
                   "-t course10-ex1:1.0 /tmp/dockercourse-10/ex1")


def secret_not_in_image(image: str = "course10-ex1:1.0", token_file: str = "/tmp/dockercourse-10/api_token.txt",
                        creator: str = "10") -> Verdict:
    """Exercise 10.1 (chapter 10): the build used the token (its /build.log says how many bytes), and
    `docker save` of the image holds it nowhere."""
    token = Path(token_file).read_text().strip() if Path(token_file).is_file() else ""
    if not token:
        return Verdict(False, f"there is no token in {token_file}",
                       "run section 9's cells first: they write the token file")
    inspected = docker("image", "inspect", "--format", '{{index .Config.Labels "dockercourse"}}', image, check=False)
    if inspected.returncode != 0:
        return Verdict(False, f"there is no image {image}", f"build it: {SECRET_BUILD_10}")
    if inspected.stdout.strip() != creator:
        return Verdict(False, f"image {image} does not carry the label dockercourse={creator}",
                       f"build it with --label dockercourse={creator}: {SECRET_BUILD_10}")
    log = docker("run", "--rm", "--label", f"dockercourse={creator}", "--entrypoint", "cat", image, "/build.log",
                 check=False)
    with tempfile.TemporaryDirectory(prefix="dockercourse-10-") as scratch:
        saved = Path(scratch) / "image.tar"
        try:
            docker("image", "save", "--output", str(saved), image, timeout=300)
        except CourseError as error:
            return Verdict(False, f"docker save {image} failed", str(error))
        searched, found = search_saved_image(saved, token)
    if found:
        return Verdict(False, f"the token is in the image: {'; '.join(found)}",
                       "a build argument is recorded in the image's history and an ENV in its config: drop "
                       "ARG API_TOKEN, read the token from a secret mount in the RUN step "
                       "(RUN --mount=type=secret,id=api_token … /run/secrets/api_token) and pass "
                       "--secret id=api_token,src=/tmp/dockercourse-10/api_token.txt to docker build (section 9)")
    expected = f"token of {len(token)} bytes used"
    if log.returncode != 0 or expected not in log.stdout:
        said = (log.stdout.strip() or log.stderr.strip())[:80]
        return Verdict(False, f"the token is not in the image, but the build did not use it either: "
                              f"/build.log says {said!r}, not {expected!r}",
                       "the RUN step must read /run/secrets/api_token (mounted by --mount=type=secret,id=api_token) "
                       f"and docker build must get the file: {SECRET_BUILD_10}")
    return Verdict(True, f"the build used the {len(token)}-byte token, and none of the {searched} files of "
                         "`docker save` holds it")


HARDENED_RUN_10 = ("docker run -d --name {name} --label dockercourse=10 -p 127.0.0.1:{port}:8000 --read-only "
                   "--cap-drop ALL --security-opt no-new-privileges --pids-limit 100 course10-app:1.0")


def hardened_container(name: str = "course10-hardened", port: int = 8102, max_pids: int = 100,
                       creator: str = "10", wait_s: float = 30) -> Verdict:
    """Exercise 10.2 (chapter 10): the sample app runs, healthy, with a read-only root filesystem, every
    capability dropped, no-new-privileges and a process limit."""
    run = HARDENED_RUN_10.format(name=name, port=port)
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"there is no container {name}",
                       "replace ____ with the four options; each is one flag of sections 2 to 6, e.g. "
                       "--read-only for the root filesystem")
    if (unlabelled := not_labelled(container, name, creator)) is not None:
        return unlabelled
    host = container["HostConfig"]
    missing = []
    if not host.get("ReadonlyRootfs"):
        missing.append(("the root filesystem is writable", "--read-only"))
    if "ALL" not in {cap.upper() for cap in host.get("CapDrop") or []}:
        missing.append(("capabilities are not all dropped", "--cap-drop ALL"))
    if host.get("CapAdd"):
        missing.append((f"capabilities are added back ({', '.join(host['CapAdd'])})", "no --cap-add: the app "
                        "listens on 8000 and needs none"))
    if not any(opt.replace(":true", "").replace("=true", "") == "no-new-privileges"
               for opt in host.get("SecurityOpt") or []):
        missing.append(("processes may still gain privileges", "--security-opt no-new-privileges"))
    pids = host.get("PidsLimit") or 0
    if pids <= 0 or pids > max_pids:
        missing.append((f"the process limit is {pids or 'unset'}", f"--pids-limit {max_pids}"))
    if missing:
        return Verdict(False, f"{name} runs, but {'; '.join(what for what, _ in missing)}",
                       f"remove it (docker rm -f {name}) and run it again with {' '.join(o for _, o in missing)}")
    try:
        wait_healthy(name, timeout=wait_s)
    except CourseError:
        state = inspect_container(name)["State"]
        status = (state.get("Health") or {}).get("Status", state["Status"])
        return Verdict(False, f"{name} is hardened but not healthy ({status})",
                       f"read why: docker logs {name}; then: docker rm -f {name} and {run}")
    return Verdict(True, f"{name} is healthy with a read-only root filesystem, no capabilities, "
                         f"no-new-privileges and at most {pids} processes")
