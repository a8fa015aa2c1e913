"""The course image (top-level Dockerfile), run exactly as docs/setup.md says.

It builds; a container started with the setup page's `docker run` line serves JupyterLab (HTTP 200),
its REST API lists the chapter notebooks, the docker client inside reaches the host's engine,
and chapter 00 runs inside it. The container carries a per-module course label and is removed.
"""

import json
import os
import re
import subprocess
import urllib.request
import uuid

import pytest

from dockercourse import LABEL, REPO_DIR
from dockercourse.course import TEST_PORTS, chapter_paths
from dockercourse.engine import docker, server_version
from dockercourse.machine.course_image import build_course_image, course_image_name
from dockercourse.manifest import inspect_image
from dockercourse.resources import remove_labelled
from dockercourse.wait import wait_http

# machine_wide: the setup page's run line shares the host's network and PID namespaces (--network host --pid host).
pytestmark = [pytest.mark.usefixtures("engine"), pytest.mark.machine_wide]

PORT = TEST_PORTS[-1]
TOKEN = uuid.uuid4().hex
CREATOR = f"tests-lab-{TOKEN[:6]}"
NAME = f"course-lab-{TOKEN[:6]}"


def readme_line(command: str) -> str:
    """The setup page's one line that starts with `command`, in its course-image section."""
    page = (REPO_DIR / "docs" / "setup.md").read_text()
    section = page.split("## The course in a container", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith(command)]
    assert len(lines) == 1, f"docs/setup.md's course-image section should give one `{command}` line"
    return lines[0]


def lab_url(path: str) -> str:
    return f"http://127.0.0.1:{PORT}{path}?token={TOKEN}"


@pytest.fixture(scope="module")
def lab() -> str:
    """A running course container, started with the setup page's run line (detached, labelled, on a test port)."""
    image = build_course_image()  # what `make course-image` runs
    run = readme_line("docker run ").replace("docker run ", "docker run --detach --name {name} --label {label} "
                                             "-e JUPYTER_PORT={port} -e JUPYTER_TOKEN={token} ", 1)
    run = run.format(name=NAME, label=f"{LABEL}={CREATOR}", port=PORT, token=TOKEN)
    assert run.rstrip().endswith(image), "the setup page's run line should start the course image"
    started = subprocess.run(["bash", "-c", f"{readme_line('SOCKET=')}\n{run}"], capture_output=True, text=True,
                             cwd=REPO_DIR)
    assert started.returncode == 0, started.stderr
    try:
        wait_http(lab_url("/api/status"), timeout=60)
        yield NAME
    finally:
        remove_labelled(CREATOR)


def inside(*command: str) -> subprocess.CompletedProcess:
    return docker("exec", NAME, *command, timeout=300, check=False)


def test_setup_builds_the_image_that_make_builds():
    assert readme_line("docker build ").split() == ["docker", "build", "-t", course_image_name(), "."]


def test_an_unchanged_course_image_is_not_built_again(lab, capsys):
    build_course_image()
    assert f"course image: {course_image_name()} is up to date" in capsys.readouterr().out


def test_the_image_runs_as_a_non_root_user(lab):
    assert inspect_image(course_image_name())["Config"]["User"] == "1000"
    assert inside("id", "-u").stdout.strip() == "1000"


def test_jupyterlab_answers_with_http_200(lab):
    with urllib.request.urlopen(lab_url("/lab"), timeout=10) as response:
        assert response.status == 200
        assert "JupyterLab" in response.read().decode()


def test_the_rest_api_lists_the_chapter_notebooks(lab):
    with urllib.request.urlopen(lab_url("/api/contents/notebooks"), timeout=10) as response:
        listed = {entry["name"] for entry in json.load(response)["content"] if entry["type"] == "notebook"}
    assert listed == {path.name for path in chapter_paths()}


def test_docker_inside_reaches_the_host_engine(lab):
    version = inside("docker", "version", "--format", "{{.Server.Version}}")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == server_version()
    # The engine it reaches is the host's: the container sees itself among the host's containers.
    listed = inside("docker", "ps", "--filter", f"label={LABEL}={CREATOR}", "--format", "{{.Names}}")
    assert listed.stdout.split() == [NAME]


