"""The course's JupyterLab: ``make lab`` starts it, the doctor recognizes it.

``make lab`` (``python -m dockercourse lab``) starts JupyterLab with the course's root as its root
(the chapters and sample_app/ side by side), on chapter 00, with the Jupyter news prompt switched
off. It starts on LAB_PORT, or on the next free port up to LAB_PORT + 9 when another program holds
LAB_PORT, and prints the URL. When the course's own JupyterLab already runs, it prints that one's URL.

A running server is the course's when Jupyter's own list of running servers (the runtime files
behind ``jupyter server list``) has one on that port whose root is this repository, and that server
answers ``/api/status`` with its token. A Jupyter server that no runtime file of this user describes
runs as another user or in another container: with ``--network host`` that is the course image's
JupyterLab seen from the host, or the host's ``make lab`` seen from inside the course image. Nothing
here imports Jupyter at module level: the doctor runs with the standard library alone (``make
doctor`` may run before the virtualenv exists).

Used by: ``make lab``, the doctor (its port check), the course image's settings.
"""

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .. import REPO_DIR, CourseError
from ..course import LAB_PORT, port_taken

#: How many ports ``make lab`` tries, from LAB_PORT up, when LAB_PORT is taken.
LAB_PORTS = range(LAB_PORT, LAB_PORT + 10)
#: The page JupyterLab opens on, relative to the course's root.
FIRST_PAGE = "notebooks/00-preflight.ipynb"
#: JupyterLab's defaults for the course, written to its overrides.json (JupyterLab's documented place
#: for site-wide defaults): no "Would you like to get notified about official Jupyter news?" prompt.
SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}


def _runtime_dir() -> Path | None:
    """Where running Jupyter servers leave their ``jpserver-PID.json`` files (``jupyter --runtime-dir``)."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:  # `make doctor` runs outside the virtualenv: ask the virtualenv's Jupyter
        jupyter = REPO_DIR / ".venv" / "bin" / "jupyter"
        if not jupyter.exists():
            return None
        asked = subprocess.run([str(jupyter), "--runtime-dir"], capture_output=True, text=True, timeout=30, check=False)
        return Path(asked.stdout.strip()) if asked.returncode == 0 else None
    return Path(jupyter_runtime_dir())


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or os.name != "posix":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_servers() -> list[dict]:
    """The Jupyter servers this user runs, as their runtime files describe them (what ``jupyter
    server list --json`` prints; read directly: importing jupyter_server takes seconds)."""
    runtime = _runtime_dir()
    servers = []
    for path in sorted(runtime.glob("jpserver-*.json")) if runtime and runtime.is_dir() else []:
        try:
            server = json.loads(path.read_text())
        except (OSError, ValueError):  # being written, or just removed
            continue
        if _alive(server.get("pid")):  # a server killed hard leaves its file behind
            servers.append(server)
    return servers


def _answers(server: dict) -> bool:
    """The server answers its status endpoint with its own token (so it, and nothing else, holds the port)."""
    base = server.get("base_url", "/")
    for url in (f"http://127.0.0.1:{server['port']}{base}", server.get("url", "")):
        if not url:
            continue
        request = urllib.request.Request(f"{url.rstrip('/')}/api/status",
                                         headers={"Authorization": f"token {server.get('token', '')}"})
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return "started" in json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            continue
    return False


def course_lab(port: int = LAB_PORT) -> dict | None:
    """The course's own JupyterLab listening on `port` (its server info: url, token, root_dir, pid), or None."""
    for server in running_servers():
        root = server.get("root_dir") or server.get("notebook_dir") or ""
        if server.get("port") == port and root and Path(root).resolve() == REPO_DIR.resolve() and _answers(server):
            return server
    return None


