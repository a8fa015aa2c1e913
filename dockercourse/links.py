"""A link to a page a chapter serves (the sample app, Prometheus, nginx) that opens in the learner's browser
wherever the chapter runs: under `make lab`, in the course stack, on a workshop server.

The page is served on a port of the engine's machine, which the browser may not reach (the stack publishes
only JupyterLab's port; a workshop server only the hub's). JupyterLab itself forwards it: jupyter-server-proxy
serves `<JupyterLab's base URL>proxy/PORT/`, relative to the JupyterLab the notebook is open in, so one link
works everywhere.

Used by: chapters 05 and 06; progress.page_link.
"""

import os

from IPython.display import Markdown


def lab_path(path: str) -> str:
    """A path on JupyterLab's own address ("/proxy/8050/"), under its base URL."""
    base = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")  # a workshop server's /user/NAME/, else the root
    return f"{base.rstrip('/')}{path}"


def page_path(port: int, path: str = "/") -> str:
    """The path, on JupyterLab's own address, of what listens on `port` of the engine's machine."""
    return lab_path(f"/proxy/{port}{path}")


def open_link(port: int, what: str, path: str = "/") -> Markdown:
    """A clickable link to it, for a chapter's cell to show."""
    return Markdown(f"Open [{what}]({page_path(port, path)}) in your browser (through JupyterLab; "
                    f"under `make lab` http://localhost:{port}{path} works too).")
