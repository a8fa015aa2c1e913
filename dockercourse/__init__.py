"""Helpers that the course's notebooks and tests share.

Small on purpose: engine checks (``engine``, ``doctor``), the image manifest and its
offline stand-ins (``images``), the course label and cleanup (``resources``), waiting
for a port or a healthy container (``wait``), the chapters' facts (``chapters``, ``ports``);
the exercise form and its solutions (``exercises``) and each chapter's checkers
(``checks.chNN``); answers a chapter's check cells and plots need (``buildkit_log``: which build
steps came from the cache; ``container_memory``; ``engine_api``: the REST API over the socket;
``stopwatch``); for workshops, the offline bundle (``bundle``) and the agenda built from measured
timings (``agenda``, a site hook like ``site_hooks``). Every docker command a chapter teaches
stays visible in the chapter itself; these helpers only check, measure and clean up.

Command line: ``python -m dockercourse COMMAND`` (``--help`` lists them).
"""

from pathlib import Path

#: Every container, network, volume and image the course creates carries this label.
#: Its value names the creator (``00`` for chapter 00, ``tests``, ``standin``), so
#: ``--filter label=dockercourse`` finds everything and ``label=dockercourse=00`` one chapter.
LABEL = "dockercourse"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


class CourseError(Exception):
    """A failure with a one-line message that says what to do; the CLI prints only that line."""

    def _render_traceback_(self) -> list[str]:
        """In a notebook, IPython shows this instead of a traceback: the one line, in red."""
        return [f"\x1b[31m{type(self).__name__}: {self}\x1b[0m"]
