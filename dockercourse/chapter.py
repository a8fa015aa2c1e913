"""A chapter's first and last code cells: ``start_chapter("NN")`` and ``end_chapter("NN")``.

Used by: every chapter.
"""

from . import LABEL
from .course import chapter
from .machine.images import ensure_images, missing
from .resources import remove_labelled


def end_chapter(number: str) -> None:
    """A chapter's last cell: remove what it created (by its label), then confirm that nothing is left."""
    remove_labelled(number)
    print(f"nothing labelled {LABEL}={number} remains")


def start_chapter(number: str) -> None:
    """A chapter's first cell: remove what an earlier run of it left, so that Run All works twice in a row,
    and make sure the images it uses are there (a learner's `docker system prune -af` removed them, or
    `make lab` is still preparing them in the background): pulled, loaded or built as `make images` does."""
    end_chapter(number)
    wanted = list(chapter(number).images)
    absent = missing(wanted)
    if absent:
        print(f"preparing this chapter's images ({', '.join(absent)}) …", flush=True)
        ensure_images(wanted, table=False)
        print(f"ready: {', '.join(absent)}")
