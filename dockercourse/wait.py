"""Waiting, bounded, for a container to become healthy or a published port to answer.

Used by: chapters that start services (04–06) and the sample app's engine tests.
"""

import time
import urllib.error
import urllib.request

from . import CourseError
from .engine import docker


def wait_healthy(container: str, timeout: float = 60) -> float:
    """Wait until the container's HEALTHCHECK reports healthy; return the seconds it took."""
    start = time.monotonic()
    status = "unknown"
    while time.monotonic() - start < timeout:
        status = docker("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}"
                        " {{.State.Status}}", container).stdout.strip()
        health, state = status.split()
        if health == "healthy":
            return time.monotonic() - start
        if health == "none" or state in ("exited", "dead"):
            break
        time.sleep(0.2)
    logs = docker("logs", "--tail", "5", container, check=False)
    last = (logs.stdout + logs.stderr).strip().splitlines()[-1:] or ["(no logs)"]
    raise CourseError(f"container {container} is not healthy (health, state: {status}) after "
                      f"{time.monotonic() - start:.0f} s; last log line: {last[0]} — read `docker logs {container}`")


def wait_http(url: str, timeout: float = 30) -> tuple[int, str]:
    """Wait until `url` answers (any HTTP status); return the status and the body."""
    start = time.monotonic()
    last_error = "no answer"
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = str(getattr(error, "reason", error))
            time.sleep(0.2)
    raise CourseError(f"{url} did not answer within {timeout:.0f} s ({last_error}): "
                      "is the container running and the port published (`docker ps`)?")
