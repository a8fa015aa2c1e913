"""Chapter 08's exercise checkers (data and the dev loop).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import base64
import json
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from ..engine import docker
from ..manifest import manifest_image
from .common import Verdict, inspect_container, not_labelled

BACKUP_MOUNTS_08 = ("--mount type=volume,src={volume},dst=/notes,readonly "
                    "--mount type=bind,src={directory},dst=/backup")


def _volume_files_08(volume: str) -> dict[str, bytes] | None:
    """The regular files of a volume, by path relative to its root, read by a throwaway container; None if absent."""
    inspected = docker("volume", "inspect", volume, check=False)
    if inspected.returncode != 0:
        return None
    # The reader carries the volume's own creator label, so that only that creator's cleanup removes it.
    creator = (json.loads(inspected.stdout)[0].get("Labels") or {}).get("dockercourse", "08")
    script = ("import os, json, base64\n"
              "found = {}\n"
              "for top, _, names in os.walk('/v'):\n"
              "    for name in names:\n"
              "        path = os.path.join(top, name)\n"
              "        found[os.path.relpath(path, '/v')] = base64.b64encode(open(path, 'rb').read()).decode()\n"
              "print(json.dumps(found))")
    result = docker("run", "--rm", "--label", f"dockercourse={creator}", "--mount",
                    f"type=volume,src={volume},dst=/v,readonly", manifest_image("python").name, "python", "-c", script,
                    check=False)
    if result.returncode != 0:
        return {"": (result.stderr.strip() or "no message").encode()}  # the reader failed: its error, under ""
    return {path: base64.b64decode(data) for path, data in json.loads(result.stdout).items()}


def volume_backup(archive: str = "/tmp/dockercourse-08/backup/notes.tgz", volume: str = "course08-notes") -> Verdict:
    """Exercise 8.1 (chapter 08): `archive` is a gzipped tar of every file in `volume`, with relative paths."""
    mounts = BACKUP_MOUNTS_08.format(volume=volume, directory=str(Path(archive).parent))
    path = Path(archive)
    if not path.is_file():
        return Verdict(False, f"there is no archive {archive} yet",
                       f"the throwaway container needs the volume and a host directory to write to: replace ____ "
                       f"with {mounts.split(' --mount ')[0]} and --mount type=bind,… for {path.parent} at /backup")
    try:
        with tarfile.open(path, "r:*") as archive_file:
            members = {member.name: archive_file.extractfile(member).read()
                       for member in archive_file.getmembers() if member.isfile()}
    except (tarfile.TarError, EOFError, OSError) as error:
        return Verdict(False, f"{path.name} is not a tar archive ({error})",
                       "let tar write it: `tar -C /notes -czf /backup/notes.tgz .` (c create, z gzip, f file)")
    files = _volume_files_08(volume)
    if files is None:
        return Verdict(False, f"the volume {volume} does not exist",
                       "run the cell above the exercise that creates it and writes todo.txt")
    if "" in files:
        return Verdict(False, f"could not read the volume {volume}: {files[''].decode()[:100]}",
                       "run the check again; if it fails the same way, read that error")
    relative = {name.removeprefix("./"): data for name, data in members.items()}
    if not members:
        return Verdict(False, f"{path.name} holds no files",
                       "mount the volume at /notes (the path tar reads with -C /notes), and end the command with `.`")
    if any(name.startswith(("/", "notes/")) for name in relative):
        return Verdict(False, f"the paths in {path.name} start with the mount point ({sorted(relative)[0]})",
                       "use `-C /notes … .` so that the paths are relative to the volume and the archive unpacks "
                       "anywhere")
    missing = sorted(set(files) - set(relative))
    if missing:
        return Verdict(False, f"{path.name} lacks {', '.join(missing)}, which the volume holds",
                       f"archive the whole volume: `tar -C /notes -czf /backup/{path.name} .`")
    changed = sorted(name for name, data in files.items() if relative[name] != data)
    if changed:
        return Verdict(False, f"{', '.join(changed)} in {path.name} differs from the volume's",
                       "back up again: the volume changed since the archive was written")
    return Verdict(True, f"{path.name} holds every file of the volume {volume} ({', '.join(sorted(files))}), "
                         "with relative paths")


def _health_08(name: str, timeout: float) -> dict:
    """The container inspected once it is healthy, stopped, or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        container = inspect_container(name)
        health = ((container or {}).get("State", {}).get("Health") or {}).get("Status")
        if container is None or not container["State"]["Running"] or health != "starting" \
                or time.monotonic() > deadline:
            return container
        time.sleep(0.5)


