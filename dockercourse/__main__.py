"""Command line: ``python -m dockercourse COMMAND``; ``--help`` lists the commands.

Every failure ends in one line that says what to do, and a non-zero exit code.
"""

import argparse
import sys
from pathlib import Path

from . import CourseError


def _engine(args: argparse.Namespace) -> int:
    from .machine.doctor import check_cli
    from .machine.engine_setup import engine_summary, ensure_engine

    ensure_engine()
    print(f"engine: {engine_summary()}")
    cli = check_cli()
    print(f"engine: the docker CLI that runs: {cli.found}" + (f" — warning: {cli.fix}" if cli.warning else ""))
    return 0


def _images(args: argparse.Namespace) -> int:
    from .course import chapter
    from .engine import require_engine
    from .machine.images import ensure_images, prefetch_standins
    from .manifest import load_manifest

    wanted = sorted({image for number in args.chapter for image in chapter(number).images}) or None
    if args.prefetch:
        prefetch_standins(wanted or [image.repository for image in load_manifest()])
        return 0
    require_engine()
    ensure_images(wanted)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .machine.doctor import run_doctor

    return run_doctor(workshop=args.workshop)


def _lab(args: argparse.Namespace) -> int:
    from .machine.lab import enable_lab_pages, start_lab, write_settings

    if args.write_settings:
        print(f"lab: JupyterLab's settings for the course are in {write_settings()}; its pages (progress, slides) are "
              f"enabled by {enable_lab_pages()}")
        return 0
    return start_lab(ip=args.ip, prepare_images=args.prepare_images)


def _course_image(args: argparse.Namespace) -> int:
    from .engine import require_engine
    from .machine.course_image import build_course_image

    require_engine()
    build_course_image()
    return 0


def _bundle(args: argparse.Namespace) -> int:
    from .engine import require_engine
    from .machine.bundle import make_bundle

    require_engine()
    make_bundle(args.directory.resolve())
    return 0


def _bundle_load(args: argparse.Namespace) -> int:
    from .machine.bundle import load_bundle

    load_bundle(args.directory.resolve())
    return 0


def _solutions(args: argparse.Namespace) -> int:
    from .engine import require_engine
    from .tooling.solutions import write_solutions

    require_engine()
    return write_solutions(args.directory.resolve(), only=args.chapter)


def _clean(args: argparse.Namespace) -> int:
    from .engine import require_engine
    from .resources import remove_labelled

    require_engine()
    removed = remove_labelled(args.creator)
    print(f"clean: removed {removed} labelled resource(s)")
    return 0


def _leaks(args: argparse.Namespace) -> int:
    from .engine import require_engine
    from .resources import leftovers

    require_engine()
    left = leftovers()
    for line in left:
        print(f"leak: {line}")
    if left:
        print(f"leaks: {len(left)} labelled resource(s) remain: find what created them "
              "(the label's value says), make it clean up, then run `make clean`")
        return 1
    print("leaks: nothing labelled remains")
    return 0


def _stack(args: argparse.Namespace) -> int:
    from .machine import stack

    if args.action == "up":
        stack.up(args.port)
    else:
        stack.down(reset=args.reset)
    return 0


def _stack_lab(args: argparse.Namespace) -> int:
    from .machine.stack import stack_lab

    return stack_lab(args.images)


def _workshop_cards(args: argparse.Namespace) -> int:
    from .machine.workshop.server import make_cards

    make_cards(args.roster, args.url)
    return 0


def _workshop_server(args: argparse.Namespace) -> int:
    from .machine.workshop.server import start_hub, stop_everything

    if args.stop:
        stop_everything()
        return 0
    if args.roster is None:
        raise CourseError("which room? give the roster: make workshop-server ROSTER=room.csv")
    start_hub(args.roster, args.port)
    return 0


def _progress(args: argparse.Namespace) -> int:
    from . import progress

    if args.action == "reset":
        asked = f"Delete your progress log, {progress.log_path()}? [y/N] "
        confirmed = args.yes or (sys.stdin.isatty() and input(asked).strip().lower() == "y")
        print(progress.reset(confirmed))
        return 0
    print(progress.show(args.chapter))
    return 0


