"""`make workshop-bench N=3`: what a workshop server's learners cost, measured — for the instructor guide's
capacity table and the caps (dockercourse/machine/workshop/__init__.py, CAPS).

1. the hub alone (JupyterHub, its proxy, the idle culler): resident memory;
2. one learner, idle: memory of their lab and engine a minute after their server started;
3. one learner running chapter 05, 06 and 12 (the heaviest) under nbval: peak memory and mean CPU of lab +
   engine (sampled every 2 s from `docker stats`), and the time each took;
4. N learners running chapter 05 at the same time: the time each took.

    python -m dockercourse.tooling.workshop_bench 3      # writes build/workshop-bench.json

A benchmark, not a test: run it with nothing else on the machine.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import REPO_DIR
from ..course import WORKSHOP_PORT
from ..engine import docker
from ..machine.workshop import WORKSHOP_DIR, make_accounts, read_roster
from ..machine.workshop.server import start_hub, stop_everything
from ..machine.workshop.spawner import learner_resources

OUTPUT = REPO_DIR / "build" / "workshop-bench.json"
HEAVY_CHAPTERS = ("05", "06", "12")
IDLE_S = 60


def hub_api(method: str, path: str, body: dict | None = None, token: str | None = None):
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{WORKSHOP_PORT}/hub/api{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"token {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


def start_learner(name: str, password: str) -> str:
    token = hub_api("POST", f"/users/{name}/tokens", {"auth": {"username": name, "password": password}})["token"]
    hub_api("POST", f"/users/{name}/server", token=token)
    deadline = time.monotonic() + 600
    while not hub_api("GET", f"/users/{name}", token=token)["servers"].get("", {}).get("ready"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}'s server did not start in 600 s (build/workshop/hub.log)")
        time.sleep(2)
    return token


def stats(name: str) -> tuple[float, float]:
    """(memory MB, CPU %) of a learner's lab and engine together, now."""
    names = learner_resources(name)
    rows = docker("stats", "--no-stream", "--format", "{{.MemUsage}}\t{{.CPUPerc}}", names["lab"], names["engine"],
                  check=False).stdout.splitlines()
    memory = cpu = 0.0
    for row in rows:
        used, percent = row.split("\t")
        value, unit = used.split(" / ")[0][:-3], used.split(" / ")[0][-3:]
        memory += float(value) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}.get(unit, 1)
        cpu += float(percent.rstrip("%") or 0)
    return memory, cpu


def run_chapter(name: str, chapter: str) -> dict:
    """A chapter under nbval in the learner's lab, sampled: {seconds, peak_mb, mean_cpu_percent, passed}."""
    samples, done = [], threading.Event()

    def sample():
        while not done.is_set():
            samples.append(stats(name))
            done.wait(2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    ran = docker("exec", "--user", "1000:1000", "-w", "/home/learner/course", "-e", f"CHAPTERS={chapter}",
                 learner_resources(name)["lab"], "python", "-m", "dockercourse.tooling.harness", "nbval",
                 timeout=1800, check=False, merge=True)
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    return {"chapter": chapter, "seconds": round(seconds), "passed": ran.returncode == 0,
            "peak_mb": round(max(memory for memory, _ in samples)) if samples else None,
            "mean_cpu_percent": round(statistics.mean(cpu for _, cpu in samples)) if samples else None}


def hub_memory_mb() -> float:
    """Resident memory of the hub's processes (JupyterHub, configurable-http-proxy, the idle culler)."""
    listed = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    words = ("jupyterhub -f", "configurable-http-proxy", "jupyterhub_idle_culler")
    return round(sum(int(line.split(None, 1)[0]) for line in listed if any(word in line for word in words)) / 1024)


def main(argv: list[str]) -> int:
    learners = int(argv[0]) if argv else 3
    roster = WORKSHOP_DIR / "bench-room.csv"
    WORKSHOP_DIR.mkdir(parents=True, exist_ok=True)
    names = [f"learner{number}" for number in range(1, learners + 1)]
    roster.write_text("name,role\nteacher,instructor\n" + "".join(f"{name},learner\n" for name in names))
    passwords = make_accounts(read_roster(roster))
    hub = start_hub(Path(roster), WORKSHOP_PORT, bind="127.0.0.1", foreground=False)
    results: dict = {"cores": os.cpu_count(), "learners": learners}
    try:
        time.sleep(15)
        results["hub_mb"] = hub_memory_mb()
        tokens = {names[0]: start_learner(names[0], passwords[names[0]])}
        time.sleep(IDLE_S)
        results["idle_learner_mb"] = round(stats(names[0])[0])
        results["one_learner"] = [run_chapter(names[0], chapter) for chapter in HEAVY_CHAPTERS]
        with ThreadPoolExecutor(learners) as pool:
            tokens.update(zip(names[1:], pool.map(lambda name: start_learner(name, passwords[name]), names[1:]),
                              strict=True))
            results["together_chapter_05"] = list(pool.map(lambda name: run_chapter(name, "05"), names))
    finally:
        hub.terminate()
        hub.wait(timeout=60)
        stop_everything()
        for name in names:
            docker("volume", "rm", learner_resources(name)["work"], check=False)
    OUTPUT.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(f"written to {OUTPUT.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
