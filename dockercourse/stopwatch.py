"""How long each timed step of a chapter took, kept by name for a later cell (a table, a plot).

    seconds = Stopwatch()
    with seconds("cold build"):
        log = !docker build …

Used by: chapters 04, 08 and 09 (build and stop times; the edit-and-see loop; pip vs a cache mount vs uv).
"""

import time
from contextlib import contextmanager


class Stopwatch(dict):
    """Seconds by name; calling it with a name times the `with` block under that name."""

    @contextmanager
    def __call__(self, name: str):
        start = time.monotonic()
        try:
            yield
        finally:
            self[name] = time.monotonic() - start

    def __repr__(self) -> str:
        width = max((len(name) for name in self), default=0)
        return "\n".join(f"{name:<{width}}  {value:5.1f} s" for name, value in self.items())