def _radar(args: argparse.Namespace) -> int:
    from . import progress

    if args.action == "serve":
        from .machine.radar import serve

        serve(args.port, args.host, args.database, args.stuck_minutes)
    elif args.action == "join":
        membership = progress.join(args.url, args.name)
        print(f"radar: joined {membership['url']} as {membership['name'] or 'an anonymous learner'}; each "
              "checker's ✓/✗ and the mistake's name go there too (python -m dockercourse radar leave stops it)")
    else:
        print(progress.leave())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockercourse", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("engine", help="use the running engine, or install and start one").set_defaults(run=_engine)
    images = commands.add_parser("images", help="make sure every manifest image is there")
    images.add_argument("--chapter", metavar="NN", action="append", default=[],
                        help="only the images this chapter uses (course.toml); may be repeated")
    images.add_argument("--prefetch", action="store_true",
                        help="no engine needed: when no registry answers, only build the stand-ins' root filesystems")
    images.set_defaults(run=_images)
    doctor = commands.add_parser("doctor", help="check this machine for the course")
    doctor.add_argument("--workshop", action="store_true",
                        help="the room preflight: everything for the whole day, as a table")
    doctor.set_defaults(run=_doctor)
    lab = commands.add_parser("lab", help="start JupyterLab on the course (make lab): LAB_PORT or the next free port")
    lab.add_argument("--ip", default="127.0.0.1", help="the address to listen on (0.0.0.0: every interface)")
    lab.add_argument("--prepare-images", action="store_true",
                     help="first start preparing the manifest images that are missing, in the background")
    lab.add_argument("--write-settings", action="store_true",
                     help="only write JupyterLab's settings for the course (no news prompt; the progress page), "
                          "then exit")
    lab.set_defaults(run=_lab)
    clean = commands.add_parser("clean", help="remove what the course created in the engine")
    clean.add_argument("creator", nargs="?", help="only what this creator made (a chapter number, `tests`)")
    clean.set_defaults(run=_clean)
    commands.add_parser("leaks", help="list labelled resources left behind").set_defaults(run=_leaks)
    commands.add_parser("course-image", help="build the course image (top-level Dockerfile)").set_defaults(
        run=_course_image)
    for name, run, what in (("bundle", _bundle, "write the offline workshop bundle to"),
                            ("bundle-load", _bundle_load, "load the workshop bundle from")):
        command = commands.add_parser(name, help=f"{what} a directory")
        command.add_argument("directory", type=Path)
        command.set_defaults(run=run)
    solutions = commands.add_parser("solutions", help="write executed, solved copies of the chapters")
    solutions.add_argument("directory", type=Path, nargs="?", default=Path("build/solved"))
    solutions.add_argument("--chapter", metavar="NN", help="only this chapter")
    solutions.set_defaults(run=_solutions)
    stack = commands.add_parser("stack", help="the course stack (compose.yaml): JupyterLab and a private engine")
    stack.add_argument("action", choices=["up", "down"])
    stack.add_argument("--port", type=int, help="JupyterLab's host port (default: LAB_PORT or the next free one)")
    stack.add_argument("--reset", action="store_true",
                       help="with down: remove the learner's work and the engine's data")
    stack.set_defaults(run=_stack)
    lab_in_stack = commands.add_parser("stack-lab", help="in the stack's lab container: the images, then JupyterLab")
    lab_in_stack.add_argument("--images", type=Path, default=Path("/images"), help="where the image archives are")
    lab_in_stack.set_defaults(run=_stack_lab)
    cards = commands.add_parser("workshop-cards", help="the workshop's accounts and login cards (A4 PDF)")
    cards.add_argument("--roster", type=Path, required=True, help="a CSV file with a `name` column (and `role`)")
    cards.add_argument("--url", help="the address on the cards (default: http://THIS-HOST:WORKSHOP_PORT)")
    cards.set_defaults(run=_workshop_cards)
    from .course import RADAR_PORT, WORKSHOP_PORT

    progress = commands.add_parser("progress", help="your progress: solved, tried, not tried, and where to resume")
    progress.add_argument("action", nargs="?", choices=["show", "reset"], default="show")
    progress.add_argument("--chapter", metavar="NN", help="only this chapter's exercises")
    progress.add_argument("--yes", action="store_true", help="with reset: do not ask")
    progress.set_defaults(run=_progress)
    radar = commands.add_parser("radar", help="the room radar: serve it (instructor), join or leave it (learner)")
    radar.add_argument("action", choices=["serve", "join", "leave"])
    radar.add_argument("url", nargs="?", help="join: the radar's address, as `radar serve` prints it")
    radar.add_argument("--name", help="join: the name the instructor sees (default: your JupyterHub login, or none)")
    radar.add_argument("--port", type=int, default=RADAR_PORT, help="serve: the port")
    radar.add_argument("--host", default="0.0.0.0", help="serve: the address to listen on (default: every one)")
    radar.add_argument("--database", type=Path, help="serve: the SQLite file (default: in your data directory)")
    radar.add_argument("--stuck-minutes", type=float, default=10,
                       help="serve: show who has been on one exercise longer than this")
    radar.set_defaults(run=_radar)

    hub = commands.add_parser("workshop-server", help="the workshop server: JupyterHub, a course stack per learner")
    hub.add_argument("--roster", type=Path, help="the room (make workshop-cards first)")
    hub.add_argument("--port", type=int, default=WORKSHOP_PORT, help="the room's address (and the 3 ports after it)")
    hub.add_argument("--stop", action="store_true", help="remove every learner's engine and lab, and the mirror")
    hub.set_defaults(run=_workshop_server)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
