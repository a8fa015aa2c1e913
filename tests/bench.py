"""`make bench`: the sample app's numbers, all measured in one run on one engine.

Image sizes (base, naive, reference, multi-stage); cold build vs rebuild after a one-line code
change vs after a requirements change; `docker run` to healthy; `docker stop` naive vs reference;
requests per second and p95 latency of Flask's dev server vs gunicorn under the same bounded load
(ApacheBench on loopback). Writes build/bench.json and prints a table with the issue's targets.
A benchmark, not a test: it reports misses, and exits 0 when it could measure everything.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dockercourse import LABEL, REPO_DIR, CourseError
from dockercourse.engine import apt_install, require_engine
from dockercourse.images import manifest_image
from dockercourse.ports import TEST_PORTS
from dockercourse.resources import remove_labelled
from dockercourse.wait import wait_healthy, wait_http

CREATOR = "bench"
APP_DIR = REPO_DIR / "sample_app"
OUTPUT = REPO_DIR / "build" / "bench.json"
LOAD = {"requests": 3000, "concurrency": 8, "time_limit_s": 30, "path": "/api/visits"}
STARTS = 5  # docker run → healthy, repeated


def docker(*args: str) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise CourseError(f"`docker {' '.join(args[:3])} …` failed: {result.stderr.strip().splitlines()[-1:]}")
    return result.stdout.strip()


def timed(function, *args) -> tuple[float, object]:
    start = time.monotonic()
    result = function(*args)
    return time.monotonic() - start, result


def build(context: Path, dockerfile: str, tag: str, *extra: str) -> str:
    docker("build", "--quiet", "--label", f"{LABEL}={CREATOR}", "-f", str(context / dockerfile), "-t", tag,
           *extra, str(context))
    return tag


def size_mb(image: str) -> float:
    return int(docker("image", "inspect", "--format", "{{.Size}}", image)) / 1e6


def measure_builds(workdir: Path) -> dict:
    """Cold build (no cache), then a one-line code change, then a requirements change."""
    context = workdir / "sample_app"
    shutil.copytree(APP_DIR, context, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    tag = "sample-app-bench:reference"
    cold, _ = timed(build, context, "Dockerfile", tag, "--no-cache")
    unique = uuid.uuid4().hex  # BuildKit's cache is content-addressed: each run's edits must be new
    with (context / "app.py").open("a") as app:
        app.write(f"# a one-line code change {unique}\n")
    code, _ = timed(build, context, "Dockerfile", tag)
    with (context / "requirements.txt").open("a") as requirements:
        requirements.write(f"# a requirements change {unique}\n")
    requirements_change, _ = timed(build, context, "Dockerfile", tag)
    return {"cold_s": round(cold, 2), "code_change_s": round(code, 2),
            "requirements_change_s": round(requirements_change, 2),
            "code_change_ratio": round(code / cold, 4)}


def start(image: str, port: int) -> str:
    return docker("run", "-d", "--label", f"{LABEL}={CREATOR}", "-p", f"127.0.0.1:{port}:8000", image)


def measure_start_to_healthy(image: str, port: int) -> dict:
    healthy, answering = [], []
    for _ in range(STARTS):
        began = time.monotonic()
        container = start(image, port)
        wait_http(f"http://127.0.0.1:{port}/health")
        answering.append(time.monotonic() - began)
        wait_healthy(container, timeout=60)
        healthy.append(time.monotonic() - began)
        docker("rm", "-f", container)
    return {"run_to_first_200_s_median": round(statistics.median(answering), 2),
            "run_to_healthy_s_median": round(statistics.median(healthy), 2),
            "run_to_healthy_s_range": [round(min(healthy), 2), round(max(healthy), 2)]}


def measure_stop(image: str, port: int) -> float:
    container = start(image, port)
    wait_http(f"http://127.0.0.1:{port}/health")
    seconds, _ = timed(docker, "stop", container)  # the default 10 s kill timeout
    docker("rm", container)
    return round(seconds, 2)


def ensure_ab() -> str:
    if not shutil.which("ab"):
        apt_install(["apache2-utils"], "the load test (ApacheBench, `ab`)")
    return "ab"


def run_ab(url: str, keep_alive: bool) -> dict:
    # -t before -n: ab's -t alone implies -n 50000, and the later option wins.
    command = [ensure_ab(), "-q", "-t", str(LOAD["time_limit_s"]), "-n", str(LOAD["requests"]),
               "-c", str(LOAD["concurrency"]), "-s", "10", *(["-k"] if keep_alive else []), url]
    output = subprocess.run(command, capture_output=True, text=True).stdout
    rps = re.search(r"Requests per second:\s+([\d.]+)", output)
    p95 = re.search(r"^\s*95%\s+(\d+)", output, re.M)
    failed = re.search(r"Failed requests:\s+(\d+)", output)
    complete = re.search(r"Complete requests:\s+(\d+)", output)
    if not (rps and p95 and failed and complete):
        raise CourseError(f"could not read ab's report for {url}: {output[-300:]!r}")
    return {"requests_per_s": float(rps.group(1)), "p95_ms": int(p95.group(1)), "failed": int(failed.group(1)),
            "complete": int(complete.group(1))}


def measure_load(image: str, port: int) -> dict:
    """The same bounded load, on loopback only: a new connection per request, then keep-alive (ab -k),
    which is how browsers and reverse proxies talk to an app."""
    container = start(image, port)
    wait_http(f"http://127.0.0.1:{port}/health")
    url = f"http://127.0.0.1:{port}{LOAD['path']}"
    subprocess.run([ensure_ab(), "-q", "-n", "200", "-c", "2", url], capture_output=True)  # warm-up
    results = {"new_connection": run_ab(url, keep_alive=False), "keep_alive": run_ab(url, keep_alive=True)}
    docker("rm", "-f", container)
    return results


def main() -> int:
    require_engine()
    remove_labelled(CREATOR)
    port = TEST_PORTS[-1]
    base = manifest_image("python").name
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "engine": docker("version", "--format", "{{.Server.Version}}"),
                                 "base": base, "load": LOAD}}
    try:
        with tempfile.TemporaryDirectory() as workdir:
            print("bench: builds (cold, code change, requirements change) …", flush=True)
            results["build"] = measure_builds(Path(workdir))
        naive = build(APP_DIR, "Dockerfile.naive", "sample-app-bench:naive")
        reference = "sample-app-bench:reference"
        multistage = build(APP_DIR, "Dockerfile.multistage", "sample-app-bench:multistage")
        results["size_mb"] = {name: round(size_mb(image), 1) for name, image in
                              [("base", base), ("naive", naive), ("reference", reference), ("multistage", multistage)]}
        print("bench: start and stop times …", flush=True)
        results["start"] = measure_start_to_healthy(reference, port)
        results["stop_s"] = {"naive": measure_stop(naive, port), "reference": measure_stop(reference, port)}
        print("bench: load, dev server then gunicorn …", flush=True)
        results["load"] = {"dev_server": measure_load(naive, port), "gunicorn": measure_load(reference, port)}
    except CourseError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        remove_labelled(CREATOR)
    results["targets"] = targets(results)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    return 0


def speedup(load: dict, mode: str) -> float:
    return load["gunicorn"][mode]["requests_per_s"] / load["dev_server"][mode]["requests_per_s"]


def targets(results: dict) -> dict:
    sizes, load = results["size_mb"], results["load"]
    return {
        "code-only rebuild < 5 % of cold build": results["build"]["code_change_ratio"] < 0.05,
        "reference image ≤ base + 15 MB": sizes["reference"] - sizes["base"] <= 15,
        "gunicorn ≥ 3× dev server req/s, keep-alive": speedup(load, "keep_alive") >= 3,
        "gunicorn ≥ 3× dev server req/s, new connections": speedup(load, "new_connection") >= 3,
    }


def print_table(results: dict) -> None:
    build_times, sizes, load = results["build"], results["size_mb"], results["load"]
    rows = [
        ("image size: base / naive / reference / multi-stage",
         f"{sizes['base']} / {sizes['naive']} / {sizes['reference']} / {sizes['multistage']} MB"),
        ("build: cold / code change / requirements change",
         f"{build_times['cold_s']} / {build_times['code_change_s']} / {build_times['requirements_change_s']} s "
         f"(code change = {build_times['code_change_ratio']:.1%} of cold)"),
        ("docker run → first 200 / → healthy (median of 5)",
         f"{results['start']['run_to_first_200_s_median']} / {results['start']['run_to_healthy_s_median']} s"),
        ("docker stop: naive / reference", f"{results['stop_s']['naive']} / {results['stop_s']['reference']} s"),
    ]
    for mode, words in (("new_connection", "new connections"), ("keep_alive", "keep-alive")):
        dev, gunicorn = load["dev_server"][mode], load["gunicorn"][mode]
        rows.append((f"req/s, {words}: dev server / gunicorn",
                     f"{dev['requests_per_s']:.0f} / {gunicorn['requests_per_s']:.0f} ({speedup(load, mode):.1f}×)"))
        rows.append((f"p95, {words}: dev server / gunicorn", f"{dev['p95_ms']} / {gunicorn['p95_ms']} ms"))
    machine = results["machine"]
    print(f"\nsample app bench — {machine['cores']} cores, Docker Engine {machine['engine']}, base {machine['base']}, "
          f"load: ab -n {LOAD['requests']} -c {LOAD['concurrency']} GET {LOAD['path']}")
    for label, value in rows:
        print(f"  {label:<52} {value}")
    for target, met in results["targets"].items():
        print(f"  target: {target:<44} {'met' if met else 'MISSED'}")
    print(f"written to {OUTPUT.relative_to(REPO_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
