"""Chapter 02's exercise checkers (Images and containers): each observes the engine, then judges the record
(dockercourse/checks/common.py).

- Exercise 2.1, ``rescued_change``: the one file of the image a container changed, copied out to the host.
- Exercise 2.2, ``kept_build``: the build a tag named before a rebuild, still reachable by a name of its own.
- Exercise 2.3, ``server_stays_up``: a web server container that stays up, the server as its main process.
- Exercise 2.4, ``freed_but_kept``: the chapter's unused leftovers pruned, a named volume and its data kept.
"""

import hashlib
from pathlib import Path

from .. import LABEL
from ..engine import docker
from ..manifest import manifest_image
from ..progress import exercise
from ..wait import TimedOut, until
from .common import Verdict, container_facts, judge_label

WORK = Path("/tmp/dockercourse-02")


# --- Exercise 2.1: rescue a change before the container goes ------------------------------------

def _file_hashes(container: str, paths: list[str]) -> dict[str, str]:
    """The SHA-256 of each path that is a regular file in the (running) container."""
    if not paths:
        return {}
    listed = docker("exec", container, "sh", "-c", 'for p; do [ -f "$p" ] && sha256sum "$p"; done; true', "sh",
                    *paths, check=False)
    return {path: digest for digest, path in (line.split(None, 1) for line in listed.stdout.splitlines())}


def observe_rescued_change(container: str = "c02-mystery", rescued: str | Path = WORK / "rescued") -> dict:
    """What the container changed (docker diff), the hashes of its changed and added files, and the host file."""
    diff = docker("diff", container, check=False)
    changes = {line[2:]: line[0] for line in diff.stdout.splitlines() if line[1:2] == " "}
    candidates = sorted(path for path, kind in changes.items() if kind in "AC")
    path = Path(rescued)
    host = {"exists": path.exists(), "is_dir": path.is_dir(),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None}
    return {"container": container, "found": diff.returncode == 0, "changes": changes,
            "hashes": _file_hashes(container, candidates) if diff.returncode == 0 else {},
            "rescued": str(path), "host": host}


def judge_rescued_change(seen: dict) -> Verdict:
    """Exercise 2.1 (chapter 02): the host file is the container's copy of the one file of the image it changed."""
    container, rescued, host = seen["container"], seen["rescued"], seen["host"]
    if not seen["found"]:
        return Verdict(False, f"the engine has no container named {container}",
                       "run the exercise's first cell: it starts the container and its script", code="no-container")
    if not host["exists"]:
        return Verdict(False, f"nothing at {rescued} yet",
                       f"list what {container} changed compared with its image (section 1), find the file of the "
                       f"image among the changes, and copy the container's copy of it to {rescued}",
                       code="not-rescued")
    if host["is_dir"]:
        return Verdict(False, f"{rescued} is a directory: that copied a whole directory",
                       "a C on a directory only says that something inside it changed: copy the one file, "
                       f"after removing the directory (rm -r {rescued})", code="copied-a-directory")
    matches = [path for path, digest in seen["hashes"].items() if digest == host["sha256"]]
    kinds = {seen["changes"].get(path) for path in matches}
    if "C" in kinds:
        path = next(path for path in matches if seen["changes"][path] == "C")
        return Verdict(True, f"{rescued} holds {container}'s copy of {path}, a file of the image it changed: "
                             "the change is safe when the container goes")
    if "A" in kinds:
        return Verdict(False, f"{rescued} is a file the container added (A), not one of the image",
                       "the file to rescue came from the image and was changed: a C line, below a directory",
                       code="added-file")
    return Verdict(False, f"{rescued} is not the container's copy of any file it changed",
                   f"take the copy inside {container}, as it is now: a new container, or the image, still has the "
                   "original, without the change", code="not-the-changed-file")


@exercise("2.1")
def rescued_change(container: str = "c02-mystery", rescued: str | Path = WORK / "rescued") -> Verdict:
    """Exercise 2.1 (chapter 02): what the checker cell calls."""
    return judge_rescued_change(observe_rescued_change(container, rescued))


# --- Exercise 2.2: keep the build production runs -----------------------------------------------

