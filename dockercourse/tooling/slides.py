"""The slides (``make slides``, and the site build): a reveal.js deck per chapter and one per workshop agenda, built
from the chapters as stored — every command and output on the projector is the one the tests ran.

Which cells go on the slides is each cell's **slide type** (``metadata.slideshow.slide_type``, JupyterLab's
*Slide Type* in the property inspector, as nbconvert and RISE read it):

- ``slide``: a new slide; ``subslide``: a new slide below the current one (reveal.js's vertical stack);
- ``fragment``: on the current slide, shown at the next click (a prediction's output); ``-``: on the current slide;
- ``notes``: the current slide's presenter notes (the chapter's prose, for the speaker view);
- ``skip``: not on the slides (checks, exercises' starting points and solutions, cleanup).

A section's heading cell shows its heading, first paragraph and diagram; the rest of the cell goes to the notes.
A code cell shows its source and its stored outputs without colour codes, an output longer than
MAX_OUTPUT_LINES cut with a line that says how much is left out. Each chapter's title slide carries, as notes,
the instructor guide's *Demo live* and *Where rooms get stuck* for it. An agenda's deck (half day, full day,
day two) is its chapters' decks in the agenda's order, each after a slide with its time, and the pauses between
them (tooling/agenda.py). (The course image's decks lack the guide's notes: its build leaves docs/ out.)

reveal.js is npm's package (its tarball from npm's registry at REVEAL_VERSION, checked against npm's integrity
hash; no Node.js needed) and is copied beside the decks with the diagrams, so a deck opens from ``file://``, from
the site, from the workshop bundle (make bundle packs build/slides) and in the course image (its Dockerfile builds
them: its JupyterLab serves build/slides/, machine/lab_pages.py), with no network.
``python -m dockercourse.tooling.slides --suggest NN`` gives a new chapter's cells the slide types above.
"""

import argparse
import base64
import html
import re
import shutil
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import markdown as markdown_lib
import nbformat

from .. import REPO_DIR
from ..course import Chapter, read_chapters
from ..exercises import tags
from ..machine.npm import npm_tarball
from .agenda import ENDS, agenda_table, build_agenda, clock, plans

REVEAL_VERSION = "6.0.2"
#: npm's integrity of that tarball (`npm view reveal.js@6.0.2 dist.integrity`): a download must match it.
REVEAL_INTEGRITY = "sha512-JYIg5D9aoxoaLeb84O+OvAwsKWdIavVgEDScxtYEXFCT6t6TQrhNtSgogcjdCpdLsWglhJn3zyE3fUOwiH5KEg=="
SLIDES_DIR = REPO_DIR / "build" / "slides"
INSTRUCTOR_GUIDE = REPO_DIR / "docs" / "instructor-guide.md"
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "notes", "skip")
MAX_OUTPUT_LINES = 14
#: reveal.js's files a deck uses (from its npm package's dist/), copied to reveal/ beside the decks.
REVEAL_FILES = ("reveal.js", "reveal.css", "theme/white.css", "plugin/notes.js")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HEADING = re.compile(r"^#{1,3} (.+)$", re.MULTILINE)
NOTES_IN_GUIDE = ("Demo live", "Where rooms get stuck")

STYLE = """
.reveal { font-size: 30px; }
.reveal .slides section { text-align: left; height: 100%; overflow-y: auto; }
.reveal h1, .reveal h2, .reveal h3 { text-transform: none; }
.reveal h1 { font-size: 1.6em; } .reveal h2 { font-size: 1.3em; } .reveal h3 { font-size: 1.1em; }
.reveal p code, .reveal li code { font-size: .85em; }
.reveal pre { width: 100%; box-shadow: none; margin: .3em 0; font-size: .6em; }
.reveal pre code { max-height: none; white-space: pre-wrap; word-break: break-word; padding: .4em .6em; }
.reveal pre.source code { background: #f4f6f8; border-left: 4px solid #2a7ab0; }
.reveal pre.output code { background: #fff; border-left: 4px solid #bbb; }
.reveal .cut { color: #9a3b00; font-style: italic; }
.reveal img, .reveal svg { max-height: 60vh; max-width: 100%; background: #fff; }
.reveal details { font-size: .8em; } .reveal table { font-size: .6em; }
.reveal .when { color: #555; font-size: .9em; }
"""


# --- Slide types: what a new chapter starts with ------------------------------------------------------------

