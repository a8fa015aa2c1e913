"""Chapter 08's exercise checkers (data and the dev loop): each observes, then judges (checks/common.py).

- Exercise 8.1, ``volume_backup``: an archive on the host holds every file of a volume, with relative paths.
- Exercise 8.2, ``report_job``: a job that could not write into a bind-mounted host directory now can, neither as
  root nor through a directory that everyone may write.
- Exercise 8.3, ``read_only_app``: the app runs healthy on a read-only root filesystem with a bounded tmpfs at /tmp.
"""

import hashlib
import json
import tarfile
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

from ..engine import docker
from ..manifest import manifest_image
from ..progress import exercise
from ..wait import TimedOut, until
from .common import Verdict, container_facts, judge_label

#: The largest tmpfs at /tmp that Exercise 8.3 accepts: "at most 16 MB (any limit up to 64 MB passes)".
TMPFS_LIMIT_08 = 64 * 2**20

# --- Exercise 8.1 -------------------------------------------------------------------------------------------------

#: Run in a throwaway container with the volume at /v: every regular file's relative path and sha256, as JSON.
_VOLUME_DIGESTS = """\
import hashlib, json, os
found = {}
for top, _, names in os.walk('/v'):
    for name in names:
        path = os.path.join(top, name)
        found[os.path.relpath(path, '/v')] = hashlib.sha256(open(path, 'rb').read()).hexdigest()
print(json.dumps(found))
"""


def _archive_digests_08(path: Path) -> dict:
    """{"exists", "error", "files": {name as stored: sha256}} of a tar archive on the notebook's machine."""
    if not path.is_file():
        return {"exists": False, "error": None, "files": {}}
    try:
        with tarfile.open(path, "r:*") as archive:
            files = {member.name: hashlib.sha256(archive.extractfile(member).read()).hexdigest()
                     for member in archive.getmembers() if member.isfile()}
    except (tarfile.TarError, EOFError, OSError) as error:
        return {"exists": True, "error": str(error)[:120], "files": {}}
    return {"exists": True, "error": None, "files": files}


def _volume_digests_08(volume: str) -> dict:
    """{"exists", "error", "files": {relative path: sha256}} of a volume, read by a throwaway container that carries
    the volume's own creator label (so that only that creator's cleanup could ever see it)."""
    inspected = docker("volume", "inspect", volume, check=False)
    if inspected.returncode != 0:
        return {"exists": False, "error": None, "files": {}}
    creator = (json.loads(inspected.stdout)[0].get("Labels") or {}).get("dockercourse", "08")
    read = docker("run", "--rm", "--label", f"dockercourse={creator}", "--mount", f"type=volume,src={volume},dst=/v,"
                  "readonly", manifest_image("python").name, "python", "-c", _VOLUME_DIGESTS, check=False)
    if read.returncode != 0:
        return {"exists": True, "error": (read.stderr.strip() or "no message")[:120], "files": {}}
    return {"exists": True, "error": None, "files": json.loads(read.stdout)}


def observe_volume_backup(archive: str, volume: str) -> dict:
    """Exercise 8.1: what the archive holds and what the volume holds, each file as a sha256 digest."""
    return {"archive": {"path": archive, **_archive_digests_08(Path(archive))}, "volume": {"name": volume,
                                                                                         **_volume_digests_08(volume)}}


def _unreadable_08(seen: dict) -> Verdict | None:
    """A failing verdict when the archive or the volume cannot be read at all."""
    archive, volume = seen["archive"], seen["volume"]
    name = PurePosixPath(archive["path"]).name
    if not archive["exists"]:
        return Verdict(False, f"there is no archive {archive['path']} yet",
                       "read the volume with a throwaway container (section 1), and get tar's archive out of it to "
                       "the host: section 3 showed the ways out of a container", code="no-archive")
    if archive["error"]:
        return Verdict(False, f"{name} is not a gzipped tar archive ({archive['error']})",
                       "let tar write it, compressed with gzip: tar's own options for create, gzip and the output "
                       "file, not a redirect of something else", code="not-a-tar")
    if not volume["exists"]:
        return Verdict(False, f"the volume {volume['name']} does not exist",
                       "run the cell above the exercise that creates it and writes the notes", code="no-volume")
    if volume["error"]:
        return Verdict(False, f"could not read the volume {volume['name']}: {volume['error']}",
                       "run the check again; if it fails the same way, read that error", code="volume-unreadable")
    return None


