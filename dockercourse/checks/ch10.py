"""Chapter 10's exercise checkers (security): each observes the engine, then judges the record.

- Exercise 10.1 (break-fix): `redis_without_capabilities` — Redis with every capability dropped that it does not need;
- Exercise 10.2 (open): `hardened_container` — the sample app read-only, without capabilities, no-new-privileges, a
  task limit, and healthy;
- Exercise 10.3 (break-fix): `secret_not_in_image` — the build used the token, and `docker save` holds it nowhere.

Each ``judge_x`` is pure (a test hands it a written record); ``x`` is what the chapter's checker cell calls.
"""

import tempfile
from pathlib import Path

from .. import CourseError
from ..engine import docker
from ..progress import exercise
from ..saved_image import search_saved_image
from ..wait import wait_healthy
from .common import Verdict, container_facts, inspect_container, judge_label

CREATOR = "10"
#: What the redis image's entrypoint does as root before it drops to the redis user: own /data, switch user.
REDIS_NEEDS = {"CHOWN", "SETUID", "SETGID"}


def _caps(names: list[str]) -> set[str]:
    """Capability names as the engine may store them ("CAP_CHOWN", "chown") in one form: "CHOWN"."""
    return {name.upper().removeprefix("CAP_") for name in names}


# --- Exercise 10.1 · A hardened Redis that will not start ----------------------------------------

def observe_redis(name: str = "course10-redis") -> dict:
    """The container's facts, whether `redis-cli ping` answers inside it, and the last line of its log."""
    facts = container_facts(name)
    if facts is None:
        return {"exists": False, "name": name}
    ping = docker("exec", name, "redis-cli", "ping", check=False) if facts["running"] else None
    log = docker("logs", "--tail", "1", name, check=False, merge=True).stdout.strip()
    return {"exists": True, "name": name, "labels": facts["labels"], "running": facts["running"],
            "exit_code": facts["exit_code"], "user": facts["user"], "cap_drop": facts["cap_drop"],
            "cap_add": facts["cap_add"], "privileged": bool(inspect_container(name)["HostConfig"].get("Privileged")),
            "pong": ping is not None and ping.stdout.strip() == "PONG", "last_log": log[-160:]}


def judge_redis(seen: dict, creator: str = CREATOR) -> Verdict:
    """Redis runs, answers PING, with every capability dropped but (at most) the entrypoint's three."""
    name = seen["name"]
    if not seen["exists"]:
        return Verdict(False, f"there is no container {name}",
                       "run it again in the # TODO cell, with the chapter's label", code="no-container")
    if (unlabelled := judge_label({"name": name, "labels": seen["labels"]}, creator)) is not None:
        return unlabelled
    if not seen["running"]:
        return Verdict(False, f"{name} is not running (exit code {seen['exit_code']}); its log ends: "
                              f"{seen['last_log']!r}",
                       f"read the log (docker logs {name}): 'Operation not permitted' on a step that root may "
                       "normally do means the process lost a capability that step needs; find which step of the "
                       "image's entrypoint that is (section 1), then remove the container and run it again",
                       code="redis-exits")
    if seen["privileged"] or "ALL" not in _caps(seen["cap_drop"]):
        return Verdict(False, f"{name} runs, but with Docker's default capabilities (or more)",
                       "the point was to keep the capabilities dropped: give back only what the failing step "
                       "needs, or remove the need for it", code="capabilities-not-dropped")
    extra = sorted(_caps(seen["cap_add"]) - REDIS_NEEDS)
    if extra:
        return Verdict(False, f"{name} runs, but holds capabilities its start does not use: {', '.join(extra)}",
                       "add back only what the entrypoint's steps need (its log named the failing step)",
                       code="capabilities-beyond-need")
    if not seen["pong"]:
        return Verdict(False, f"{name} runs, but redis-cli ping gets no PONG",
                       f"wait a second and check again; if it persists, read docker logs {name}", code="no-pong")
    held = ", ".join(sorted(_caps(seen["cap_add"]))) or "no capability at all"
    return Verdict(True, f"{name} answers PONG with {held}" + (f" (as user {seen['user']})" if seen["user"] else ""))


@exercise("10.1")
def redis_without_capabilities(name: str = "course10-redis", creator: str = CREATOR) -> Verdict:
    """Exercise 10.1 (chapter 10)."""
    return judge_redis(observe_redis(name), creator)


# --- Exercise 10.2 · Harden the sample app --------------------------------------------------------

def observe_hardened(name: str = "course10-hardened", wait_s: float = 30) -> dict:
    """The container's hardening settings, its published ports and its health after waiting up to `wait_s`."""
    facts = container_facts(name)
    if facts is None:
        return {"exists": False, "name": name}
    host = inspect_container(name)["HostConfig"]
    if facts["running"] and facts["health"] is not None:
        try:
            wait_healthy(name, timeout=wait_s)
        except CourseError:
            pass
    after = container_facts(name) or facts
    return {"exists": True, "name": name, "labels": facts["labels"], "image": facts["image"],
            "ports": facts["ports"], "read_only": facts["read_only"], "cap_drop": facts["cap_drop"],
            "cap_add": facts["cap_add"], "security_opt": facts["security_opt"],
            "privileged": bool(host.get("Privileged")), "pids_limit": host.get("PidsLimit") or 0,
            "status": after["status"], "health": after["health"]}