def test_chapter_00_runs_inside(lab):
    executed = inside("jupyter", "nbconvert", "--to", "notebook", "--execute", "--stdout",
                      "notebooks/00-preflight.ipynb")
    assert executed.returncode == 0, executed.stderr[-2000:]
    outputs = "".join(text for cell in json.loads(executed.stdout)["cells"]
                      for output in cell.get("outputs", []) for text in output.get("text", []))
    assert re.search(r"doctor: all checks passed", outputs), outputs[-2000:]


def test_docker_socket_group_is_added_not_root(lab):
    """The socket's group is given with --group-add; the user stays 1000, not root."""
    groups = inside("id", "-G").stdout.split()
    assert str(os.stat("/var/run/docker.sock").st_gid) in groups
    assert "0" not in groups


def test_the_room_preflight_is_green_inside(lab):
    preflight = inside("python", "-m", "dockercourse", "doctor", "--workshop")
    assert preflight.returncode == 0, preflight.stdout + preflight.stderr
    assert "course packages                  ready  installed for /usr/local/bin/python" in preflight.stdout


def test_a_chapter_diagram_renders_in_jupyterlab(lab):
    """The learner's view: chapter 01 open in the course image's JupyterLab, its first diagram loaded."""
    from tests.browser import chromium, screenshot

    notebook = chapter_paths()[1].name
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(lab_url(f"/lab/tree/notebooks/{notebook}"))
        shown = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
        diagram = shown.locator(".jp-RenderedMarkdown img[src*='img']").first
        shown.wait_for(timeout=60_000)
        for _ in range(60):  # JupyterLab renders cells as they scroll into view: scroll as a reader does
            if diagram.count() and diagram.evaluate("image => image.complete && image.naturalWidth > 0"):
                break
            if box := shown.bounding_box():
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.mouse.wheel(0, 600)
            page.wait_for_timeout(250)
        assert diagram.count(), f"{notebook}: no diagram rendered in JupyterLab; {lab_page_state(page)}"
        diagram.scroll_into_view_if_needed()
        assert diagram.evaluate("image => image.complete && image.naturalWidth > 0"), "the diagram does not load"
        screenshot(page, "lab-diagram-01")


def lab_page_state(page) -> str:
    """What JupyterLab shows instead, for the failure's one line: its address, the main area's tabs, any dialog."""
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    return f"page {page.url.split('?')[0]}, tabs {tabs}, dialogs {dialogs}"


def test_the_input_hash_covers_exactly_the_files_docker_sends(test_label):
    """The course image is rebuilt only when its inputs change: the files the hash reads are the build context's."""
    from dockercourse.machine.course_image import build_inputs
    from dockercourse.manifest import manifest_image

    tag = f"{test_label}:context"
    dockerfile = f"FROM {manifest_image('python').name}\nCOPY . /context\n"
    docker("build", "--quiet", "--label", f"{LABEL}={test_label}", "-t", tag, "-f", "-", str(REPO_DIR),
           input=dockerfile)
    listed = docker("run", "--rm", "--label", f"{LABEL}={test_label}", tag, "find", "/context", "-type", "f")
    sent = {path.removeprefix("/context/") for path in listed.stdout.split()}
    assert sent == {path.as_posix() for path in build_inputs()}


def test_a_dockerignore_that_reincludes_files_makes_every_file_an_input(tmp_path):
    from dockercourse.machine.course_image import build_inputs

    (tmp_path / "kept").mkdir()
    for path in ("kept/a.py", "kept/a.pyc", "notes.md", "build/out"):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text(path)
    (tmp_path / ".dockerignore").write_text("# scratch\nbuild\n**/*.pyc\n")
    assert [path.as_posix() for path in build_inputs(tmp_path)] == [".dockerignore", "kept/a.py", "notes.md"]
    (tmp_path / ".dockerignore").write_text("build\n!build/out\n")
    assert len(build_inputs(tmp_path)) == 5