def _relative_08(files: dict) -> dict:
    return {name.removeprefix("./"): digest for name, digest in files.items()}


def judge_volume_backup(seen: dict) -> Verdict:
    """Exercise 8.1, judged: every file of the volume is in the archive, unchanged, at its path relative to the
    volume's root."""
    if (unreadable := _unreadable_08(seen)) is not None:
        return unreadable
    name = PurePosixPath(seen["archive"]["path"]).name
    stored, wanted = _relative_08(seen["archive"]["files"]), seen["volume"]["files"]
    if not stored:
        return Verdict(False, f"{name} holds no files",
                       "tar read an empty directory: mount the volume where tar reads, and archive that directory",
                       code="empty-archive")
    if set(stored) != set(wanted) and {path.split("/", 1)[-1] for path in stored} == set(wanted):
        first = sorted(stored)[0]
        return Verdict(False, f"the paths in {name} start with a directory the volume does not have ({first})",
                       "archive the files relative to the volume's root (tar can change into a directory first), so "
                       "that the archive unpacks into any directory", code="paths-include-mount-point")
    missing = sorted(set(wanted) - set(stored))
    if missing:
        return Verdict(False, f"{name} lacks {', '.join(missing)}, which the volume holds",
                       "archive the whole volume, every directory in it", code="files-missing")
    changed = sorted(path for path, digest in wanted.items() if stored[path] != digest)
    if changed:
        return Verdict(False, f"{', '.join(changed)} in {name} differs from the volume's",
                       "back up again: the volume changed since the archive was written", code="files-differ")
    return Verdict(True, f"{name} holds every file of the volume {seen['volume']['name']} "
                         f"({', '.join(sorted(wanted))}), with paths relative to it")


@exercise("8.1")
def volume_backup(archive: str = "/tmp/dockercourse-08/backup/notes.tgz", volume: str = "course08-notes") -> Verdict:
    """Exercise 8.1 (chapter 08): `archive` is a gzipped tar of every file in `volume`, with relative paths."""
    return judge_volume_backup(observe_volume_backup(archive, volume))


# --- Exercise 8.2 -------------------------------------------------------------------------------------------------

#: Run in a throwaway container with the directory at /d: its owner and mode, and the report's, as JSON.
_DIRECTORY_FACTS = """\
import json, os
def facts(path):
    try:
        found = os.stat(path)
    except OSError:
        return None
    return {"uid": found.st_uid, "gid": found.st_gid, "mode": found.st_mode & 0o7777, "size": found.st_size}
print(json.dumps({"directory": facts("/d"), "report": facts("/d/report.txt")}))
"""


def observe_report_job(name: str, directory: str, creator: str = "08") -> dict:
    """Exercise 8.2: the job's container (user, status, exit code, the end of its log), and the directory and the
    report as the engine sees them (a throwaway container reads them, which works on Docker Desktop too)."""
    facts = container_facts(name)
    seen = {"container": None, "log": [], "directory": None, "report": None, "directory_path": directory}
    if facts is not None:
        seen["container"] = {key: facts[key] for key in ("name", "labels", "status", "running", "exit_code", "user")}
        logs = docker("logs", "--tail", "5", name, check=False)
        seen["log"] = (logs.stdout + logs.stderr).strip().splitlines()[-5:]
    read = docker("run", "--rm", "--label", f"dockercourse={creator}", "--mount",
                  f"type=bind,src={directory},dst=/d,readonly", manifest_image("python").name, "python", "-c",
                  _DIRECTORY_FACTS, check=False)
    if read.returncode == 0:
        seen.update(json.loads(read.stdout))
    return seen


def _as_root_08(user: str) -> bool:
    """A container's user (Config.User, the image's USER when the run gave none) is root: "", 0, root, 0:…"""
    return user.split(":")[0] in ("", "0", "root")