def slide_type(cell) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def suggested_slide_type(cell, index: int, last_index: int) -> str:
    """A cell's slide type by the course's conventions, for a chapter whose cells have none yet."""
    if index == 0:
        return "slide"
    cell_tags = tags(cell)
    if cell.cell_type == "code":
        if index == last_index or cell_tags & {"exercise", "checker", "hide-input", "breaks"} \
                or "start_chapter(" in cell.source:
            return "skip"
        return "fragment" if "reveal" in cell_tags else "subslide"
    source = cell.source.lstrip()
    if "solution" in cell_tags or source.startswith(("## Interview questions", "## Cleanup")):
        return "skip"
    if source.startswith(("## ", "### Exercise")):
        return "slide"
    if cell_tags & {"predict", "quick-check"} or "![" in source:  # a diagram gets a slide of its own
        return "subslide"
    return "notes"


def suggest(path: Path) -> int:
    """Give each cell of a chapter that has no slide type the suggested one; returns how many were given."""
    notebook = nbformat.read(path, as_version=4)
    given = 0
    for index, cell in enumerate(notebook.cells):
        if slide_type(cell) is None:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = suggested_slide_type(
                cell, index, len(notebook.cells) - 1)
            given += 1
    nbformat.write(notebook, path)
    return given


# --- Cells as HTML --------------------------------------------------------------------------------------------

#: A Markdown link into the course ([text](04-dockerfile.ipynb#…)) or JupyterLab (/proxy/8050/), not an image: a
#: deck has no such pages beside it.
COURSE_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?://)[^)]+\)")
#: Any Markdown link, but an image.
ANY_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]+\)")
LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.) ")


def lists_apart(text: str) -> str:
    """A blank line before each list that follows a line of text: JupyterLab starts a list there, Python-Markdown
    only after a blank line."""
    lines, fenced = [], False
    for line in text.split("\n"):
        fenced ^= line.startswith("```")
        if not fenced and LIST_ITEM.match(line) and lines and lines[-1].strip() and not LIST_ITEM.match(lines[-1]) \
                and not lines[-1].startswith("  "):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


def markdown_html(text: str) -> str:
    # A <details> block's Markdown is rendered as in JupyterLab (md_in_html reads it when asked to).
    text = re.sub(r"<details>", '<details markdown="1">', lists_apart(text))
    return markdown_lib.markdown(text, extensions=["fenced_code", "tables", "md_in_html"])


def cut(text: str) -> str:
    """An output's text, at most MAX_OUTPUT_LINES lines: the rest replaced by a line that says so."""
    lines = ANSI.sub("", text).rstrip("\n").split("\n")
    if len(lines) <= MAX_OUTPUT_LINES:
        return html.escape("\n".join(lines))
    kept = MAX_OUTPUT_LINES - 1
    return (html.escape("\n".join(lines[:kept])) +
            f'\n<span class="cut">[… {len(lines) - kept} more lines: the whole output is in the chapter]</span>')


def output_html(output) -> str:
    if output.output_type == "stream":
        return f'<pre class="output"><code>{cut(output.text)}</code></pre>'
    if output.output_type == "error":
        return f'<pre class="output"><code>{cut(output.ename + ": " + output.evalue)}</code></pre>'
    data = output.get("data", {})
    if "image/png" in data:
        return f'<img alt="a plot the chapter drew" src="data:image/png;base64,{data["image/png"].strip()}">'
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        encoded = base64.b64encode(("".join(svg) if isinstance(svg, list) else svg).encode()).decode()
        return f'<img alt="a picture the chapter drew" src="data:image/svg+xml;base64,{encoded}">'
    if "text/markdown" in data:  # a link into JupyterLab (links.py) is text: no JupyterLab serves the deck
        return markdown_html(COURSE_LINK.sub(r"\1", data["text/markdown"]))
    if "text/plain" in data:
        return f'<pre class="output"><code>{cut(data["text/plain"])}</code></pre>'
    return ""


def code_html(cell) -> str:
    source = f'<pre class="source"><code>{html.escape(cell.source)}</code></pre>'
    return source + "".join(output_html(output) for output in cell.get("outputs", []))


