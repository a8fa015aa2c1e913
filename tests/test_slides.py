"""The slides' source and pieces (dockercourse/tooling/slides.py), without a browser: every chapter decides, cell by
cell, what goes on its slides; long outputs are cut visibly; lists render as JupyterLab renders them. The decks
themselves are tested in Chromium by tests/site/test_slides.py."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dockercourse.course import chapter_paths, read_chapters
from dockercourse.tooling import slides


@pytest.mark.parametrize("path", chapter_paths(), ids=lambda path: path.name[:2])
def test_every_cell_of_every_chapter_has_a_slide_type(path):
    notebook = nbformat.read(path, as_version=4)
    untyped = [index for index, cell in enumerate(notebook.cells) if slides.slide_type(cell) not in slides.SLIDE_TYPES]
    assert not untyped, (f"{path.name}: cells {untyped} have no slide type: set it in JupyterLab's property inspector, "
                         f"or run python -m dockercourse.tooling.slides --suggest {path.name[:2]}")
    assert slides.slide_type(notebook.cells[0]) == "slide", f"{path.name}: the title cell opens the deck"
    shown = [cell for cell in notebook.cells if cell.cell_type == "code" and slides.slide_type(cell) != "skip"]
    assert shown, f"{path.name}: no command on any slide"
    exercise_cells = [cell for cell in notebook.cells if {"exercise", "checker", "solution"} & set(cell.metadata.get(
        "tags", []))]
    assert all(slides.slide_type(cell) == "skip" for cell in exercise_cells), \
        f"{path.name}: an exercise's starting point, check or solution would be on a slide"


def test_a_long_output_is_cut_with_a_line_that_says_so():
    text = "\n".join(f"line {number}" for number in range(1, 41))
    shown = slides.cut(text)
    assert shown.count("\n") == slides.MAX_OUTPUT_LINES - 1
    assert f"line {slides.MAX_OUTPUT_LINES - 1}\n" in shown and f"line {slides.MAX_OUTPUT_LINES}\n" not in shown
    assert f"[… {40 - slides.MAX_OUTPUT_LINES + 1} more lines: the whole output is in the chapter]" in shown
    assert slides.cut("\x1b[31mred\x1b[0m <b>") == "red &lt;b&gt;"  # no colour codes, no markup


def test_a_list_after_a_line_of_text_is_a_list():
    assert "<li>one</li>" in slides.markdown_html("**Objectives**\n- one\n- two")
    assert "<li>" not in slides.markdown_html("```\ntext\n- not a list\n```")


def test_a_small_chapter_as_a_deck():
    notebook = new_notebook(cells=[
        new_markdown_cell("# 05 · Build and run\n\n**Questions**\n- why?\n\n**Objectives**\n- build\n\n"
                          "Teaching 1 min · Exercises 2 min\n\nAn introduction."),
        new_markdown_cell("## 1 · A section\n\nIts first paragraph.\n\nIts second, for the notes.\n\n"
                          "![a diagram](img/x.svg)"),
        new_code_cell("!docker version", outputs=[new_output("stream", name="stdout", text="29.0\n")]),
        new_markdown_cell("What the output says, and [a link into the course](04-dockerfile.ipynb)."),
        new_code_cell("!docker ps", outputs=[new_output("stream", name="stdout", text="CONTAINER ID\n")]),
        new_code_cell("ch05.check()"),
    ])
    for cell, kind in zip(notebook.cells, ["slide", "slide", "subslide", "notes", "fragment", "skip"], strict=True):
        cell.metadata["slideshow"] = {"slide_type": kind}
    chapter = read_chapters()["05"]
    guide = "## Chapter 05 · Build and run\n\n- **Timing**: no.\n- **Demo live**: `docker top` [here](x.md).\n"
    stacks = slides.chapter_slides(notebook, chapter, guide)
    assert [len(stack) for stack in stacks] == [1, 2]
    title, section, command = stacks[0][0], stacks[1][0], stacks[1][1]
    assert "<li>build</li>" in title.html() and "why?" not in "".join(title.body) and "why?" in "".join(title.notes)
    assert "Demo live" in title.notes[0] and "here" in title.notes[0] and "x.md" not in title.notes[0]
    assert "Timing" not in title.notes[0]
    assert "Its first paragraph." in "".join(section.body) and "Its second" in "".join(section.notes)
    assert 'src="img/x.svg"' in "".join(section.body)
    assert "29.0" in "".join(command.body) and 'class="fragment"' in command.body[-1]
    assert "a link into the course" in "".join(command.notes) and "04-dockerfile" not in "".join(command.notes)
    assert "ch05.check" not in slides.deck_html("deck", stacks)
