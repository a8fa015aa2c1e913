"""The chapters' quizzes (dockercourse/tooling/quiz.py): every source sound, every site copy what the notebooks
make now, and a predict question that stops the site when the output it was written against changes."""

import json
import re
import shutil

import nbformat
import pytest

from dockercourse import REPO_DIR, CourseError
from dockercourse.course import read_chapters
from dockercourse.tooling import quiz


@pytest.fixture(scope="module")
def chapters():
    return read_chapters()


def test_every_site_copy_regenerates_identically_from_the_notebooks(chapters):
    assert quiz.stale(chapters) == [], quiz.stale_message(quiz.stale(chapters))


@pytest.mark.parametrize("number", list(read_chapters()))
def test_every_chapter_has_a_scored_quiz_with_predict_questions(number):
    questions = quiz.published(number)["questions"]
    predicts = [question for question in questions if question["kind"] == "predict"]
    assert len(questions) >= 8 and len(predicts) >= 3, f"chapter {number}: {len(questions)} questions, " \
                                                       f"{len(predicts)} predicting an output"
    for question in questions:
        assert 0 <= question["answer"] < len(question["options"]) == 4
        assert question["domain"] in quiz.DOMAINS


def test_a_predict_questions_right_answer_is_the_cells_stored_output(chapters):
    for number, chapter in chapters.items():
        notebook = nbformat.read(REPO_DIR / chapter.path, as_version=4)
        outputs = {cell.source: quiz.stable_output(cell) for cell in notebook.cells if cell.cell_type == "code"}
        for question in quiz.published(number)["questions"]:
            if question["kind"] == "predict":
                assert question["options"][question["answer"]] == outputs[question["command"]]


def changed_copy(tmp_path, chapter, change) -> nbformat.NotebookNode:
    """A copy of the repository's notebooks under tmp_path, `change` applied to `chapter`'s first predict cell."""
    source = quiz.read_source(chapter.number)
    shutil.copytree(REPO_DIR / "notebooks", tmp_path / "notebooks")
    notebook = nbformat.read(tmp_path / chapter.path, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.get("id") == source["predict"][0]["cell"])
    change(cell, source["predict"][0])
    nbformat.write(notebook, tmp_path / chapter.path)
    return notebook


def test_a_changed_output_makes_the_copy_stale(tmp_path, chapters):
    chapter = chapters["02"]

    def new_docker_wording(cell, entry):
        cell.outputs[-1].text = cell.outputs[-1].text.rstrip("\n") + " (a newer engine says more)\n"

    changed_copy(tmp_path, chapter, new_docker_wording)
    assert quiz.rendered(quiz.chapter_quiz(chapter, tmp_path)) != quiz.copy_path("02").read_text()


def test_an_output_that_became_a_wrong_option_is_refused(tmp_path, chapters):
    chapter = chapters["05"]

    def now_the_wrong_answer(cell, entry):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=entry["wrong"][0])]

    changed_copy(tmp_path, chapter, now_the_wrong_answer)
    with pytest.raises(CourseError, match=r"05\.toml: \[\[predict\]\] 1: give 3 wrong options, different"):
        quiz.chapter_quiz(chapter, tmp_path)


def test_an_output_that_varies_between_runs_is_no_answer(tmp_path, chapters):
    chapter = chapters["07"]

    def now_with_an_id(cell, entry):
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="3f2a9c81be07\n")]

    changed_copy(tmp_path, chapter, now_with_an_id)
    with pytest.raises(CourseError, match=r"\[\[predict\]\] 1: cell '.+' has no stable text output"):
        quiz.chapter_quiz(chapter, tmp_path)


def test_a_source_problem_is_named_in_one_line(chapters):
    source = quiz.read_source("03")
    source["choice"][0]["section"] = "no-such-section"
    source["choice"][1]["domain"] = "kubernetes"
    source["predict"] = source["predict"][:2]
    notebook = nbformat.read(REPO_DIR / chapters["03"].path, as_version=4)
    problems = quiz.source_problems(chapters["03"], source, notebook)
    assert problems == ["2 [[predict]] questions: at least 3",
                        f"[[choice]] 1: no section 'no-such-section' in {chapters['03'].path}",
                        f"[[choice]] 2: domain 'kubernetes' is not one of {', '.join(quiz.DOMAINS)}"]


