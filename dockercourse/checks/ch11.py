"""Chapter 11's exercise checkers (ship and operate): each observes the engine, then judges the record.

- Exercise 11.1 (break-fix): `rolled_back` — after a broken release, the stack runs the release before it, by digest;
- Exercise 11.2 (open): `log_within_budget` — the chatty container's log driver keeps at most a budget, and
  `docker logs` still shows its newest line.

Each ``judge_x`` is pure (a test hands it a written record); ``x`` is what the chapter's checker cell calls.
"""

import json
import re
from pathlib import Path

from .. import CourseError
from ..engine import docker
from ..progress import exercise
from ..wait import wait_healthy
from .common import Verdict, container_facts, judge_label

CREATOR = "11"
SCRATCH_11 = Path("/tmp/dockercourse-11")
UNITS_11 = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
#: What each driver keeps when an option is not given: json-file has no size limit (None), local 20 MB × 5.
DRIVER_DEFAULTS_11 = {"json-file": (None, 1), "local": (20 * 1024 ** 2, 5)}
#: The chatty program's last line starts so (it prints 000000 … 019999).
LAST_LINE_11 = "019999 "


def size_bytes(text: str) -> int | None:
    """Docker's size option (`50k`, `10m`, `1g`, `2048`) in bytes; None when it is not one."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([bkmg]?)b?", text.strip().lower())
    return int(float(found.group(1)) * UNITS_11[found.group(2)]) if found else None


# --- Exercise 11.1 · A release that will not stay up --------------------------------------------------

def observe_rollback(project: str = "course11", service: str = "web", scratch: Path = SCRATCH_11,
                     wait_s: float = 30) -> dict:
    """The digests the pipeline pushed (by version), and the image and health of the service's container."""
    digests = {path.name.removesuffix(".digest"): path.read_text().strip() for path in sorted(scratch.glob("*.digest"))}
    ids = docker("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={project}",
                 "--filter", f"label=com.docker.compose.service={service}").stdout.split()
    facts = container_facts(ids[0]) if ids else None
    if facts is None:
        return {"digests": digests, "exists": False, "project": project, "service": service}
    if facts["running"] and facts["health"] not in (None, "healthy"):
        try:
            wait_healthy(facts["name"], timeout=wait_s)
        except CourseError:
            pass
        facts = container_facts(facts["name"]) or facts
    return {"digests": digests, "exists": True, "project": project, "service": service, "name": facts["name"],
            "image": facts["image"], "status": facts["status"], "health": facts["health"]}


def _digest(reference: str) -> str | None:
    """The `sha256:…` part of a reference by digest; None for a reference by tag."""
    return reference.rsplit("@", 1)[1] if "@sha256:" in reference else None


def judge_rollback(seen: dict, wanted: str = "1.1.0", broken: str = "1.2.0") -> Verdict:
    """The service runs `wanted` by its digest (any reference with that digest) and is healthy."""
    service, digests = seen["service"], seen["digests"]
    if wanted not in digests or broken not in digests:
        return Verdict(False, f"the pipeline's digests of {wanted} and {broken} are not in {SCRATCH_11}",
                       "run the cells of section 2 (2.5 pushes the releases) and the exercise's first cell",
                       code="no-pipeline")
    if not seen["exists"]:
        return Verdict(False, f"project {seen['project']} has no {service} container",
                       "bring the stack up again with compose.ship.yaml (section 2.6 shows the command)",
                       code="no-stack")
    running = _digest(seen["image"])
    version = next((v for v, ref in digests.items() if _digest(ref) == running), None) if running else None
    if running is None:
        return Verdict(False, f"{service} runs {seen['image']}, a tag, not a digest",
                       "a tag can be moved after the test; deploy the image by the digest the registry gave it",
                       code="deployed-by-tag")
    if version == broken:
        return Verdict(False, f"{service} still runs {broken}'s digest, the release that does not answer",
                       f"rolling back means deploying the image that ran before {broken}, by its digest: the "
                       "pipeline kept each release's digest, and the registry can tell a tag's digest too; "
                       "section 2.6 shows how the stack takes its image", code="still-broken")
    if version != wanted:
        older = (f"{version}, an older release than the one that ran before {broken}" if version
                 else "an image of no release")
        return Verdict(False, f"{service} runs {older}",
                       f"look at the order of the deploys in section 2.6: which release ran just before {broken}?",
                       code="wrong-release")
    if seen["health"] != "healthy":
        return Verdict(False, f"{service} runs {wanted}'s digest but is {seen['health'] or seen['status']}",
                       f"wait for it (docker compose ps), or read docker logs {seen['name']}", code="not-healthy")
    return Verdict(True, f"{service} runs {wanted} by its digest ({running[:19]}…) and is healthy")