def read_only_app(name: str = "course08-ro", port: int = 8081, image: str = "course08-app:1.0",
                  creator: str = "08") -> Verdict:
    """Exercise 8.2 (chapter 08): the app runs with a read-only root filesystem and a tmpfs at /tmp, healthy."""
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"there is no container {name} yet",
                       "replace ____ with the two options: --read-only, and a tmpfs mount at /tmp "
                       "(section 6 used both), then run the cell")
    if (wrong := not_labelled(container, name, creator)) is not None:
        return wrong
    host = container["HostConfig"]
    tmpfs = set(host.get("Tmpfs") or {}) | {mount["Target"] for mount in host.get("Mounts") or []
                                            if mount.get("Type") == "tmpfs"}
    if not host.get("ReadonlyRootfs"):
        return Verdict(False, f"{name}'s root filesystem is writable",
                       f"remove it (docker rm -f {name}) and run it again with --read-only")
    if "/tmp" not in tmpfs:
        return Verdict(False, f"{name} has a read-only root filesystem but no tmpfs at /tmp",
                       f"remove it (docker rm -f {name}) and add --tmpfs /tmp (or --mount type=tmpfs,dst=/tmp)")
    container = _health_08(name, timeout=30)
    if not container["State"]["Running"]:
        return Verdict(False, f"{name} is not running (exit code {container['State']['ExitCode']})",
                       f"read why: docker logs {name}; then docker rm -f {name} and run it again")
    health = (container["State"].get("Health") or {}).get("Status", "none")
    if health != "healthy":
        return Verdict(False, f"{name} is running but {health}", f"read its healthcheck: docker inspect {name}")
    writes = docker("exec", name, "sh", "-c", "touch /app/x 2>/dev/null; echo $?; touch /tmp/x 2>/dev/null; echo $?",
                    check=False).stdout.split()
    if writes[:1] == ["0"]:
        return Verdict(False, f"{name} could write /app", "run it with --read-only")
    if writes[1:2] != ["0"]:
        return Verdict(False, f"{name} cannot write /tmp", "add --tmpfs /tmp")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            body = response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        return Verdict(False, f"nothing answered on 127.0.0.1:{port} ({getattr(error, 'reason', error)})",
                       f"publish the app's port 8000 there: -p 127.0.0.1:{port}:8000")
    if "Hello" not in body:
        return Verdict(False, f"127.0.0.1:{port} answered, but not with the sample app's home page",
                       f"run the image {image}")
    return Verdict(True, f"{name} runs read-only with a tmpfs at /tmp, is healthy, cannot write /app, "
                         f"and answers on 127.0.0.1:{port}")



def _in_image_08(image: str, creator: str, script: str, *options: str) -> subprocess.CompletedProcess:
    """Run a shell script in a throwaway container of `image` (its own user, unless options say otherwise)."""
    return docker("run", "--rm", "--label", f"dockercourse={creator}", *options, image, "sh", "-c", script,
                  check=False)


def volume_writable_by_app(image: str = "course08-cache:1.0", path: str = "/cache", uid: int = 10001,
                           creator: str = "08") -> Verdict:
    """Exercise 8.3 (chapter 08): the image runs as `uid`, and a fresh volume at `path` is writable by it."""
    inspected = docker("image", "inspect", image, "--format", "{{.Config.User}}", check=False)
    if inspected.returncode != 0:
        return Verdict(False, f"there is no image {image} yet",
                       "run the build cell under the Dockerfile (docker build … -t " + image + " …)")
    user = inspected.stdout.strip()
    if user.split(":")[0] not in (str(uid), "app"):
        return Verdict(False, f"{image} runs as {user or 'root (no USER)'}, not as uid {uid}",
                       f"end the Dockerfile with USER {uid}: the app must not run as root to be allowed to write")
    found = _in_image_08(image, creator, f"stat -c '%u %a' {path} 2>/dev/null || echo missing").stdout.split()
    if found[:1] == ["missing"] or not found:
        return Verdict(False, f"{image} has no {path}",
                       f"as root (USER root), RUN mkdir {path} && chown {uid}:{uid} {path}; then USER {uid} again")
    owner, mode = found[0], found[1] if len(found) > 1 else "0"
    if int(mode, 8) & 0o002:
        return Verdict(False, f"{path} is writable by everyone (mode {mode})",
                       f"not chmod 777: give it to the app's user instead, chown {uid}:{uid} {path}")
    if owner != str(uid):
        return Verdict(False, f"{path} belongs to uid {owner} in the image, not to {uid}",
                       f"add chown {uid}:{uid} {path} to the RUN that creates it (as root, before USER {uid})")
    volume = f"course08-check-{uuid.uuid4().hex[:8]}"
    docker("volume", "create", "--label", f"dockercourse={creator}", volume)
    try:
        wrote = _in_image_08(image, creator, f"echo ok > {path}/probe && stat -c '%u' {path}",
                             "--mount", f"type=volume,src={volume},dst={path}")
    finally:
        docker("volume", "rm", "--force", volume, check=False)
    if wrote.returncode != 0:
        return Verdict(False, f"the app's user could not write to a fresh volume at {path}: "
                              f"{(wrote.stdout + wrote.stderr).strip()[:80]}",
                       f"create {path} in the image and chown it to {uid}, so that a new volume copies that owner")
    return Verdict(True, f"a fresh volume at {path} took the image's owner, uid {wrote.stdout.strip()}, "
                         f"and the app's user wrote to it")