def heading_cell(source: str) -> tuple[str, str]:
    """A heading cell as (what the slide shows, the notes). A chapter's title: the title, its objectives and its
    minutes on the slide, its questions and introduction in the notes. A section: its heading, first paragraph
    and diagram on the slide, the rest in the notes."""
    blocks = re.split(r"\n\s*\n", lists_apart(source.strip()))
    if source.startswith("# "):
        objectives = next((index for index, block in enumerate(blocks) if block.startswith("**Objectives**")), None)
        listed = blocks[objectives:objectives + 2] if objectives is not None else []
        shown = [blocks[0], *listed] + [block for block in blocks if block.startswith("Teaching ")]
        return "\n\n".join(shown), "\n\n".join(block for block in blocks if block not in shown)
    shown = blocks[:2] + [block for block in blocks[2:] if "![" in block]  # and its diagram
    return "\n\n".join(shown), "\n\n".join(block for block in blocks if block not in shown)


# --- Decks ------------------------------------------------------------------------------------------------

@dataclass
class Slide:
    body: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        notes = f'<aside class="notes">{"".join(self.notes)}</aside>' if self.notes else ""
        return f"<section>{''.join(self.body)}{notes}</section>"


def guide_notes(chapter: Chapter, guide: str) -> str:
    """The instructor guide's bullets NOTES_IN_GUIDE for the chapter, as HTML with its links as plain text."""
    section = re.search(rf"^## Chapter {chapter.number} · .*?(?=^## |\Z)", guide, re.MULTILINE | re.DOTALL)
    if not section:
        return ""
    bullets = re.split(r"^- ", section.group(0), flags=re.MULTILINE)[1:]
    chosen = [bullet for bullet in bullets if bullet.startswith(tuple(f"**{name}**" for name in NOTES_IN_GUIDE))]
    return markdown_html(ANY_LINK.sub(r"\1", "\n\n".join(chosen)))


def chapter_slides(notebook, chapter: Chapter, guide: str) -> list[list[Slide]]:
    """The chapter's slides as reveal.js's stacks: each `slide` cell starts a stack, each `subslide` a slide in it."""
    stacks: list[list[Slide]] = []
    for cell in notebook.cells:
        kind = slide_type(cell) or "skip"
        if kind == "skip":
            continue
        if kind in ("slide", "subslide") or not stacks:
            slide = Slide()
            if kind == "slide" or not stacks:
                stacks.append([slide])
            else:
                stacks[-1].append(slide)
        slide = stacks[-1][-1]
        if cell.cell_type == "markdown":
            source = COURSE_LINK.sub(r"\1", cell.source)
            shown, rest = heading_cell(source) if source.startswith(("# ", "## ")) else (source, "")
            content = markdown_html(shown)
            if rest:
                slide.notes.append(markdown_html(rest))
        else:
            content = code_html(cell)
        if kind == "notes":
            slide.notes.append(content)
        elif kind == "fragment":
            slide.body.append(f'<div class="fragment">{content}</div>')
        else:
            slide.body.append(content)
    if stacks:
        stacks[0][0].notes.insert(0, guide_notes(chapter, guide))
    return stacks


def deck_html(title: str, stacks: list[list[Slide]]) -> str:
    sections = "".join(f"<section>{''.join(slide.html() for slide in stack)}</section>" if len(stack) > 1
                       else stack[0].html() for stack in stacks)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/theme/white.css">
<link rel="stylesheet" href="slides.css">
</head>
<body>
<div class="reveal"><div class="slides">{sections}</div></div>
<script src="reveal/reveal.js"></script>
<script src="reveal/plugin/notes.js"></script>
<script>
Reveal.initialize({{hash: true, slideNumber: "c/t", center: false, width: 1280, height: 800,
                   pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1, plugins: [RevealNotes]}});