@exercise("11.1")
def rolled_back(wanted: str = "1.1.0", broken: str = "1.2.0", project: str = "course11", service: str = "web",
                scratch: Path = SCRATCH_11) -> Verdict:
    """Exercise 11.1 (chapter 11)."""
    return judge_rollback(observe_rollback(project, service, scratch), wanted, broken)


# --- Exercise 11.2 · A log budget ---------------------------------------------------------------------

def observe_log(name: str = "course11-ex-chatty", timeout: float = 60) -> dict:
    """The container's log driver and options, and (after it finished) the last line `docker logs` shows."""
    facts = container_facts(name)
    if facts is None:
        return {"exists": False, "name": name}
    log_config = docker("inspect", "--format", "{{json .HostConfig.LogConfig}}", name).stdout
    config = json.loads(log_config)
    try:
        docker("wait", name, timeout=timeout, check=False)
    except CourseError:
        pass
    last = docker("logs", "--tail", "1", name, check=False, merge=True).stdout.strip()
    return {"exists": True, "name": name, "labels": facts["labels"], "driver": config.get("Type", ""),
            "options": config.get("Config") or {}, "status": (container_facts(name) or facts)["status"],
            "last_line": last[:40]}


def _budget_of(driver: str, options: dict) -> tuple[int | None, str]:
    """(the bytes the driver keeps at most, None for no limit; how, in words)."""
    default_size, default_files = DRIVER_DEFAULTS_11[driver]
    size = size_bytes(options["max-size"]) if "max-size" in options else default_size
    files = int(options["max-file"]) if str(options.get("max-file", "")).isdigit() else default_files
    if size is None:
        return None, "no size limit"
    each = f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"
    return size * files, f"{files} file(s) of {each}"


def judge_log(seen: dict, budget_kb: int = 100, creator: str = CREATOR) -> Verdict:
    """A driver `docker logs` can read, whose files together keep at most `budget_kb`, and the newest line kept."""
    name = seen["name"]
    if not seen["exists"]:
        return Verdict(False, f"there is no container {name}",
                       "run it in the # TODO cell, with the chapter's label, the image and the program of section 4",
                       code="no-container")
    if (unlabelled := judge_label({"name": name, "labels": seen["labels"]}, creator)) is not None:
        return unlabelled
    driver, options = seen["driver"], seen["options"]
    if driver == "none":
        return Verdict(False, f"{name} keeps no log at all (driver none): docker logs shows nothing",
                       "the budget must still leave the newest lines readable", code="no-log")
    if driver not in DRIVER_DEFAULTS_11:
        return Verdict(False, f"{name} logs with {driver}, which ships lines elsewhere",
                       "keep the log on the engine (a driver whose files docker logs reads) and bound its files",
                       code="shipping-driver")
    if "max-size" in options and size_bytes(options["max-size"]) is None:
        return Verdict(False, f"max-size is {options['max-size']!r}, not a size: the container could not start",
                       "a size is a number with an optional unit (k, m, g)", code="bad-size")
    budget, how = _budget_of(driver, options)
    if budget is None:
        return Verdict(False, f"{name} logs with {driver} and {how}: its log grows as long as it prints",
                       "json-file keeps every line unless told how large a file may grow (section 4)",
                       code="unbounded-log")
    if budget > budget_kb * 1024:
        return Verdict(False, f"{name}'s log keeps up to {budget // 1024} KB ({how}), more than {budget_kb} KB",
                       "the budget is the size of one file times the number of files kept", code="over-budget")
    if not seen["last_line"].startswith(LAST_LINE_11):
        return Verdict(False, f"{name}'s log does not end with the program's last line (it shows "
                              f"{seen['last_line'][:20]!r}; the container is {seen['status']})",
                       "run the same program as section 4, and give it time to finish", code="wrong-program")
    return Verdict(True, f"{name}'s log is capped at {budget // 1024} KB ({how}, {driver}), "
                         "and its newest line is kept")


@exercise("11.2")
def log_within_budget(name: str = "course11-ex-chatty", budget_kb: int = 100, creator: str = CREATOR) -> Verdict:
    """Exercise 11.2 (chapter 11)."""
    return judge_log(observe_log(name), budget_kb, creator)