def test_the_exam_gives_each_domain_its_weight():
    counts = quiz.exam_counts()
    assert sum(counts.values()) == quiz.EXAM_QUESTIONS
    assert counts == {"orchestration": 5, "images": 4, "installation": 3, "networking": 3, "security": 3,
                      "storage": 2}
    exam = quiz.exam({number: f"../notebooks/{number}/" for number in read_chapters()})
    for domain, drawn in exam["domains"].items():
        pool = [question for question in exam["questions"] if question["domain"] == domain]
        assert len(pool) >= drawn["count"], f"{domain}: {len(pool)} questions for {drawn['count']} places"


def test_the_embedded_questions_cannot_close_their_script_tag():
    html = quiz.embedded("quiz", {"questions": [{"question": "</script><script>alert(1)"}]})
    assert html.count("</script>") == 1
    assert json.loads(html.split(">", 2)[2].rsplit("</script>", 1)[0])["questions"][0]["question"].startswith("</")


def test_the_objectives_map_names_for_each_objective_where_it_is_taught_or_why_not():
    """docs/dca-objectives.md: a table per exam domain, with its weight; each objective's row links the chapter
    sections that teach it, or says it is not yet taught or retired (the site's link test checks each anchor)."""
    page = (REPO_DIR / "docs" / "dca-objectives.md").read_text()
    tables = re.findall(r"^## (.+) \((\d+) %\)\n\n\| Objective \| Where the course teaches it \|\n\|---\|---\|\n"
                        r"((?:\|.*\|\n)+)", page, re.M)
    assert [(title, int(weight)) for title, weight, _ in tables] == list(quiz.DOMAINS.values())
    where = re.compile(r"(\[[^]]+\]\(notebooks/\d\d-[a-z0-9-]+\.ipynb#[a-z0-9_-]+\) \((hands-on|explained)\)(; )?)+"
                       r"|not yet taught|retired: .+")
    rows = [row.rsplit(" | ", 1) for _, _, table in tables for row in table.strip().split("\n")]
    assert len(rows) >= 60
    wrong = [objective for objective, taught in rows if not where.fullmatch(taught.rstrip(" |"))]
    assert not wrong, f"rows that neither link a section nor say why not: {wrong}"


#: The last line of an interview answer: the chapter and the section that cover it, as the chapter names them.
INTERVIEW_LINK = re.compile(r"In the course: \[(\d\d) · (.+) › (.+)\]\((notebooks/[^)#]+\.ipynb)#([^)]+)\)")


def test_every_interview_answer_ends_with_the_chapter_section_that_covers_it(chapters):
    """docs/interview.md: each `??? question` block's answer ends in a link to a chapter's section, named as the
    chapter and its heading are; the anchor is one of that chapter's heading ids (the site's link test checks
    it on the built page too)."""
    from dockercourse.tooling.site_hooks import QUESTION

    page = (REPO_DIR / "docs" / "interview.md").read_text()
    answers = re.findall(r"^\?\?\?\+? question \"(.+)\"\n((?:\n|    .*\n)+)", page, re.M)
    assert len(answers) == len(QUESTION.findall(page)), "every question block has an indented answer"
    known = {number: quiz.sections(nbformat.read(REPO_DIR / chapter.path, as_version=4))
             for number, chapter in chapters.items()}
    wrong = []
    for question, answer in answers:
        link = INTERVIEW_LINK.fullmatch(answer.strip().splitlines()[-1].strip())
        if not link:
            wrong.append(f"{question}: the answer does not end with "
                         "'In the course: [NN · Chapter › Section](notebooks/NN-slug.ipynb#section-id)'")
            continue
        number, title, heading, path, anchor = link.groups()
        chapter = chapters.get(number)
        if chapter is None or (path, title) != (chapter.path, chapter.title):
            wrong.append(f"{question}: {number} · {title} is not {path} in the course file")
        elif anchor not in known[number]:
            wrong.append(f"{question}: {path} has no section #{anchor}")
        elif heading != known[number][anchor]:
            wrong.append(f"{question}: the link says {heading!r}, the section is {known[number][anchor]!r}")
    assert not wrong, "\n".join(wrong)