def _judge_run_08(seen: dict, name: str) -> Verdict | None:
    """The job's container: there, finished, not root, exited with 0."""
    container = seen["container"]
    if container is None:
        return Verdict(False, f"there is no container {name}",
                       f"run the job again under the name {name} (remove the old one first)", code="no-container")
    if container["running"]:
        return Verdict(False, f"{name} is still running", "wait a moment, then run the check again",
                       code="still-running")
    if _as_root_08(container["user"]):
        return Verdict(False, f"{name} ran as root: it could write, and so could any bug or attacker in it",
                       "run the job as a user that owns what it writes, not as root", code="runs-as-root")
    if (seen["directory"] or {}).get("mode", 0) & 0o002:
        return Verdict(False, f"{seen['directory_path']} is writable by everyone now",
                       "put its mode back to what it was (755) and make the job's user and the directory's owner "
                       "agree instead", code="world-writable")
    if container["exit_code"] != 0:
        log = " / ".join(seen["log"])[-160:] or "(empty)"
        if "Permission denied" in log:
            return Verdict(False, f"{name} exited with {container['exit_code']}: its log says {log}",
                           "the kernel compares numbers: which uid does the job run as (docker inspect), and who owns "
                           "the directory, with which mode (ls -ln)? Make the two agree, without root and without "
                           "opening the directory to everyone", code="permission-denied")
        return Verdict(False, f"{name} exited with {container['exit_code']}: its log says {log}",
                       "run the same command as the setup did; read the log for what else went wrong",
                       code="job-failed")
    return None


def judge_report_job(seen: dict, name: str = "course08-report", creator: str = "08") -> Verdict:
    """Exercise 8.2, judged: the job ran, not as root, exited with 0, and its report is in the directory, not
    root's, while the directory is not writable by everyone."""
    if seen["container"] is not None and (unlabelled := judge_label(seen["container"], creator)) is not None:
        return unlabelled
    if (wrong := _judge_run_08(seen, name)) is not None:
        return wrong
    report = seen["report"]
    if report is None:
        return Verdict(False, f"{name} exited with 0, but there is no report.txt in {seen['directory_path']}",
                       "mount that directory where the job writes its report", code="no-report")
    if report["uid"] == 0:
        return Verdict(False, "report.txt belongs to root", "run the job as a user other than root",
                       code="report-owned-by-root")
    owner = seen["directory"]["uid"]
    return Verdict(True, f"{name} exited with 0 as user {seen['container']['user']}; report.txt belongs to uid "
                         f"{report['uid']}, the directory to uid {owner}, mode {seen['directory']['mode']:o}")


@exercise("8.2")
def report_job(name: str = "course08-report", directory: str = "/tmp/dockercourse-08/reports",
               creator: str = "08") -> Verdict:
    """Exercise 8.2 (chapter 08): the report job writes into the bind-mounted directory, neither as root nor
    through a directory that everyone may write."""
    return judge_report_job(observe_report_job(name, directory, creator), name, creator)


# --- Exercise 8.3 -------------------------------------------------------------------------------------------------

#: Run inside the app's container: may it write /app and /tmp, what is mounted at /tmp, and how big it is.
_INSIDE = """\
import json, os
def writable(path):
    try:
        open(os.path.join(path, '.dockercourse-probe'), 'w').close()
        os.remove(os.path.join(path, '.dockercourse-probe'))
        return True
    except OSError:
        return False
mount = next((line.split() for line in open('/proc/mounts') if line.split()[1] == '/tmp'), None)
fs = os.statvfs('/tmp')
print(json.dumps({"app_writable": writable('/app'), "tmp_writable": writable('/tmp'),
                  "tmp_fs": mount[2] if mount else None, "tmp_size": fs.f_blocks * fs.f_frsize}))
"""


def _settled_08(name: str, timeout: float) -> dict | None:
    """The container's facts once its health is no longer "starting" (or `timeout` seconds have passed)."""
    facts = container_facts(name)
    try:
        until(lambda: (found := container_facts(name)) is None or found["health"] != "starting", timeout, every=0.5,
              what=f"{name} leaving the starting state")
    except TimedOut:
        pass
    return container_facts(name) or facts


