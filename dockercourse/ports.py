"""Host ports the course publishes: the one place they are chosen.

Each chapter NN owns ten host ports, 8000 + 10·NN to 8009 + 10·NN (chapter 04: 8040–8049), so
chapters never collide, even when run in parallel. Nothing uses 5000: on macOS the AirPlay
Receiver listens there. A structure test keeps every `-p HOST:CONTAINER` in a chapter inside
its range.

Used by: the doctor (chapter 00), `make lab`, the structure tests, and the sample app's tests.
"""

import socket

PORT_BASE = 8000
PORTS_PER_CHAPTER = 10
#: The tests' own range, clear of every chapter's. Test modules run in parallel (pytest-xdist), so each
#: module that publishes fixed ports owns its own: 0–1 test_remote_engine, 2–6 test_sample_app,
#: 7 chapter 07's checks, 8 chapter 06's checks, 9 test_course_image (and `make bench`, never run beside them).
TEST_PORTS = range(8900, 8910)
#: JupyterLab (`make lab`; the next free port up to LAB_PORT + 9 when another program holds it) and
#: the site preview (`make docs`).
LAB_PORT = 8888
DOCS_PORT = 8800
#: `make nbval-remote`: the API of the engine in a container (no TLS, on 127.0.0.1 only). Docker's own
#: port for this is 2375, which a learner's engine may hold (Docker Desktop's "Expose daemon on
#: tcp://localhost:2375"); 8375 is clear of it, of the tests' range and of every chapter's up to chapter 36.
REMOTE_ENGINE_PORT = 8375


def chapter_ports(chapter: int) -> range:
    """The host ports chapter `chapter` may publish."""
    first = PORT_BASE + PORTS_PER_CHAPTER * chapter
    return range(first, first + PORTS_PER_CHAPTER)


def port_taken(port: int) -> bool:
    """Something listens on `port` (on any interface): binding it on every interface fails."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers are not "taken"
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False
