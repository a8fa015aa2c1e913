"""The course stack (compose.yaml) through its dev container, end to end, as a learner in Codespaces gets it.

`devcontainer up` with the reference implementation (@devcontainers/cli from npm) starts the stack as a second
project beside any other (STACK_NAME), on a test port; then: chapter 00 and its exercises under nbval in the
lab against its private engine; JupyterLab, its progress page, a slide deck and a chapter's page through
/proxy/PORT/ in Chromium; what the stack mounts and publishes; a learner's `docker system prune -af` undone by
the next chapter's first cell; an engine that will not start, in one line. `make stack-check` runs this file,
then every chapter in the stack from the workshop bundle with the network cut (dockercourse/tooling/offline_check.sh).
"""

import json
import os
import secrets
import subprocess

import pytest

from dockercourse import LABEL, REPO_DIR, CourseError
from dockercourse.course import TEST_PORTS
from dockercourse.engine import docker
from dockercourse.machine import stack
from dockercourse.machine.lab_pages import SLIDES_PATH
from dockercourse.progress import PAGE_PATH
from dockercourse.tooling.devcontainer import devcontainer_cli
from tests.browser import chromium

pytestmark = pytest.mark.usefixtures("engine")

PROJECT = "dockercourse-tests"
LAB_PORT = TEST_PORTS[0]
#: Chapter 00, its three exercises solved after their hints, as the dev container's proof: every chapter runs in
#: the same stack in the offline check, after this file (CI's time: chapter 05 here cost it about two minutes).
DEVCONTAINER_CHAPTERS = "00"
#: A page served inside the private engine, on a port no chapter uses (nothing outside the stack sees it).
PAGE_PORT = 8950


@pytest.fixture(scope="module")
def lab():
    """The stack, up through `devcontainer up`: (environment of the test's project, JupyterLab's token)."""
    stack.save_images()
    token = secrets.token_hex(16)
    env = {**os.environ, "STACK_NAME": PROJECT, "LAB_PORT": str(LAB_PORT), "JUPYTER_TOKEN": token,
           "STACK_IMAGES": str(stack.STACK_IMAGES)}
    up = subprocess.run([devcontainer_cli(), "up", "--workspace-folder", str(REPO_DIR)], env=env,
                        capture_output=True, text=True, timeout=1200)
    try:
        assert up.returncode == 0 and '"outcome":"success"' in up.stdout, up.stdout[-2000:] + up.stderr[-2000:]
        stack_env = {"STACK_NAME": PROJECT}
        docker("compose", "-f", str(stack.COMPOSE_FILE), "-p", PROJECT, "up", "--wait", "--no-build", "--no-recreate",
               env={**stack_env, "LAB_PORT": str(LAB_PORT), "JUPYTER_TOKEN": token}, timeout=600)
        yield env, token
    finally:
        docker("compose", "-f", str(stack.COMPOSE_FILE), "-p", PROJECT, "down", "--volumes", check=False,
               env={"STACK_NAME": PROJECT}, timeout=300)


def in_lab(env: dict, *command: str, remote_env: dict | None = None, timeout: float = 1800
           ) -> subprocess.CompletedProcess:
    """A command in the lab container, as `devcontainer exec` runs it (the learner's user, the course's folder).

    `env` is the CLI's own environment (it does not reach the container); `remote_env` is set in the container."""
    setting = [f"--remote-env={name}={value}" for name, value in (remote_env or {}).items()]
    return subprocess.run([devcontainer_cli(), "exec", "--workspace-folder", str(REPO_DIR), *setting, *command],
                          env=env, capture_output=True, text=True, timeout=timeout)


def container(service: str) -> dict:
    listed = docker("ps", "--filter", f"label=com.docker.compose.project={PROJECT}",
                    "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.ID}}").stdout.split()
    assert len(listed) == 1, f"one {service} container expected, found {listed}"
    return json.loads(docker("container", "inspect", listed[0]).stdout)[0]


def test_the_dev_container_runs_chapter_00_under_nbval_each_exercise_solved(lab):
    env, _ = lab
    ran = in_lab(env, "python", "-m", "dockercourse.tooling.harness", "nbval",
                 remote_env={"CHAPTERS": DEVCONTAINER_CHAPTERS})
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-1000:]
    assert f"nbval: 1 chapter(s): {DEVCONTAINER_CHAPTERS}" in ran.stdout, ran.stdout[:500]
    assert "nbval           ok" in ran.stdout and " 0 failed" in ran.stdout.splitlines()[-1], ran.stdout[-1500:]