</script>
</body>
</html>
"""


def deck_name(name: str) -> str:
    return f"{name}.html"


def chapter_deck_name(chapter: Chapter) -> str:
    return deck_name(Path(chapter.path).stem)


def agenda_stacks(name: str, chapters: dict[str, Chapter], decks: dict[str, list[list[Slide]]]) -> list[list[Slide]]:
    """An agenda's deck: a title slide with its table, then each block: a chapter after the slide with its time, a
    pause as one slide."""
    agenda = build_agenda(plans(REPO_DIR)[name], chapters, ENDS[name])
    title = name.replace("-", " ").capitalize()
    stacks = [[Slide([markdown_html(f"# Docker for Python developers · {title}\n\n"
                                    f"{clock(agenda.blocks[0].start)}–{clock(agenda.end)}\n\n"
                                    + ANY_LINK.sub(r"\1", agenda_table(agenda, chapters)))])]]
    for block in agenda.blocks:
        times = f'<p class="when">{clock(block.start)}–{clock(block.end)}</p>'
        if block.chapter is None:
            stacks.append([Slide([f"<h1>{html.escape(block.label)}</h1>{times}"])])
            continue
        exercises = f"{block.exercises} min exercises" + (" (shown as a demo)" if block.demo else "")
        stacks.append([Slide([f"<h1>{html.escape(block.label)}</h1>{times}"
                              f"<p>{block.teaching} min teaching · {exercises}</p>"])])
        stacks += decks[block.chapter]
    return stacks


def slide_count(notebook) -> int:
    """How many slides a chapter's deck has: one per cell of slide type `slide` or `subslide`."""
    return sum(slide_type(cell) in ("slide", "subslide") for cell in notebook.cells)


def deck_table() -> str:
    """The decks as a Markdown table for the site's Slides page, which is served beside them (slides/): each
    agenda's, then each chapter's, with its number of slides. The links are HTML: MkDocs checks Markdown links
    against the documentation's files, and the decks are written after them (site_hooks.on_post_build)."""
    chapters = read_chapters()
    counts = {number: slide_count(nbformat.read(REPO_DIR / chapter.path, as_version=4))
              for number, chapter in chapters.items()}
    rows = ["| deck | slides |", "|---|--:|"]
    for name in plans(REPO_DIR):
        agenda = build_agenda(plans(REPO_DIR)[name], chapters, ENDS[name])
        total = 1 + len(agenda.blocks) + sum(counts[number] for number in agenda.chapters)
        rows.append(f'| <a href="{deck_name(name)}">{name.replace("-", " ").capitalize()}</a> '
                    f"({clock(agenda.blocks[0].start)}–{clock(agenda.end)}) | {total} |")
    for number, chapter in chapters.items():
        rows.append(f'| <a href="{chapter_deck_name(chapter)}">{number} · {html.escape(chapter.title)}</a> '
                    f"| {counts[number]} |")
    return "\n".join(rows)


def build(out_dir: Path = SLIDES_DIR) -> list[Path]:
    """Every deck into out_dir, with reveal.js, the diagrams and the style beside them; returns the decks' paths."""
    with tarfile.open(npm_tarball("reveal.js", REVEAL_VERSION, REVEAL_INTEGRITY, "the slides need")) as package:
        for name in REVEAL_FILES:
            (out_dir / "reveal" / name).parent.mkdir(parents=True, exist_ok=True)
            (out_dir / "reveal" / name).write_bytes(package.extractfile(f"package/dist/{name}").read())
    shutil.copytree(REPO_DIR / "notebooks" / "img", out_dir / "img", dirs_exist_ok=True)
    (out_dir / "slides.css").write_text(STYLE)
    chapters = read_chapters()
    # The course image leaves docs/ out (.dockerignore): its decks have the chapters' notes only.
    guide = INSTRUCTOR_GUIDE.read_text() if INSTRUCTOR_GUIDE.exists() else ""
    decks, written = {}, []
    for number, chapter in chapters.items():
        notebook = nbformat.read(REPO_DIR / chapter.path, as_version=4)
        decks[number] = chapter_slides(notebook, chapter, guide)
        path = out_dir / chapter_deck_name(chapter)
        path.write_text(deck_html(f"{number} · {chapter.title}", decks[number]))
        written.append(path)
    for name in plans(REPO_DIR):
        path = out_dir / deck_name(name)
        path.write_text(deck_html(f"Docker course · {name.replace('-', ' ')}", agenda_stacks(name, chapters, decks)))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m dockercourse.tooling.slides", description=__doc__.splitlines()[0])
    parser.add_argument("--suggest", metavar="NN", action="append", default=[],
                        help="give this chapter's cells that have no slide type the suggested one (repeatable)")
    parser.add_argument("--out", type=Path, default=SLIDES_DIR, help="where the decks go (default: build/slides)")
    args = parser.parse_args(argv)
    if args.suggest:
        chapters = read_chapters()
        for number in args.suggest:
            print(f"slides: {chapters[number].path}: {suggest(REPO_DIR / chapters[number].path)} cell(s) given a "
                  "slide type")
        return 0
    written = build(args.out.resolve())
    print(f"slides: {len(written)} decks in {args.out} (open one in a browser; S opens the speaker view)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
