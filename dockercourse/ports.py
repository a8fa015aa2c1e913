"""Host ports the course publishes: the one place they are chosen.

Each chapter NN owns ten host ports, 8000 + 10·NN to 8009 + 10·NN (chapter 04: 8040–8049), so
chapters never collide, even when run in parallel. Nothing uses 5000: on macOS the AirPlay
Receiver listens there. A structure test keeps every `-p HOST:CONTAINER` in a chapter inside
its range.

Used by: the doctor (chapter 00), the structure tests, and the sample app's tests.
"""

PORT_BASE = 8000
PORTS_PER_CHAPTER = 10
#: The tests' own range (the sample app's engine tests), clear of every chapter's.
TEST_PORTS = range(8900, 8910)
#: JupyterLab (`make lab`) and the site preview (`make docs`).
LAB_PORT = 8888
DOCS_PORT = 8800


def chapter_ports(chapter: int) -> range:
    """The host ports chapter `chapter` may publish."""
    first = PORT_BASE + PORTS_PER_CHAPTER * chapter
    return range(first, first + PORTS_PER_CHAPTER)
