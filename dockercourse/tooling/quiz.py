"""The chapters' scored quizzes: hand-written questions, and "predict the output" questions whose right answer
is a cell's stored output — the one nbval verified against a real engine, so no quiz drifts from Docker.

Each chapter's questions are written in docs/quizzes/NN.toml (format: docs/quizzes/README.md). This module
makes docs/quizzes/NN.json from them and from the notebooks: the site's copy, committed. The site build and the
tests make it again and stop when a committed copy differs — a predict question whose source output changed is
looked at (its wrong options may have become right) before the site publishes it.

    python -m dockercourse.tooling.quiz            # write every chapter's copy (make quizzes)
    python -m dockercourse.tooling.quiz --check    # which copies are stale, and which sources are wrong

Used by: tooling/site_hooks.py (the chapter pages' quizzes and the mock exam), tests/test_quiz.py.
"""

import argparse
import configparser
import json
import random
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import nbformat
from markdown.extensions.toc import slugify

from .. import REPO_DIR, CourseError
from ..course import Chapter, read_chapters
from ..exercises import tags
from .harness import SANITIZE

QUIZ_DIR = REPO_DIR / "docs" / "quizzes"
#: The Docker Certified Associate exam's domains and their weights in the exam, in per cent
#: (the DCA study guide, v1.4, August 2020: 55 questions in 90 minutes).
DOMAINS = {
    "orchestration": ("Orchestration", 25),
    "images": ("Image creation, management and registry", 20),
    "installation": ("Installation and configuration", 15),
    "networking": ("Networking", 15),
    "security": ("Security", 15),
    "storage": ("Storage and volumes", 10),
}
#: The mock exam: the DCA's pace (same study guide), for fewer questions.
EXAM_QUESTIONS = 20
EXAM_MINUTES = round(EXAM_QUESTIONS * 90 / 55)
MIN_CHOICE, MIN_PREDICT = 5, 3
WRONG_OPTIONS = 3
MAX_OUTPUT_LINES = 10
PREDICT_LEAD = "What does this print?"
HEADING = re.compile(r"^#{2,3} (.+)$", re.MULTILINE)


@cache
def _sanitizers() -> list[tuple[re.Pattern, str]]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(SANITIZE)
    return [(re.compile(config[name]["regex"]), config[name]["replace"]) for name in config.sections()]


def stable_output(cell) -> str | None:
    """A code cell's output when it is text that every run prints the same (nbval compares it as it is):
    streams only, nothing nbval's sanitizers would replace (IDs, digests, times), at most MAX_OUTPUT_LINES lines."""
    outputs = cell.get("outputs", [])
    if (cell.cell_type != "code" or not outputs or "nbval-ignore-output" in tags(cell)
            or any(output.output_type != "stream" for output in outputs)):
        return None
    text = "".join(output.text for output in outputs).replace("\r\n", "\n")  # `!command` cells print CRLF
    varying = any(pattern.search(text) for pattern, _ in _sanitizers())
    if varying or not text.strip() or len(text.splitlines()) > MAX_OUTPUT_LINES:
        return None
    return text.rstrip("\n")


def sections(notebook) -> dict[str, str]:
    """The chapter page's section ids (as the site's table of contents makes them) and their headings."""
    return {slugify(heading, "-"): heading for cell in notebook.cells if cell.cell_type == "markdown"
            for heading in HEADING.findall(cell.source)}


def cells_by_id(notebook) -> dict:
    return {cell.get("id"): cell for cell in notebook.cells}


def right_answer(kind: str, entry: dict, cells: dict) -> str | None:
    """A question's right answer: written for a choice, the named cell's stable output for a predict question."""
    if kind == "choice":
        return entry.get("right")
    return stable_output(cells[entry["cell"]]) if entry.get("cell") in cells else None


def source_problems(chapter: Chapter, source: dict, notebook) -> list[str]:
    """What is wrong with a chapter's quiz source, one line each (empty when it may be published)."""
    known = sections(notebook)
    cells = cells_by_id(notebook)
    problems = []
    for kind, least in (("choice", MIN_CHOICE), ("predict", MIN_PREDICT)):
        if len(source.get(kind, [])) < least:
            problems.append(f"{len(source.get(kind, []))} [[{kind}]] questions: at least {least}")
    for kind in ("choice", "predict"):
        for number, entry in enumerate(source.get(kind, []), 1):
            where = f"[[{kind}]] {number}"
            if entry.get("section") not in known:
                problems.append(f"{where}: no section {entry.get('section')!r} in {chapter.path}")
            if entry.get("domain") not in DOMAINS:
                problems.append(f"{where}: domain {entry.get('domain')!r} is not one of {', '.join(DOMAINS)}")
            if not entry.get("explain"):
                problems.append(f"{where}: no explanation")
            right = right_answer(kind, entry, cells)
            if right is None:
                problems.append(f"{where}: " + ("no right answer" if kind == "choice" else
                                               f"cell {entry.get('cell')!r} has no stable text output in "
                                               f"{chapter.path}"))
                continue
            wrong = [option.rstrip("\n") for option in entry.get("wrong", [])]
            if len(wrong) != WRONG_OPTIONS or len({right, *wrong}) != WRONG_OPTIONS + 1:
                problems.append(f"{where}: give {WRONG_OPTIONS} wrong options, different from each other and from "
                                "the right one")
    return problems


