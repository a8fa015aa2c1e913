"""Watching a Swarm that lives inside engine-in-a-container nodes, and loading it gently.

The chapter runs every Swarm command visibly (``docker exec course12-node1 docker …``); these helpers
only wait and measure: until a service's tasks run where they should, and how many requests fail
while it changes.

Used by: chapter 12 and its checkers (dockercourse/checks/ch12.py).
"""

import threading
import time
import urllib.request
from dataclasses import dataclass, field

from . import CourseError
from .engine import docker
from .wait import TimedOut, until

MANAGER = "course12-node1"  # the node container whose engine is the swarm's manager


def manager(*args: str, node: str = MANAGER, check: bool = False, timeout: float = 60):
    """`docker exec course12-node1 docker ARGS…`: the docker CLI against the manager's engine."""
    return docker("exec", node, "docker", *args, check=check, timeout=timeout)


def running_tasks(service: str, node: str = MANAGER) -> list[tuple[str, str]]:
    """(node, image) of each task of the service that should run and does."""
    listed = manager("service", "ps", service, "--filter", "desired-state=running",
                     "--format", "{{.Node}}\t{{.Image}}\t{{.CurrentState}}", node=node)
    rows = [line.split("\t") for line in listed.stdout.splitlines() if line.count("\t") == 2]
    return [(node, image) for node, image, state in rows if state.startswith("Running")]


def wait_for_tasks(service: str, replicas: int, avoid: str | None = None, timeout: float = 120) -> float:
    """Wait until `replicas` tasks of the service run, none on node `avoid`; return the seconds it took."""
    clock = time.monotonic()

    def placed() -> bool:
        tasks = running_tasks(service)
        return len(tasks) == replicas and all(node != avoid for node, _ in tasks)

    try:
        until(placed, timeout, every=0.5, what=f"{replicas} running task(s) of {service}")
    except TimedOut:
        raise CourseError(f"service {service} did not reach {replicas} running task(s) in {timeout:.0f} s: "
                          f"read `docker exec {MANAGER} docker service ps {service}`") from None
    return time.monotonic() - clock


@dataclass
class Load:
    """A fixed number of GET requests at a fixed rate, from a thread, spread round-robin over the urls."""

    urls: list[str]
    total: int = 300
    rate: float = 20.0                 # requests per second
    first_failures: int = 0            # requests whose first node did not answer 200
    failures: int = 0                  # requests that failed on the next node too
    sent: int = 0
    thread: threading.Thread = field(init=False, repr=False)

    def _get(self, url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def _run(self) -> None:
        start = time.monotonic()
        for number in range(self.total):
            time.sleep(max(0.0, start + number / self.rate - time.monotonic()))
            url = self.urls[number % len(self.urls)]
            if not self._get(url):
                self.first_failures += 1
                # What a load balancer does with a node that does not answer: try the next one.
                if not self._get(self.urls[(number + 1) % len(self.urls)]):
                    self.failures += 1
            self.sent += 1

    def start(self) -> "Load":
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def wait(self) -> "Load":
        self.thread.join()
        return self
