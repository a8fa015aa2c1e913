"""`make bench`, the course stack's part: how long until chapter 00 opens, cold and warm, and what it weighs.

- cold: fresh volumes (an empty private engine, a new work volume), the manifest's images and the course image
  already on the host, as after `make images course-image`: `make stack`'s steps (save the images, compose up,
  the lab loads them into its engine, JupyterLab starts) until JupyterLab serves chapter 00;
- warm: the stack stopped and started again (`docker compose stop`, then `up`): its engine keeps the images.
Targets (issue #27): cold ≤ 180 s, warm ≤ 30 s. Runs as a project of its own on a test port, removed after.

    python -m dockercourse.tooling.stack_bench      # writes build/stack-bench.json
"""

import json
import os
import sys
import time
import urllib.request

from .. import REPO_DIR, CourseError
from ..course import TEST_PORTS
from ..machine import stack
from ..machine.course_image import course_image_name
from ..machine.images import STACK_ARCHIVE
from ..manifest import inspect_image, manifest_image
from ..wait import TimedOut, until

PROJECT = "dockercourse-bench"
PORT = TEST_PORTS[-1]
OUTPUT = REPO_DIR / "build" / "stack-bench.json"
TARGETS_S = {"cold": 180, "warm": 30}


def chapter_00_served(url: str) -> bool:
    """JupyterLab answers with chapter 00 (the notebook itself, through its contents API)."""
    contents = url.split("/lab/tree/")[0] + "/api/contents/notebooks/00-preflight.ipynb?content=0&token=" \
        + url.rsplit("token=", 1)[1]
    try:
        with urllib.request.urlopen(contents, timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def timed_until_served(url: str, started: float) -> float:
    try:
        until(lambda: chapter_00_served(url), 600, every=0.5, what="chapter 00 served")
    except TimedOut:
        raise CourseError(f"the stack did not serve chapter 00 within 600 s: `docker compose -p {PROJECT} logs`") \
            from None
    return round(time.monotonic() - started, 1)


def main() -> int:
    os.environ[stack.PROJECT_ENV] = PROJECT
    results = {}
    try:
        stack.compose("down", "--volumes", check=False)
        started = time.monotonic()
        url = stack.up(PORT)
        results["cold_s"] = timed_until_served(url, started)
        stack.compose("stop")
        started = time.monotonic()
        stack.compose("up", "--detach", "--wait", "--no-build",
                      env={"LAB_PORT": str(PORT), "JUPYTER_TOKEN": url.rsplit("token=", 1)[1],
                           "STACK_IMAGES": str(stack.STACK_IMAGES)})
        results["warm_s"] = timed_until_served(url, started)
    except CourseError as error:
        print(f"stack bench: {error}", file=sys.stderr)
        return 1
    finally:
        stack.compose("down", "--volumes", check=False)
    archive = stack.STACK_IMAGES / STACK_ARCHIVE
    results["size_mb"] = {"course image": round(inspect_image(course_image_name())["Size"] / 1e6, 1),
                          "engine image": round(inspect_image(manifest_image("docker").name)["Size"] / 1e6, 1),
                          "images for the private engine": round(archive.stat().st_size / 1e6, 1)}
    results["targets"] = {f"{kind} ≤ {limit} s": results[f"{kind}_s"] <= limit for kind, limit in TARGETS_S.items()}
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\ncourse stack bench — {os.cpu_count()} cores")
    print(f"  up to chapter 00: cold (empty engine, images loaded) {results['cold_s']} s, warm restart "
          f"{results['warm_s']} s")
    print("  sizes: " + ", ".join(f"{name} {size} MB" for name, size in results["size_mb"].items()))
    for target, met in results["targets"].items():
        print(f"  target: {target:<20} {'met' if met else 'MISSED'}")
    print(f"written to {OUTPUT.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