def question(chapter: Chapter, kind: str, number: int, entry: dict, cells: dict, known: dict[str, str]) -> dict:
    """One question as the page shows it (`known`: the chapter's sections), its options in an order fixed by the
    question itself."""
    right = right_answer(kind, entry, cells)
    asked = entry.get("question", PREDICT_LEAD) if kind == "predict" else entry["question"]
    command = cells[entry["cell"]].source if kind == "predict" else None
    options = [right, *(option.rstrip("\n") for option in entry["wrong"])]
    random.Random(f"{chapter.number}:{kind}:{number}:{asked}").shuffle(options)
    shown = {"id": f"{chapter.number}-{kind}-{number}", "kind": kind, "domain": entry["domain"],
             "section": entry["section"], "section_title": known[entry["section"]],
             "question": asked, "options": options, "answer": options.index(right), "explain": entry["explain"]}
    return shown | ({"command": command} if command else {})


def source_path(number: str) -> Path:
    return QUIZ_DIR / f"{number}.toml"


def copy_path(number: str) -> Path:
    return QUIZ_DIR / f"{number}.json"


def read_source(number: str) -> dict:
    try:
        return tomllib.loads(source_path(number).read_text())
    except FileNotFoundError:
        raise CourseError(f"chapter {number} has no quiz: write {source_path(number).relative_to(REPO_DIR)}"
                          " (format: docs/quizzes/README.md)") from None
    except tomllib.TOMLDecodeError as error:
        raise CourseError(f"{source_path(number).relative_to(REPO_DIR)}: {error}") from None


def chapter_quiz(chapter: Chapter, repo: Path = REPO_DIR) -> dict:
    """A chapter's quiz, as its site copy holds it; a CourseError naming every problem of its source."""
    source = read_source(chapter.number)
    notebook = nbformat.read(repo / chapter.path, as_version=4)
    if problems := source_problems(chapter, source, notebook):
        raise CourseError(f"{source_path(chapter.number).relative_to(REPO_DIR)}: " + "; ".join(problems))
    cells, known = cells_by_id(notebook), sections(notebook)
    questions = [question(chapter, kind, number, entry, cells, known)
                 for kind in ("choice", "predict") for number, entry in enumerate(source[kind], 1)]
    return {"chapter": chapter.number, "title": chapter.title, "questions": questions}


def rendered(quiz: dict) -> str:
    return json.dumps(quiz, indent=1, ensure_ascii=False) + "\n"


def stale(chapters: dict[str, Chapter] | None = None) -> list[str]:
    """The chapters whose committed copy is not what their source and notebook make now."""
    chapters = chapters or read_chapters()
    return [number for number, chapter in chapters.items()
            if not copy_path(number).exists() or copy_path(number).read_text() != rendered(chapter_quiz(chapter))]


def stale_message(numbers: list[str]) -> str:
    return (f"the quizzes of chapter(s) {', '.join(numbers)} are stale (docs/quizzes/NN.json): a source or a "
            "predict question's stored output changed — check that its wrong options are still wrong, then run "
            "`make quizzes`")


def published(number: str) -> dict:
    """A chapter's quiz as the site publishes it: its committed copy."""
    return json.loads(copy_path(number).read_text())


def exam_counts() -> dict[str, int]:
    """How many of the exam's questions each domain gets: its weight's share, rounded so they add up
    (largest remainders first)."""
    shares = {domain: EXAM_QUESTIONS * weight / 100 for domain, (_, weight) in DOMAINS.items()}
    counts = {domain: int(share) for domain, share in shares.items()}
    for domain in sorted(shares, key=lambda name: counts[name] - shares[name])[:EXAM_QUESTIONS - sum(counts.values())]:
        counts[domain] += 1
    return counts


def exam(pages: dict[str, str]) -> dict:
    """The mock exam's data: every chapter's published questions, each with its chapter's page (`pages`: chapter
    number → the page's address relative to the exam's), and how many each domain gets."""
    chapters = read_chapters()
    questions = [question | {"page": pages[number], "chapter_title": f"{number} · {chapters[number].title}"}
                 for number in chapters for question in published(number)["questions"]]
    counts = exam_counts()
    return {"minutes": EXAM_MINUTES, "questions": questions,
            "domains": {domain: {"title": title, "count": counts[domain]} for domain, (title, _) in DOMAINS.items()}}


def embedded(kind: str, payload: dict) -> str:
    """A quiz's container for docs/javascripts/quiz.js, its questions inside as JSON."""
    text = json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
    return f'<div class="dc-{kind}"><script type="application/json">{text}</script></div>'


def write_all() -> list[Path]:
    written = []
    for number, chapter in read_chapters().items():
        copy_path(number).write_text(rendered(chapter_quiz(chapter)))
        written.append(copy_path(number))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockercourse.tooling.quiz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing: say which copies are stale")
    parser.add_argument("--chapter", help="only this chapter (NN): check its source, write nothing")
    options = parser.parse_args(argv)
    try:
        if options.chapter:
            quiz = chapter_quiz(read_chapters()[options.chapter])
            print(f"chapter {options.chapter}: {len(quiz['questions'])} questions, the source is sound")
            return 0
        if options.check:
            if numbers := stale():
                print(stale_message(numbers), file=sys.stderr)
                return 1
            print("every chapter's quiz is up to date")
            return 0
        for path in write_all():
            print(f"wrote {path.relative_to(REPO_DIR)}")
    except (CourseError, KeyError) as error:
        print(f"quiz: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