def test_jupyterlab_its_progress_page_a_deck_and_a_chapters_page_through_the_proxy(lab):
    env, token = lab
    started = in_lab(env, "docker", "run", "-d", "--rm", "--name", "tests-page", "--label", f"{LABEL}=tests",
                     "-p", f"{PAGE_PORT}:8000", "python:3.14-slim-trixie", "python", "-m", "http.server",
                     "--directory", "/etc", "8000")
    assert started.returncode == 0, started.stderr
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{LAB_PORT}/lab?token={token}")
            page.wait_for_selector("#jp-main-dock-panel", timeout=60000)
            assert "JupyterLab" in page.title()
            answer = page.goto(f"http://127.0.0.1:{LAB_PORT}/proxy/{PAGE_PORT}/")
            assert answer.status == 200, f"/proxy/{PAGE_PORT}/: HTTP {answer.status}"
            # http.server's listing of the container's /etc: served in the private engine, through JupyterLab.
            assert "Directory listing for /" in page.inner_text("body") and "hostname" in page.inner_text("body")
            # The progress page (machine/lab_pages.py), its log in the work volume (the image's DOCKERCOURSE_DATA).
            answer = page.goto(f"http://127.0.0.1:{LAB_PORT}/{PAGE_PATH}")
            assert answer.status == 200, f"/{PAGE_PATH}: HTTP {answer.status}"
            assert "exercises solved" in page.inner_text("body")
            assert "/home/learner/course/.dockercourse/progress.jsonl" in page.inner_text("body")
            # The slides the image carries (its Dockerfile builds them), as the course's JupyterLab serves them.
            page.goto(f"http://127.0.0.1:{LAB_PORT}/{SLIDES_PATH}/00-preflight.html")
            page.wait_for_function("window.Reveal && Reveal.isReady() && Reveal.getTotalSlides() > 10", timeout=20000)
    finally:
        in_lab(env, "docker", "rm", "-f", "tests-page")


def test_nothing_mounts_a_host_socket_and_only_jupyterlab_is_published_on_loopback(lab):
    engine, lab_container = container("engine"), container("lab")
    for inspected in (engine, lab_container):
        binds = [mount for mount in inspected["Mounts"] if mount["Type"] == "bind"]
        assert all(not mount["Source"].endswith(".sock") and "docker.sock" not in mount["Source"]
                   for mount in inspected["Mounts"]), inspected["Mounts"]
        assert [mount["Destination"] for mount in binds] in ([], ["/images"]), binds
    published = engine["HostConfig"]["PortBindings"]
    assert published == {"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(LAB_PORT)}]}, published
    assert lab_container["Config"]["User"] == "1000:1000" and not lab_container["HostConfig"]["Privileged"]
    assert lab_container["HostConfig"]["NetworkMode"].startswith("container:")


def test_a_learners_prune_is_undone_by_the_next_chapters_first_cell(lab):
    env, _ = lab
    pruned = in_lab(env, "docker", "system", "prune", "--all", "--force")
    assert pruned.returncode == 0, pruned.stderr
    assert in_lab(env, "docker", "image", "inspect", "python:3.14-slim-trixie").returncode != 0, "the prune removed it"
    started = in_lab(env, "python", "-c", "from dockercourse.chapter import start_chapter; start_chapter('01')")
    assert started.returncode == 0, started.stdout + started.stderr
    assert "loading" in started.stdout and "ready: python:3.14-slim-trixie" in started.stdout, started.stdout
    assert in_lab(env, "docker", "image", "inspect", "python:3.14-slim-trixie").returncode == 0


def test_an_engine_that_will_not_start_is_one_line(tmp_path, monkeypatch):
    """A policy that refuses privileged containers, or any other reason: the stack says why, in one line."""
    broken = tmp_path / "compose.yaml"
    text = stack.COMPOSE_FILE.read_text().replace('command: ["dockerd",', 'command: ["dockerd", "--no-such",')
    broken.write_text(text.replace("build: .", f"build: {REPO_DIR}").replace("./build/", f"{REPO_DIR}/build/"))
    monkeypatch.setattr(stack, "COMPOSE_FILE", broken)
    monkeypatch.setenv("STACK_NAME", f"{PROJECT}-broken")
    try:
        with pytest.raises(CourseError, match=r"the stack did not come up \(.*\): read `docker compose logs`"):
            stack.up(port=TEST_PORTS[1])
    finally:
        stack.compose("down", "--volumes", check=False)