def observe_kept_build(tag: str = "course02/demo:1.0", repository: str = "course02/prod",
                       before: str | Path = WORK / "before-rebuild") -> dict:
    """The image ID the tag named before the rebuild (as the rebuild cell wrote it down), the one it names now,
    the names in `repository` with their IDs, the other names of the old build, and whether the engine has it."""
    noted = Path(before)
    before_id = noted.read_text().strip() if noted.is_file() else ""
    listed = docker("image", "ls", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", check=False)
    names = dict(line.rsplit(" ", 1) for line in listed.stdout.splitlines() if " " in line)
    exists = bool(before_id) and docker("image", "inspect", before_id, check=False).returncode == 0
    return {"tag": tag, "repository": repository, "before": before_id, "now": names.get(tag, ""),
            "kept": {name: image for name, image in names.items() if name.startswith(repository + ":")},
            "other_names": sorted(name for name, image in names.items()
                                  if image == before_id and before_id and name != tag),
            "exists": exists}


def judge_kept_build(seen: dict) -> Verdict:
    """Exercise 2.2 (chapter 02): a name in the repository still leads to the build the tag named before."""
    tag, repository, before, now = seen["tag"], seen["repository"], seen["before"], seen["now"]
    if not before:
        return Verdict(False, "the rebuild cell has not run yet",
                       "run the cell after the starting cell: it notes which image production runs, then rebuilds",
                       code="no-rebuild")
    kept = [name for name, image in seen["kept"].items() if image == before]
    if kept:
        return Verdict(True, f"{kept[0]} still leads to the build production ran ({before[:19]}…), while {tag} "
                             "moved to the new one")
    if seen["kept"] and set(seen["kept"].values()) == {now}:
        return Verdict(False, f"{', '.join(sorted(seen['kept']))} leads to the new build, the same as {tag}: "
                              "it was named after the rebuild",
                       f"the name has to exist before the rebuild: give it, then run the rebuild cell again "
                       f"(production's build is then the one {tag} names at that moment)", code="named-the-new-build")
    if seen["other_names"]:
        return Verdict(False, f"{', '.join(seen['other_names'])} keeps production's build, but the exercise asks for "
                              f"a name in {repository}",
                       f"give it a name in {repository} as well (any version), then run the rebuild cell again",
                       code="kept-elsewhere")
    if seen["exists"]:
        return Verdict(False, "production's build is still in the engine, but no name leads to it: a dangling image "
                              "(the classic image store), deleted by the next image prune",
                       f"give production's build a name in {repository} before the rebuild, then run the rebuild "
                       "cell again", code="left-dangling")
    return Verdict(False, f"no name leads to the build production ran: the rebuild moved {tag} to the new build, "
                          "and the engine deleted the old one",
                   f"a rebuild moves a name (section 4): before the rebuild, give the build that {tag} names a "
                   f"second name in {repository}; then run the rebuild cell again", code="build-lost")


@exercise("2.2")
def kept_build(tag: str = "course02/demo:1.0", repository: str = "course02/prod",
               before: str | Path = WORK / "before-rebuild") -> Verdict:
    """Exercise 2.2 (chapter 02): what the checker cell calls."""
    return judge_kept_build(observe_kept_build(tag, repository, before))


# --- Exercise 2.3: a server that will not stay up -----------------------------------------------

def _ended(name: str) -> dict | None:
    """The container's facts if it has ended (or no longer exists: an empty dict); None while it runs or restarts."""
    facts = container_facts(name)
    if facts is None:
        return {}
    return facts if facts["status"] in ("exited", "dead", "created") else None


def observe_server(name: str = "c02-server", port: int = 8000, watch_s: float = 3) -> dict:
    """The container's facts after watching it `watch_s` seconds (and how often the engine restarted it meanwhile),
    what runs as its PID 1, and whether something answers HTTP on `port` inside it."""
    first = container_facts(name)
    if first is None:
        return {"name": name, "port": port, "facts": None}
    try:
        until(lambda: _ended(name), timeout=watch_s, every=0.5, what=f"{name} ended")
    except TimedOut:
        pass  # still running (or restarting) after the watch
    facts = container_facts(name)
    if facts is None:
        return {"name": name, "port": port, "facts": None}
    pid1, answers = "", False
    if facts["status"] == "running":
        pid1 = docker("exec", name, "cat", "/proc/1/cmdline", check=False).stdout.replace("\0", " ").strip()
        probe = f"import urllib.request as u; print(u.urlopen('http://127.0.0.1:{port}/', timeout=3).status)"
        answers = docker("exec", name, "python", "-c", probe, check=False).stdout.strip() == "200"
    return {"name": name, "port": port, "facts": facts,
            "restarts_meanwhile": facts["restart_count"] - first["restart_count"], "pid1": pid1, "answers": answers}


#: What may run as PID 1 in front of the server: Docker's init (`--init`, tini), which forwards signals to it.
INITS = ("docker-init", "tini")


def _server_is_main(pid1: str) -> bool:
    """Whether the container's PID 1 is the web server itself (python -m http.server), or an init that runs it."""
    words = pid1.split()
    program = words[0].rsplit("/", 1)[-1] if words else ""
    return "http.server" in words and (program.startswith("python") or program in INITS)


def judge_server(seen: dict, creator: str = "02") -> Verdict:
    """Exercise 2.3 (chapter 02): the container stays up, with the web server as its main process, answering."""
    name, facts = seen["name"], seen["facts"]
    if facts is None:
        return Verdict(False, f"the engine has no container named {name}",
                       "run the exercise's setup cell to see the problem, or run your repaired container under "
                       "that name", code="no-container")
    unlabelled = judge_label(facts, creator)
    if unlabelled is not None:
        return unlabelled
    if facts["status"] == "restarting" or seen["restarts_meanwhile"] > 0:
        return Verdict(False, f"{name} keeps ending, and the engine keeps starting it again: its RestartCount "
                              f"climbs, and its exit code is {facts['exit_code']}",
                       "a restart policy starts a container again after its main process ended; it cannot keep it "
                       "up. Exit code 0 means that process finished: what does the container's command do once "
                       "it has started the server? (docker inspect shows the command; section 5)", code="crash-loop")
    if facts["status"] != "running" and facts["exit_code"] == 0:
        return Verdict(False, f"{name} exited with 0: its main process finished at once",
                       "a container runs as long as its main process (section 5): look at what the command does "
                       "once the server has started", code="main-process-ended")
    if facts["status"] != "running":
        return Verdict(False, f"{name} exited with {facts['exit_code']}",
                       f"docker logs {name} says why the server stopped", code="server-failed")
    if not _server_is_main(seen["pid1"]):
        return Verdict(False, f"{name} stays up, but its main process is `{seen['pid1'] or '?'}`, not the server",
                       "if the server dies, the container keeps running and nobody notices, and docker stop "
                       "signals the wrong process: make the server itself the container's main process",
                       code="server-not-main-process")
    if not seen["answers"]:
        return Verdict(False, f"{name} runs the server as its main process, but nothing answers on port "
                              f"{seen['port']} inside the container", f"serve on port {seen['port']}",
                       code="server-not-answering")
    return Verdict(True, f"{name} stays up with `{seen['pid1']}` as its main process (PID 1), answering on port "
                         f"{seen['port']}")


@exercise("2.3")
def server_stays_up(name: str = "c02-server", port: int = 8000, creator: str = "02") -> Verdict:
    """Exercise 2.3 (chapter 02): what the checker cell calls."""
    return judge_server(observe_server(name, port), creator)


# --- Exercise 2.4: free the space, keep the data ------------------------------------------------

def observe_leftovers(volume: str = "c02-orders", data_file: str = "orders.csv", creator: str = "02") -> dict:
    """What the chapter's label still marks (containers with their state, named and anonymous volumes), and the
    data file in the volume to keep."""
    label = f"label={LABEL}={creator}"
    containers = docker("ps", "-a", "--filter", label, "--format", "{{.Names}} {{.State}}", check=False).stdout
    named = docker("volume", "ls", "--quiet", "--filter", label, check=False).stdout.split()
    anonymous = docker("volume", "ls", "--quiet", "--filter", label, "--filter", "label=com.docker.volume.anonymous",
                       check=False).stdout.split()
    data = None
    if volume in named:
        read = docker("run", "--rm", "--label", f"{LABEL}={creator}", "-v", f"{volume}:/data:ro",
                      manifest_image("python").name, "cat", f"/data/{data_file}", check=False)
        data = read.stdout if read.returncode == 0 else ""
    return {"volume": volume, "data_file": data_file,
            "containers": dict(line.split(" ", 1) for line in containers.splitlines() if " " in line),
            "volumes": sorted(set(named) - set(anonymous)), "anonymous": sorted(anonymous), "data": data}


def judge_leftovers(seen: dict) -> Verdict:
    """Exercise 2.4 (chapter 02): no stopped container and no anonymous volume left; the named volume and its data
    still there."""
    volume = seen["volume"]
    if seen["data"] is None:
        return Verdict(False, f"{volume} is gone, and the orders with it: a named volume no container used was "
                              "deleted",
                       "that is the data-loss case of section 8 (which command deletes named volumes?); run the "
                       "exercise's setup cell again and keep the volume this time", code="data-deleted")
    if "order 1" not in seen["data"]:
        return Verdict(False, f"{volume} exists, but {seen['data_file']} is not in it: a new, empty volume under the "
                              "old name",
                       "deleting a volume deletes its data, and creating one by the same name brings nothing back; "
                       "run the setup cell again and keep the volume this time", code="data-replaced")
    stopped = sorted(name for name, state in seen["containers"].items() if state != "running")
    if stopped:
        return Verdict(False, f"stopped containers are still there: {', '.join(stopped)}",
                       "stopped containers keep their writable layers and logs: section 8's table says which "
                       "command deletes them", code="stopped-containers-left")
    if seen["anonymous"]:
        return Verdict(False, f"{len(seen['anonymous'])} anonymous volume(s) of the chapter left, used by no "
                              "container",
                       "removing a container does not remove its anonymous volume: section 8's table says which "
                       "command deletes unused anonymous volumes and keeps named ones", code="anonymous-volume-left")
    return Verdict(True, f"no stopped container and no anonymous volume of the chapter left; {volume} and its "
                         f"{seen['data_file']} kept")


@exercise("2.4")
def freed_but_kept(volume: str = "c02-orders", data_file: str = "orders.csv", creator: str = "02") -> Verdict:
    """Exercise 2.4 (chapter 02): what the checker cell calls."""
    return judge_leftovers(observe_leftovers(volume, data_file, creator))

