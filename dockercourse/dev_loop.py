"""How long from an edit of the code to the changed page: the pieces of chapter 08's edit-and-see loop.

    started = time.monotonic()
    replace_in_file(APP / "app.py", "Hello from", "Hello again from")
    seconds = seconds_until_page_shows("http://127.0.0.1:8080/", "Hello again from", started)

`compose_watch` runs `docker compose up --watch` (or `docker compose watch`), which stays in the foreground,
beside the notebook and stops it (Ctrl-C, as in a terminal) when the `with` block ends; `Watch.lines` holds what
it printed, without colour codes.

Used by: chapter 08 (section 7).
"""

import http.client
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from . import CourseError
from .wait import TimedOut, until

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def replace_in_file(path: str | Path, old: str, new: str) -> None:
    """Edit a file as an editor would: `old` becomes `new` (it must be there, once or more)."""
    path = Path(path)
    text = path.read_text()
    if old not in text:
        raise CourseError(f"{path} does not contain {old!r}: copy the sample app again (the chapter's first cell)")
    path.write_text(text.replace(old, new))


def page(url: str) -> str:
    """The body at `url`, or "" while nothing answers in full (a server restarting)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except (urllib.error.URLError, http.client.HTTPException, OSError):  # OSError: refused, reset, timed out
        return ""


def seconds_until_page_shows(url: str, text: str, since: float, timeout: float = 90) -> float:
    """Poll `url` every 0.1 s until its body contains `text`; the seconds from `since` (time.monotonic())."""
    try:
        until(lambda: text in page(url), timeout - (time.monotonic() - since), every=0.1,
              what=f"{url} showing {text!r}")
    except TimedOut:
        raise CourseError(f"{url} did not show {text!r} within {timeout:.0f} s: read the web service's logs "
                          "(docker compose … logs web)") from None
    return time.monotonic() - since


class Watch:
    """A running `docker compose watch`: its process and the lines it has printed so far."""

    def __init__(self, command: str):
        self.lines: list[str] = []
        self.process = subprocess.Popen(shlex.split(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:  # without colour codes: Compose colours its watch messages regardless
            self.lines.append(ANSI.sub("", line.rstrip("\n")))

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Wait until watch printed a line containing `text` (such as "Watch enabled")."""
        try:
            until(lambda: any(text in line for line in self.lines), timeout, every=0.1, what=f"watch printing {text!r}",
                  give_up=lambda: self.process.poll() is not None)
        except TimedOut:
            last = self.lines[-1] if self.lines else "(nothing)"
            raise CourseError(f"docker compose watch did not print {text!r} (its last line: {last}); "
                              "run the command in a terminal to see why") from None

    def stop(self) -> int:
        """Ctrl-C, as in a terminal; kill after 20 s. Returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.CTRL_C_EVENT if sys.platform == "win32" else signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        return self.process.returncode


@contextmanager
def compose_watch(command: str):
    """Run `command` (`docker compose … up --watch`, or `… watch`) until the block ends; it is stopped even if the
    block fails."""
    watch = Watch(command)
    try:
        watch.wait_for("Watch enabled")
        yield watch
    finally:
        watch.stop()
