"""Waiting, bounded: ``until`` is the one poll loop of the course; a healthy container and an answering
URL are the two waits chapters call by name.

Used by: chapters that start services (01, 04–08), the checkers, the engine setup, the tests.
"""

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar

from . import CourseError
from .engine import docker

T = TypeVar("T")


class TimedOut(CourseError):
    """`until` gave up: the probe's last answer is kept, for the message that says what to do."""

    def __init__(self, message: str, last: object = None):
        super().__init__(message)
        self.last = last


def until(probe: Callable[[], T | None], timeout: float, every: float = 0.2, what: str = "the condition",
          give_up: Callable[[], bool] | None = None) -> T:
    """Call `probe` every `every` seconds until it returns something other than None (or False), and return
    that; after `timeout` seconds (or as soon as `give_up()` is true: waiting is pointless) raise TimedOut."""
    start = time.monotonic()
    last = None
    while True:
        last = probe()
        if last is not None and last is not False:
            return last
        if time.monotonic() - start >= timeout or (give_up is not None and give_up()):
            raise TimedOut(f"{what} did not happen within {timeout:.0f} s", last)
        time.sleep(every)


def elapsed(since: float) -> float:
    return time.monotonic() - since


def wait_healthy(container: str, timeout: float = 60) -> float:
    """Wait until the container's HEALTHCHECK reports healthy; return the seconds it took."""
    start = time.monotonic()

    def status() -> tuple[str, str]:
        return tuple(docker("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}"
                            " {{.State.Status}}", container).stdout.split())

    def hopeless() -> bool:  # no healthcheck at all, or the container stopped
        health, state = status()
        return health == "none" or state in ("exited", "dead")

    try:
        until(lambda: status()[0] == "healthy", timeout, what=f"container {container} healthy", give_up=hopeless)
    except TimedOut:
        logs = docker("logs", "--tail", "5", container, check=False, merge=True)
        last = logs.stdout.strip().splitlines()[-1:] or ["(no logs)"]
        raise CourseError(f"container {container} is not healthy (health, state: {' '.join(status())}) after "
                          f"{elapsed(start):.0f} s; last log line: {last[0]} — "
                          f"read `docker logs {container}`") from None
    return elapsed(start)


def get(url: str, timeout: float = 5) -> tuple[int, str] | None:
    """(HTTP status, body) of one GET, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_http(url: str, timeout: float = 30) -> tuple[int, str]:
    """Wait until `url` answers (any HTTP status); return the status and the body."""
    try:
        return until(lambda: get(url), timeout, what=f"an answer from {url}")
    except TimedOut:
        raise CourseError(f"{url} did not answer within {timeout:.0f} s: "
                          "is the container running and the port published (`docker ps`)?") from None