def _missing_controls(seen: dict, max_pids: int) -> list[str]:
    """The controls of the exercise that the container lacks, in words (never the flags: the hint is not the answer)."""
    no_new_privileges = any(option.split("=")[0].split(":")[0] == "no-new-privileges"
                            and not option.endswith(("=false", ":false")) for option in seen["security_opt"])
    checks = [
        (seen["read_only"], "its root filesystem is writable"),
        ("ALL" in _caps(seen["cap_drop"]) and not seen["privileged"], "it keeps Docker's default capabilities"),
        (not seen["cap_add"], f"capabilities are added back ({', '.join(sorted(_caps(seen['cap_add'])))})"),
        (no_new_privileges, "a setuid binary could still raise its privileges"),
        (0 < seen["pids_limit"] <= max_pids,
         f"its task limit is {seen['pids_limit'] if seen['pids_limit'] > 0 else 'unset'}, not at most {max_pids}"),
    ]
    return [what for ok, what in checks if not ok]


def judge_hardened(seen: dict, port: int = 8102, max_pids: int = 100, creator: str = CREATOR) -> Verdict:
    """The four controls, on the right port, and healthy."""
    name = seen["name"]
    if not seen["exists"]:
        return Verdict(False, f"there is no container {name}",
                       "write the docker run in the # TODO cell: sections 1 to 4 each give one of the controls",
                       code="no-container")
    if (unlabelled := judge_label({"name": name, "labels": seen["labels"]}, creator)) is not None:
        return unlabelled
    published = [binding for bindings in seen["ports"].values() for binding in bindings]
    if ["127.0.0.1", str(port)] not in published:
        return Verdict(False, f"{name} is not published on 127.0.0.1:{port} (it publishes {published or 'nothing'})",
                       "publish the app's port 8000 on the loopback address and the port the exercise names "
                       "(chapter 05)", code="wrong-port")
    missing = _missing_controls(seen, max_pids)
    if missing:
        return Verdict(False, f"{name} runs, but {'; '.join(missing)}",
                       "each of these is one option of sections 1 to 4; remove the container and run it again "
                       "with the missing ones", code="control-missing")
    if seen["health"] != "healthy":
        return Verdict(False, f"{name} is hardened but not healthy ({seen['health'] or seen['status']})",
                       f"read why in docker logs {name}: a control may take away something the app does use",
                       code="not-healthy")
    return Verdict(True, f"{name} is healthy with a read-only root filesystem, no capabilities, "
                         f"no-new-privileges and at most {seen['pids_limit']} tasks")


@exercise("10.2")
def hardened_container(name: str = "course10-hardened", port: int = 8102, max_pids: int = 100,
                       creator: str = CREATOR, wait_s: float = 30) -> Verdict:
    """Exercise 10.2 (chapter 10)."""
    return judge_hardened(observe_hardened(name, wait_s), port, max_pids, creator)


# --- Exercise 10.3 · A teammate's image leaks its token ---------------------------------------------

def observe_secret(image: str, token_file: str) -> dict:
    """The token's length, the image's label and /build.log, and where `docker save` of it holds the token."""
    token = Path(token_file).read_text().strip() if Path(token_file).is_file() else ""
    seen = {"image": image, "token_file": token_file, "token_length": len(token), "exists": False}
    labelled = docker("image", "inspect", "--format", '{{index .Config.Labels "dockercourse"}}', image, check=False)
    if not token or labelled.returncode != 0:
        return seen
    log = docker("run", "--rm", "--label", f"dockercourse={labelled.stdout.strip()}", "--entrypoint", "cat", image,
                 "/build.log", check=False, merge=True)
    seen.update(exists=True, label=labelled.stdout.strip(), build_log=log.stdout.strip()[:120])
    with tempfile.TemporaryDirectory(prefix="dockercourse-10-") as scratch:
        saved = Path(scratch) / "image.tar"
        try:
            docker("image", "save", "--output", str(saved), image, timeout=300)
        except CourseError as error:
            seen.update(save_error=str(error))
            return seen
        seen["searched"], seen["found"] = search_saved_image(saved, token)
    return seen


def judge_secret(seen: dict, creator: str = CREATOR) -> Verdict:
    """The build used the token (its /build.log says how many bytes), and no file of the saved image holds it."""
    image = seen["image"]
    if not seen["token_length"]:
        return Verdict(False, f"there is no token in {seen['token_file']}",
                       "run section 7's cells first: they write the token file", code="no-token-file")
    if not seen["exists"]:
        return Verdict(False, f"there is no image {image}",
                       "build it in the # TODO cell, with the chapter's label", code="no-image")
    if seen["label"] != creator:
        return Verdict(False, f"image {image} does not carry the label dockercourse={creator}",
                       "build it again with the chapter's label, so that the chapter's cleanup finds it",
                       code="label-missing")
    if seen.get("save_error"):
        return Verdict(False, f"docker save {image} failed", seen["save_error"], code="save-failed")
    if seen["found"]:
        return Verdict(False, f"the token is in the image: {'; '.join(seen['found'])}",
                       "a build argument used by a RUN step is written into the image's history, and an ENV into "
                       "its config; section 7 shows a way for one step to read a file that no layer or config "
                       "records", code="token-in-image")
    expected = f"token of {seen['token_length']} bytes used"
    if expected not in seen["build_log"]:
        return Verdict(False, f"the token is not in the image, but the build did not use it either: /build.log "
                              f"says {seen['build_log']!r}, not {expected!r}",
                       "the RUN step must read the token from where the mount puts it, and the build command must "
                       "hand the build the file under the id the Dockerfile asks for; a step cached from an "
                       "earlier build does not run again", code="token-not-used")
    return Verdict(True, f"the build used the {seen['token_length']}-byte token, and none of the {seen['searched']} "
                         "files of `docker save` holds it")


@exercise("10.3")
def secret_not_in_image(image: str = "course10-ex3:1.0", token_file: str = "/tmp/dockercourse-10/api_token.txt",
                        creator: str = CREATOR) -> Verdict:
    """Exercise 10.3 (chapter 10)."""
    return judge_secret(observe_secret(image, token_file), creator)