def is_jupyter(port: int) -> bool:
    """Some Jupyter server answers on `port` (its unauthenticated ``/api`` gives its version)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=3) as response:
            return "version" in json.loads(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


def holder(port: int = LAB_PORT) -> str:
    """Who holds `port`, which is taken: ``course`` (this checkout's JupyterLab), ``unseen`` (a Jupyter
    server of another user or container: the course image's, or the host's seen from the course image),
    ``jupyter`` (another of this user's Jupyter servers, with another root) or ``other``."""
    if course_lab(port) is not None:
        return "course"
    if not is_jupyter(port):
        return "other"
    return "jupyter" if any(server.get("port") == port for server in running_servers()) else "unseen"


def lab_url(host: str, port: int, token: str, base_url: str = "/") -> str:
    """The address that opens chapter 00 in the course's JupyterLab."""
    return f"http://{host}:{port}{base_url}lab/tree/{FIRST_PAGE}?token={token}"


def free_lab_port() -> int:
    """LAB_PORT if free, else the next free port in LAB_PORTS."""
    for port in LAB_PORTS:
        if not port_taken(port):
            return port
    raise CourseError(f"ports {LAB_PORTS[0]}–{LAB_PORTS[-1]} are all taken: stop a program that holds one "
                      "(`ss -ltnp` lists them; `jupyter server list` the Jupyter servers)")


def write_settings(settings_dir: Path | None = None) -> Path:
    """Merge SETTINGS into JupyterLab's overrides.json (in its application settings directory); return its path.

    Other keys in that file are kept. The course image runs this at build time.
    """
    if settings_dir is None:
        from jupyterlab.commands import get_app_dir

        settings_dir = Path(get_app_dir()) / "settings"
    path = settings_dir / "overrides.json"
    try:
        overrides = json.loads(path.read_text()) if path.exists() else {}
    except ValueError as error:
        raise CourseError(f"{path} is not valid JSON ({error}): fix or remove it, then run `make lab` again") from error
    merged = {**overrides, **{plugin: {**overrides.get(plugin, {}), **values} for plugin, values in SETTINGS.items()}}
    if merged != overrides or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n")
    return path


def enable_lab_pages(config_dir: Path | None = None) -> Path:
    """Enable the course's pages (lab_pages.py: the progress page, the slides) for every Jupyter server of this
    environment: a file of `jupyter_server_config.d` in its prefix (where installed extensions enable themselves);
    return its path."""
    config_dir = config_dir or Path(sys.prefix) / "etc" / "jupyter"
    path = config_dir / "jupyter_server_config.d" / "dockercourse.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"dockercourse.machine.lab_pages": True}}},
                               indent=2) + "\n")
    return path


def _prepare_images() -> None:
    """The manifest images not there yet, prepared in the background while the learner starts on chapter 00."""
    from ..manifest import image_names, inspect_image
    from .images import BACKGROUND_LOG, prepare_in_background

    absent = [name for name in image_names() if inspect_image(name) is None]
    if absent:
        prepare_in_background()
        print(f"lab: preparing {len(absent)} more image(s) in the background for later chapters "
              f"(log: {BACKGROUND_LOG.relative_to(REPO_DIR)}); a chapter that needs one waits for it", flush=True)


def start_lab(ip: str = "127.0.0.1", prepare_images: bool = False) -> int:
    """``make lab``: start JupyterLab on the course's root and chapter 00; this process becomes JupyterLab.

    Returns 0 without starting anything when the course's JupyterLab already runs on LAB_PORT.
    `prepare_images`: first start preparing the manifest's missing images in the background.
    """
    host = "127.0.0.1" if ip in ("", "0.0.0.0", "::") else ip
    running = course_lab(LAB_PORT) if port_taken(LAB_PORT) else None  # the one worth pointing at
    if running is not None:
        print(f"lab: the course's JupyterLab already runs (pid {running.get('pid')}); open "
              f"{lab_url(host, LAB_PORT, running.get('token', ''), running.get('base_url', '/'))}", flush=True)
        return 0
    port = free_lab_port()
    if port != LAB_PORT:
        print(f"lab: port {LAB_PORT} is held by another program"
              f"{' (another Jupyter server)' if is_jupyter(LAB_PORT) else ''}; JupyterLab starts on {port}", flush=True)
    write_settings()
    enable_lab_pages()
    if prepare_images:
        _prepare_images()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter), "lab", "--no-browser", f"--ip={ip}", f"--port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={REPO_DIR}", f"--LabApp.default_url=/lab/tree/{FIRST_PAGE}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    print(f"lab: JupyterLab on the course's root, chapter 00 at {lab_url(host, port, token)}", flush=True)
    os.chdir(REPO_DIR)
    os.execve(command[0], command, {**os.environ, "JUPYTER_TOKEN": token})
