"""The Docker course's helper package: what chapters import, how a machine is set up, how the course is tested.

What a chapter imports (the runtime):
    chapter          a chapter's first and last cell: start_chapter("NN"), end_chapter("NN")
    engine           the docker CLI from Python (docker()), and what the engine is
    course           the course file, course.toml: the chapters and the port choices
    manifest         the image manifest, images.toml: every image, pinned, with its stand-in recipe
    resources        the course label: finding and removing what the course created
    wait             the one poll loop (until), a healthy container, an answering URL
    exercises        the exercise form: starting point, checker, collapsed solution
    checks/          each chapter's exercise checkers (chNN), and what they share (common)
    progress         every checker's verdict in the learner's log (make progress); joining the room radar
    buildkit_log     which build steps came from the cache (04, 05)
    capabilities     a process's capabilities, decoded (10)
    container_memory a container's memory use (01)
    dev_loop         the edit-and-see loop, timed (08)
    engine_api       the engine's REST API over its socket (03)
    image_contents   the files inside an image (09)
    k8s_manifests    the sample app's Kubernetes manifests, validated offline (12)
    links            a page a chapter serves, opened through JupyterLab's proxy (05, 06)
    saved_image      searching a `docker save` archive (10)
    stopwatch        timing a step of a chapter (04, 08, 09)
    swarm            watching a Swarm of engines in containers (12)
machine/ (setting up a machine):
    apt, engine_setup (make engine), images and standins (make images), course_image, doctor, lab (make lab),
    bundle (the offline workshop bundle), stack (the course stack), workshop/ (the workshop server),
    radar (make radar: the instructor's live view of the room), lab_pages (the progress page and the decks
    in JupyterLab), browser (Chromium for the tests), npm (packages from npm, pinned)
tooling/ (building and testing the course):
    harness (make test, make check), pytest_plugin, junit, solutions (make solutions), agenda and site_hooks
    (the site), slides (make slides), quiz (make quizzes: the chapters' quizzes and the mock exam),
    minutes (the minutes model), lessons (what the lesson tests read), store (make notebooks),
    timings, bench, stack_bench and workshop_bench (make bench, make workshop-bench), devcontainer,
    offline_check.sh (make offline-check), first_cell_bench.sh (time to chapter 00 on a fresh machine)

Every docker command a chapter teaches stays visible in the chapter itself; these helpers only check,
measure and clean up (and `links` prints a link). Command line: ``python -m dockercourse COMMAND``
(``--help`` lists them).
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