def _page_08(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return {"error": None, "hello": "Hello" in response.read().decode()}
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        return {"error": str(getattr(error, "reason", error))[:80], "hello": False}


def observe_read_only_app(name: str, port: int) -> dict:
    """Exercise 8.3: the container (its facts once it has started), what it may write and what /tmp is from the
    inside, and what 127.0.0.1:`port` answers."""
    facts = container_facts(name)
    if facts is None:
        return {"container": None, "inside": None, "page": None}
    facts = _settled_08(name, timeout=40) if facts["running"] else facts
    inside = None
    if facts["running"]:
        probe = docker("exec", name, "python", "-c", _INSIDE, check=False)
        inside = json.loads(probe.stdout) if probe.returncode == 0 else None
    keys = ("name", "labels", "status", "running", "exit_code", "health", "read_only", "ports")
    return {"container": {key: facts[key] for key in keys}, "inside": inside, "page": _page_08(port)}


def _judge_tmp_08(inside: dict, name: str) -> Verdict | None:
    """/tmp inside: writable, a tmpfs, bounded."""
    if inside["app_writable"]:
        return Verdict(False, f"{name} could write /app", "make the whole root filesystem read-only",
                       code="app-writable")
    if not inside["tmp_writable"]:
        return Verdict(False, f"{name} cannot write /tmp", "give /tmp a place in memory to write to",
                       code="tmp-not-writable")
    if inside["tmp_fs"] != "tmpfs":
        return Verdict(False, f"/tmp in {name} is writable, but it is {inside['tmp_fs'] or 'the root filesystem'}, "
                              "not a tmpfs", "mount a tmpfs at /tmp, not a volume or a directory",
                       code="tmp-not-tmpfs")
    if inside["tmp_size"] > TMPFS_LIMIT_08:
        return Verdict(False, f"the tmpfs at /tmp may grow to {inside['tmp_size'] / 2**30:.1f} GiB",
                       "without a size a tmpfs may take half the machine's memory: give it a limit of 16 MB "
                       "(section 6 bounded one)", code="tmpfs-unbounded")
    return None


def _judge_state_08(seen: dict, name: str) -> Verdict | None:
    """The container: read-only, running, healthy, and its inside observed."""
    container = seen["container"]
    if not container["read_only"]:
        return Verdict(False, f"{name}'s root filesystem is writable",
                       f"remove it (docker rm -f {name}) and run it again with a read-only root filesystem",
                       code="root-writable")
    if not container["running"]:
        return Verdict(False, f"{name} is not running (exit code {container['exit_code']})",
                       f"read why: docker logs {name}; then remove it and run it again", code="not-running")
    if container["health"] != "healthy":
        return Verdict(False, f"{name} is running but {container['health'] or 'has no health status'}",
                       f"read its healthcheck's last results: docker inspect {name}", code="unhealthy")
    if seen["inside"] is None:
        return Verdict(False, f"could not look inside {name}", "run the check again", code="inside-unreadable")
    return None


def judge_read_only_app(seen: dict, port: int = 8081, name: str = "course08-ro", creator: str = "08") -> Verdict:
    """Exercise 8.3, judged: read-only, healthy, /tmp a tmpfs of at most 64 MiB, the app answering on `port`."""
    if seen["container"] is None:
        return Verdict(False, f"there is no container {name} yet",
                       "section 6 ran the app with a read-only root filesystem; a tmpfs takes a size in either of the "
                       "two ways to write it", code="no-container")
    for problem in (judge_label(seen["container"], creator), _judge_state_08(seen, name),
                    _judge_tmp_08(seen["inside"] or {"app_writable": False, "tmp_writable": True,
                                                     "tmp_fs": "tmpfs", "tmp_size": 0}, name)):
        if problem is not None:
            return problem
    if seen["page"]["error"]:
        return Verdict(False, f"nothing answered on 127.0.0.1:{port} ({seen['page']['error']})",
                       f"publish the app's port 8000 on 127.0.0.1:{port}", code="not-published")
    if not seen["page"]["hello"]:
        return Verdict(False, f"127.0.0.1:{port} answered, but not with the sample app's home page",
                       "run the sample app's image, course08-app:1.0", code="wrong-page")
    size = seen["inside"]["tmp_size"] / 2**20
    return Verdict(True, f"{name} runs read-only, healthy, with a {size:.0f} MiB tmpfs at /tmp, cannot write /app, "
                         f"and answers on 127.0.0.1:{port}")


@exercise("8.3")
def read_only_app(name: str = "course08-ro", port: int = 8081, creator: str = "08") -> Verdict:
    """Exercise 8.3 (chapter 08): the app runs healthy with a read-only root filesystem and a bounded tmpfs at /tmp."""
    return judge_read_only_app(observe_read_only_app(name, port), port, name, creator)
