"""The site's MkDocs hooks (mkdocs.yml `hooks:`): the generated agendas and timing table, and the chapters'
pictures where the site serves them.

- ``on_page_markdown`` fills the ``<!-- agenda: NAME -->`` placeholders of docs/instructor-guide.md and
  docs/agenda.md from the course file and the last nbval run (dockercourse/tooling/agenda.py), docs/slides.md's
  ``<!-- agenda: decks -->`` with the table of slide decks (dockercourse/tooling/slides.py), and a page's
  ``<!-- interview: count -->`` with the number of its questions (``??? question`` blocks), so no count is
  typed.
- ``on_page_content``, on a chapter's page: a link to the chapter's slides first; a chapter links its diagrams
  relative to itself
  (``![…](img/03-engine-chain.svg)``), which JupyterLab resolves in notebooks/; the site serves the chapter one
  level deeper (notebooks/03-architecture/), so the links go one level up. And the output of a prediction's run
  (a cell tagged ``reveal``), folded in JupyterLab, is folded on the page too: wrapped in
  ``<details class="reveal">``, so the reader predicts before seeing it. A link a chapter prints to a page it
  serves goes through JupyterLab's proxy (``/proxy/8050/``, dockercourse/links.py), which the site does not
  have: on the page it is plain text, as is chapter 00's link to the progress page of the learner's JupyterLab.
- ``on_pre_build`` stops the build when a quiz's committed copy (docs/quizzes/NN.json) is stale
  (tooling/quiz.py); ``on_page_content`` puts each chapter's quiz at the end of its page and every chapter's
  questions in docs/mock-exam.md's ``<!-- quiz: exam -->``, for docs/javascripts/quiz.js.
- ``on_post_build`` builds the slides (tooling/slides.py) into the site's ``slides/``.
"""

import re
import sys
from pathlib import Path

# MkDocs loads a hook by its file path: the course's root goes on sys.path so that the package imports from a
# checkout whose virtualenv has only requirements.txt installed (`pip install -r requirements.txt`, then
# `mkdocs build`). Everything the hooks use is imported here, while it is there.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bs4 import BeautifulSoup  # noqa: E402

from dockercourse import CourseError  # noqa: E402
from dockercourse.course import read_chapters  # noqa: E402
from dockercourse.progress import PAGE_PATH  # noqa: E402
from dockercourse.tooling.agenda import PLACEHOLDER, fill, sections  # noqa: E402
from dockercourse.tooling.lessons import REVEAL  # noqa: E402
from dockercourse.tooling.quiz import embedded, exam, published, stale, stale_message  # noqa: E402
from dockercourse.tooling.slides import build as build_slides  # noqa: E402
from dockercourse.tooling.slides import deck_table  # noqa: E402

IMAGE_SOURCE = re.compile(r'(<img\b[^>]*\bsrc=")img/')
#: A link to JupyterLab's own address: its proxy (a page a chapter served) or the progress page (progress.py).
EXAM = "<!-- quiz: exam -->"
QUIZ_HEADING = ('<h2 id="quiz">Quiz</h2><p>Check yourself: pick an answer to see whether it is right, why, and '
                "which section shows it. Your answers stay in this browser.</p>")
LAB_ONLY = re.compile(rf"^(/user/[^/]+)?/(proxy/\d+/|{PAGE_PATH}$)")


QUESTION = re.compile(r"^\?\?\?\+? question ", re.M)
QUESTION_COUNT = "<!-- interview: count -->"


def on_page_markdown(markdown, page, config, files):
    """Fill the agenda placeholders and the question count of the pages that have them."""
    markdown = markdown.replace(QUESTION_COUNT, str(len(QUESTION.findall(markdown))))
    if not PLACEHOLDER.search(markdown):
        return markdown
    from mkdocs.exceptions import PluginError

    try:
        return fill(markdown, {**sections(Path(config.config_file_path).parent), "decks": deck_table()},
                    page.file.src_uri)
    except ValueError as error:
        raise PluginError(str(error)) from None


def fold_reveals(html: str) -> str:
    """Each output of a cell tagged `reveal` (nbconvert marks the cell's div `celltag_reveal`), inside <details>."""
    page = BeautifulSoup(html, "html.parser")
    for output in page.select(f".celltag_{REVEAL} .jp-Cell-outputWrapper"):
        folded = page.new_tag("details", attrs={"class": "reveal"})
        summary = page.new_tag("summary")
        summary.string = "Show the output (predict it first)"
        output.wrap(folded)
        folded.insert(0, summary)
    return str(page)


def unlink_lab_only(html: str) -> str:
    """Each link to JupyterLab's own address (a page the chapter served while it ran, the progress page), as its
    text only."""
    page = BeautifulSoup(html, "html.parser")
    for link in page.find_all("a", href=LAB_ONLY):
        link.unwrap()
    return str(page)


def on_pre_build(config):
    from mkdocs.exceptions import PluginError

    try:
        numbers = stale()
    except CourseError as error:
        raise PluginError(str(error)) from None
    if numbers:
        raise PluginError(stale_message(numbers))


def on_page_content(html, page, config, files):
    if EXAM in html:
        from mkdocs.utils import get_relative_url

        pages = {number: get_relative_url(f"notebooks/{chapter.number}-{chapter.slug}/", page.url)
                 for number, chapter in read_chapters().items()}
        return html.replace(EXAM, embedded("exam", exam(pages)))
    if page.file.src_path.endswith(".ipynb"):
        html += QUIZ_HEADING + embedded("quiz", published(Path(page.file.src_path).stem[:2]))
        deck = Path(page.file.src_path).stem
        html = (f'<p class="deck-link"><a href="../../slides/{deck}.html">This chapter as slides</a> '
                "(for instructors: the commands and outputs the tests ran; S for the speaker view)</p>" + html)
        html = IMAGE_SOURCE.sub(r"\1../img/", html)
        html = unlink_lab_only(html)
        return fold_reveals(html) if f"celltag_{REVEAL}" in html else html
    return html


def on_post_build(config):
    """The slides (tooling/slides.py) into the site's slides/: each chapter page and the Slides page link them."""
    build_slides(Path(config["site_dir"]) / "slides")
