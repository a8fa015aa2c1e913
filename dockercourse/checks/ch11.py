"""Chapter 11's exercise checkers (ship and operate).

Each returns a Verdict, with a hint when the answer is not there yet.
"""

import re
from pathlib import Path

from .. import CourseError
from ..engine import docker
from .common import Verdict, inspect_container, not_labelled

SCRATCH_11 = Path("/tmp/dockercourse-11")
UNITS_11 = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def _size_bytes_11(text: str) -> int | None:
    """Docker's size option (`50k`, `10m`, `1g`, `2048`) in bytes; None when it is not one."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([bkmg]?)b?", text.strip().lower())
    return int(float(found.group(1)) * UNITS_11[found.group(2)]) if found else None


def log_capped(name: str = "course11-ex-chatty", max_size_kb: int = 50, max_files: int = 2,
               creator: str = "11") -> Verdict:
    """Exercise 11.1 (chapter 11): the container's json-file log keeps at most max_files × max_size_kb."""
    container = inspect_container(name)
    if container is None:
        return Verdict(False, f"there is no container {name}",
                       f"fill both blanks (max-size={max_size_kb}k, max-file={max_files}) and run the cell; "
                       "the ____ left in makes `docker run` refuse the option")
    if (unlabelled := not_labelled(container, name, creator)) is not None:
        return unlabelled
    log = container["HostConfig"]["LogConfig"]
    options = log.get("Config") or {}
    if "max-size" not in options:
        return Verdict(False, f"{name} logs with {log['Type']} and no max-size: its log grows without limit",
                       f"remove it (docker rm -f {name}) and run it with --log-opt max-size={max_size_kb}k "
                       f"--log-opt max-file={max_files}")
    size, files = _size_bytes_11(options["max-size"]), options.get("max-file", "1")
    if size is None:
        return Verdict(False, f"max-size is {options['max-size']!r}, not a size: the container could not start",
                       f"remove it (docker rm -f {name}), then fill the blanks: max-size={max_size_kb}k "
                       f"max-file={max_files}")
    if size > max_size_kb * 1024:
        return Verdict(False, f"max-size is {options['max-size']}, more than {max_size_kb} KB",
                       f"write the size with a unit: max-size={max_size_kb}k (k = KB); then rm -f {name} and rerun")
    if not files.isdigit() or int(files) > max_files:
        return Verdict(False, f"max-file is {files}: the log keeps up to {files} files, not {max_files}",
                       f"max-file counts the files kept, the current one included: max-file={max_files}")
    try:
        docker("wait", name, timeout=60, check=False)
        kept = len(docker("logs", name, check=False).stdout.encode())
    except CourseError as error:
        return Verdict(False, f"{name} did not finish: {error}", f"look at it: docker logs --tail 3 {name}")
    limit = max_files * max_size_kb * 1024
    if kept > limit * 1.1:
        return Verdict(False, f"docker logs still holds {kept} bytes, more than {limit}",
                       f"use the json-file or local driver (no --log-driver): rm -f {name} and rerun")
    return Verdict(True, f"{name}'s log is capped at {max_files} × {options['max-size']}: "
                         f"docker logs keeps {'at most ' if kept <= limit else 'about '}{limit // 1024} KB "
                         "of its 2,020,000 bytes")


def deployed_digest(version: str = "1.1.0", project: str = "course11", service: str = "web",
                    scratch: Path = SCRATCH_11) -> Verdict:
    """Exercise 11.2 (chapter 11): the service runs the image of `version` by the digest the pipeline saved."""
    digest_file = scratch / f"{version}.digest"
    if not digest_file.is_file():
        return Verdict(False, f"there is no {digest_file}",
                       "run the pipeline cells of section 2.5 first: they push each version and save its digest")
    wanted = digest_file.read_text().strip()
    ids = docker("ps", "--quiet", "--filter", f"label=com.docker.compose.project={project}",
                 "--filter", f"label=com.docker.compose.service={service}").stdout.split()
    if not ids:
        return Verdict(False, f"project {project} has no running {service} container",
                       f"bring the stack up: WEB_IMAGE=$(cat {digest_file}) docker compose -p {project} "
                       "-f ../sample_app/compose.ship.yaml up -d --wait")
    image = inspect_container(ids[0])["Config"]["Image"]
    if image == wanted:
        return Verdict(True, f"{service} runs {version} by its digest ({wanted.rsplit('@', 1)[-1][:19]}…)")
    others = {path.stem: path.read_text().strip() for path in scratch.glob("*.digest")}
    running = next((v for v, digest in others.items() if digest == image), None)
    if running is not None:
        return Verdict(False, f"{service} still runs {running}'s digest",
                       f"put the version to deploy in the file name: $(cat {scratch}/{version}.digest); "
                       "an empty WEB_IMAGE makes Compose stop before it changes anything")
    if "@sha256:" not in image:
        return Verdict(False, f"{service} runs {image}, a tag, not a digest",
                       f"a tag can move; deploy the digest saved in {digest_file}: WEB_IMAGE=$(cat {digest_file})")
    return Verdict(False, f"{service} runs {image}, not {version}'s digest",
                   f"deploy the digest saved in {digest_file}: WEB_IMAGE=$(cat {digest_file})")
