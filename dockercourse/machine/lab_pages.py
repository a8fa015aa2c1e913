"""The course's own pages in its JupyterLab, under JupyterLab's base URL:

- ``dockercourse/progress``: your progress, read from the progress log (progress.py) each time it is opened, with a
  link into JupyterLab for each exercise;
- ``dockercourse/slides/``: the slide decks (tooling/slides.py) in build/slides/, as pages of their own. JupyterLab's
  ``/files/`` serves HTML sandboxed (a unique origin, so its own token cookie is not sent), where a deck could not
  load reveal.js beside it.

A Jupyter server extension, enabled for every Jupyter server of the environment by ``lab.enable_lab_pages``
(`make lab` and the course image's build run it), so `make lab`, the course stack and the workshop server serve them.
"""

from html import escape

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join

from .. import progress
from ..tooling.slides import SLIDES_DIR

SLIDES_PATH = "dockercourse/slides"
STYLE = """body{font:16px/1.45 system-ui,sans-serif;margin:1.5rem;max-width:60rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .6rem;border-bottom:1px solid #ddd}
th{background:#f3f3f3}.solved{color:#1d6b3a}.tried{color:#9a3b00}.resume{font-size:1.15rem;margin:1rem 0}"""


def page(base_url: str) -> str:
    """The progress page's HTML, for a JupyterLab served under `base_url`."""
    states = progress.summarize(progress.read_log(), progress.course_exercises())
    solved = sum(state.state == "solved" for state in states)
    tried = sum(state.state == "tried" for state in states)

    def opened(item: progress.CourseExercise) -> str:
        return escape(url_path_join(base_url, "lab/tree", item.link))

    resume = next((state.exercise for state in states if state.state != "solved"), None)
    rows = []
    for state in states:
        item = state.exercise
        detail = progress.duration(state.seconds) if state.state != "not tried" else ""
        hint = f"last hint: {escape(state.last_code)}" if state.last_code else ""
        rows.append(f'<tr><td>{item.chapter}</td><td><a href="{opened(item)}">{item.number} · {escape(item.title)}'
                    f'</a></td><td class="{state.state.replace(" ", "-")}">{progress.STATE_MARK[state.state]} '
                    f"{state.state}</td><td>{detail}</td><td>{hint}</td></tr>")
    resume_line = (f'Resume here: <a href="{opened(resume)}">Exercise {resume.number} · {escape(resume.title)}</a>'
                   if resume else "Every exercise is solved.")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your progress · Docker course</title>'
            f'<link rel="icon" href="data:,"><style>{STYLE}</style></head><body><h1>Your progress</h1>'
            f"<p>{solved} of {len(states)} exercises solved, {tried} tried. Read from "
            f"<code>{escape(str(progress.log_path()))}</code> now; open this page again to refresh it.</p>"
            f'<p class="resume">{resume_line}</p><table><thead><tr><th>Chapter</th><th>Exercise</th><th>State</th>'
            f"<th>Time</th><th>Hint</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>")


class ProgressHandler(JupyterHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(page(self.base_url))


class SlidesHandler(JupyterHandler, tornado.web.StaticFileHandler):
    """The decks and reveal.js beside them, to a logged-in browser, as the course's own files: without /files/'s
    sandbox, and without its check of where a GET comes from (a deck opened from the address bar has no referer;
    these files are the course's, the same for everyone, and a GET changes nothing)."""

    @tornado.web.authenticated
    def get(self, path: str, include_body: bool = True):
        return tornado.web.StaticFileHandler.get(self, path, include_body)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(serverapp.base_url, progress.PAGE_PATH), ProgressHandler),
        (url_path_join(serverapp.base_url, SLIDES_PATH, "(.*)"), SlidesHandler, {"path": str(SLIDES_DIR)})])
