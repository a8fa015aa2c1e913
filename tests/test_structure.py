"""Structure tests: the conventions of CONTRIBUTING.md, kept true for every chapter."""

import importlib
import re
from pathlib import Path

import pytest
import yaml

from dockercourse import LABEL, REPO_DIR
from dockercourse.course import planned_chapters, read_chapters
from dockercourse.exercises import NOT_YET, SOLUTION_SUMMARY, find_exercises, output_text, solution_blocks
from dockercourse.manifest import image_names, load_manifest
from dockercourse.tooling import agenda, minutes
from tests.nav import nav_entries
from tests.notebook_lines import hidden, visible_lines

NAME = re.compile(r"^(\d\d)-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$")
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}
HIDE_INPUT = "hide-input"  # mkdocs.yml's remove_input_tags: the site shows such a cell's output only
FIGURE = re.compile(r"!\[([^\]]*)\]\((img/[\w.-]+\.svg)\)")
# Image references in code, Dockerfiles and compose files (not URLs such as redis://redis:6379).
IMAGE_REF = re.compile(r"(?<![/\w.-])((?:python|redis|debian|ubuntu|alpine|nginx|postgres|registry|busybox):[\w.-]+)")


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def compared(cell) -> bool:
    marked = IGNORE_TAGS & set(cell.metadata.get("tags", [])) or re.search(r"NBVAL_(IGNORE_OUTPUT|SKIP)", source(cell))
    return bool(cell.outputs) and not marked


def test_there_are_chapters(chapters):
    assert chapters, "no notebooks in notebooks/"


def test_names_number_the_reading_order(chapters):
    numbers = []
    for path in chapters:
        match = NAME.match(path.name)
        assert match, f"{path.name}: name it NN-slug.ipynb (two digits, lowercase words joined by '-')"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(len(numbers))), f"chapter numbers {numbers} should run 00, 01, 02, … without gaps"


def test_the_course_file_and_the_notebooks_name_the_same_chapters():
    """Every notebooks/NN-*.ipynb has its entry in dockercourse/course.toml, and every entry its notebook."""
    on_disk = sorted(path.name for path in (REPO_DIR / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    planned = planned_chapters()
    listed = sorted(Path(chapter.path).name for chapter in planned.values())
    assert on_disk == listed, f"notebooks {sorted(set(on_disk) - set(listed))} lack an entry in course.toml, " \
        f"entries {sorted(set(listed) - set(on_disk))} lack a notebook"
    for number, chapter in planned.items():
        assert set(chapter.needs) < set(planned) and all(need < number for need in chapter.needs), \
            f"course.toml, chapter {number}: needs {chapter.needs} must be earlier chapters"
        unknown = set(chapter.images) - {image.repository for image in load_manifest()}
        assert not unknown, f"course.toml, chapter {number}: images {sorted(unknown)} are not in images.toml"


def test_first_cell_has_title_objectives_and_minutes(chapters):
    """The first cell says what course.toml says: the title, the minutes and the chapters it needs."""
    course = read_chapters()
    for path, notebook in chapters.items():
        first = notebook.cells[0]
        assert first.cell_type == "markdown", f"{path.name}: the first cell must be markdown"
        text = source(first)
        entry = course[path.name[:2]]
        title = f"# {entry.number} · {entry.title}"
        assert re.match(rf"{re.escape(title)}($|:|\n)", text), f"{path.name}: the first line must be '{title}'"
        assert "**Objectives**" in text and "**Questions**" in text, f"{path.name}: list questions and objectives"
        minutes = f"Teaching {entry.teaching} min · Exercises {entry.exercises} min · Needs: "
        assert minutes in text, f"{path.name}: the first cell must say '{minutes}…', as course.toml does"
        needs = line_of(text, "Needs: ")
        assert all(f"{need}" in needs for need in entry.needs), \
            f"{path.name}: 'Needs:' must name chapters {', '.join(entry.needs)}, as course.toml does"


def line_of(text: str, marker: str) -> str:
    return next((line for line in text.splitlines() if marker in line), "")


def test_the_minutes_are_the_models(chapters):
    """Teaching and exercise minutes come from the minutes model (dockercourse/tooling/minutes.py: reading, running
    the cells as the last nbval run measured them, the exercises by kind), not from a guess: course.toml says the
    model's numbers, and the first cell says course.toml's (test_first_cell_has_title_objectives_and_minutes)."""
    course = read_chapters()
    for path, notebook in chapters.items():
        entry = course[path.name[:2]]
        assert (entry.teaching, entry.exercises) == minutes.model(notebook, entry.run_s), \
            f"{path.name}: course.toml says {entry.teaching} + {entry.exercises} min, the model " \
            f"{minutes.model(notebook, entry.run_s)}: run `python -m dockercourse.tooling.minutes --write`"


def test_chapter_ends_with_key_points_interview_questions_and_cleanup(chapters):
    for path, notebook in chapters.items():
        headings = [line for cell in notebook.cells if cell.cell_type == "markdown"
                    for line in source(cell).splitlines() if line.startswith("## ")]
        assert "## Key points" in headings and "## Interview questions" in headings, \
            f"{path.name}: end with '## Key points' and '## Interview questions'"
        first_code, last_code = source(code_cells(notebook)[0]), source(code_cells(notebook)[-1])
        chapter = path.name[:2]
        assert f'start_chapter("{chapter}")' in first_code, \
            f"{path.name}: the first code cell removes leftovers and readies the images: start_chapter(\"{chapter}\")"
        assert f'end_chapter("{chapter}")' in last_code, f"{path.name}: the last code cell cleans up: end_chapter"


def test_every_notebook_is_stored_with_a_real_run(chapters):
    for path, notebook in chapters.items():
        unrun = [i for i, cell in enumerate(notebook.cells)
                 if cell.cell_type == "code" and source(cell).strip() and cell.execution_count is None]
        assert not unrun, f"{path.name}: cells {unrun} have no stored run — run `make notebooks`"


def test_every_notebook_compares_some_output(chapters):
    for path, notebook in chapters.items():
        checked = [cell for cell in code_cells(notebook) if compared(cell)]
        assert checked, f"{path.name}: nbval compares no output at all, so the notebook tests nothing"


def test_exercises_follow_the_form(chapters):
    """Starting point(s) tagged `exercise`, one `checker` cell, one collapsed `solution` with a block for each."""
    for path, notebook in chapters.items():
        for exercise in find_exercises(notebook):
            where = f"{path.name}: Exercise {exercise.number}"
            assert exercise.stubs, f"{where}: tag its starting point(s) `exercise`"
            assert exercise.checker is not None, f"{where}: tag the cell that calls its checker `checker`"
            assert exercise.solution is not None, f"{where}: tag its collapsed solution cell `solution`"
            solution = source(notebook.cells[exercise.solution])
            assert solution.startswith(SOLUTION_SUMMARY), f"{where}: the solution starts with {SOLUTION_SUMMARY}"
            assert len(solution_blocks(solution)) == len(exercise.stubs), \
                f"{where}: one fenced block in the solution for each of its {len(exercise.stubs)} exercise cell(s)"


def significant(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_no_code_cell_holds_its_exercises_solution(chapters):
    for path, notebook in chapters.items():
        for exercise in find_exercises(notebook):
            if exercise.solution is None:
                continue  # test_exercises_follow_the_form says so
            for block in solution_blocks(source(notebook.cells[exercise.solution])):
                wanted = significant(block)
                for index, cell in enumerate(code_cells(notebook)):
                    lines = significant(source(cell))
                    held = any(lines[i:i + len(wanted)] == wanted for i in range(len(lines)))
                    assert not held, f"{path.name}: code cell {index} holds Exercise {exercise.number}'s solution"


def test_each_exercise_stores_its_hint(chapters):
    """Run All completes on the starting points, and what the checker says to them is stored and compared."""
    for path, notebook in chapters.items():
        for exercise in find_exercises(notebook):
            if exercise.checker is None:
                continue  # test_exercises_follow_the_form says so
            checker = notebook.cells[exercise.checker]
            said = output_text(checker)
            assert said.startswith(NOT_YET) and "hint: " in said, \
                f"{path.name}: Exercise {exercise.number}'s stored check is not a hint for the starting point: {said!r}"
            assert compared(checker), f"{path.name}: Exercise {exercise.number}'s hint must be compared by nbval"


def test_every_checker_called_in_a_notebook_exists(chapters):
    for path, notebook in chapters.items():
        for cell in code_cells(notebook):
            for number, name in re.findall(r"\bch(\d\d)\.(\w+)\(", source(cell)):
                module = importlib.import_module(f"dockercourse.checks.ch{number}")
                assert hasattr(module, name), f"{path.name}: ch{number}.{name} is not in dockercourse/checks/"


def test_collapsed_cells_are_hidden_on_the_site_too(chapters):
    for path, notebook in chapters.items():
        for index, cell in enumerate(notebook.cells):
            collapsed = hidden(cell)
            tagged = HIDE_INPUT in cell.metadata.get("tags", [])
            assert collapsed == tagged, \
                f"{path.name}: cell {index}: collapse a cell (jupyter.source_hidden) and tag {HIDE_INPUT}, or neither"


def test_chapters_show_more_docker_than_python(chapters):
    """Visible Python lines: at most the lines that run docker or a shell in all, at most 1.5 times in a chapter."""
    totals = [0, 0]
    for path, notebook in chapters.items():
        python, shell = visible_lines(notebook)
        totals[0] += python
        totals[1] += shell
        assert python <= 1.5 * shell, \
            f"{path.name}: {python} visible Python lines against {shell} shell lines: move plumbing into the " \
            "package or into a collapsed check cell (python -m tests.notebook_lines shows the table)"
    assert totals[0] <= totals[1], f"the course shows {totals[0]} Python lines against {totals[1]} shell lines"


def test_every_chapter_after_the_preflight_shows_a_picture(chapters):
    for path, notebook in chapters.items():
        if path.name[:2] == "00":
            continue
        figures = [cell for cell in notebook.cells if cell.cell_type == "markdown" and FIGURE.search(source(cell))]
        plots = [cell for cell in code_cells(notebook)
                 if any("image/png" in output.get("data", {}) for output in cell.outputs)]
        assert figures or plots, f"{path.name}: show at least one diagram (notebooks/img/*.svg) or plot"


def test_section_headings_hold_no_code_spans(chapters):
    """The site's table of contents (mkdocs-jupyter) drops a heading's code spans from its links, which then
    miss the heading's anchor: write `--read-only` as --read-only in a heading."""
    for path, notebook in chapters.items():
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                headings = [line for line in source(cell).splitlines() if re.match(r"#{1,6} ", line) and "`" in line]
                assert not headings, f"{path.name}: a heading with a code span: {headings[0]}"


def test_diagrams_exist_and_have_alt_text(chapters):
    for path, notebook in chapters.items():
        for cell in notebook.cells:
            if cell.cell_type != "markdown":
                continue
            for alt, image in FIGURE.findall(source(cell)):
                assert (REPO_DIR / "notebooks" / image).is_file(), f"{path.name}: {image} is not in notebooks/img/"
                assert len(alt.split()) >= 4, f"{path.name}: {image} needs alt text that says what it shows"


CREATES = re.compile(r"docker (container )?(run|create)\b|docker (image |buildx )?build\b|"
                     r"docker (network|volume) create\b")


def commands(cell) -> list[str]:
    """A cell's shell command lines (`!…` lines, or every line of a %%bash cell), continuations joined."""
    lines = source(cell).replace("\\\n", " ").splitlines()
    if lines and lines[0].startswith("%%bash"):
        return lines[1:]
    return [line for line in lines if re.match(r"^\s*(\w+\s*=\s*)?!", line)]


def test_what_a_chapter_creates_carries_its_label(chapters):
    for path, notebook in chapters.items():
        for cell in code_cells(notebook):
            for line in commands(cell):
                if CREATES.search(line):
                    assert f"--label {LABEL}={path.name[:2]}" in line, \
                        f"{path.name}: `{line.strip()}` must carry --label {LABEL}={path.name[:2]}"


def test_built_images_are_tagged_with_a_version(chapters):
    for path, notebook in chapters.items():
        for cell in code_cells(notebook):
            for line in commands(cell):
                for name in re.findall(r"docker (?:image |buildx )?build\b.*?(?:-t|--tag)[ =](\S+)", line):
                    assert ":" in name.split("/")[-1], f"{path.name}: tag {name} with a version, not the default"


def test_published_ports_stay_in_the_chapter_range(chapters):
    for path, notebook in chapters.items():
        allowed = read_chapters()[path.name[:2]].ports
        for cell in code_cells(notebook):
            for port in re.findall(r"(?:-p|--publish)[ =](?:[\d.]+:)?(\d+):\d+", source(cell)):
                assert int(port) in allowed, \
                    f"{path.name}: host port {port} is outside {allowed.start}–{allowed.stop - 1}"


def repository_files(*patterns: str) -> list[Path]:
    skip = {".venv", ".git", "build", ".cache", "node_modules"}
    return [path for pattern in patterns for path in REPO_DIR.rglob(pattern)
            if not skip & set(path.relative_to(REPO_DIR).parts)]


def test_only_manifest_images_are_used(chapters):
    manifest = set(image_names())
    texts = {path.name: "\n".join(source(cell) for cell in code_cells(notebook)) for path, notebook in chapters.items()}
    # Comments may name old images to explain them; only instructions count.
    for path in repository_files("Dockerfile*", "compose*.yaml"):
        lines = path.read_text().splitlines()
        texts[str(path)] = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for where, text in texts.items():
        for reference in IMAGE_REF.findall(text):
            assert reference in manifest, f"{where}: {reference} is not in dockercourse/images.toml"


STEP = re.compile(r"^(FROM|ENV|ARG|WORKDIR|COPY|ADD|RUN|USER|EXPOSE|HEALTHCHECK|CMD|ENTRYPOINT|VOLUME)\b")


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "Dockerfile.multistage", "Dockerfile.naive"])
def test_every_step_of_the_teaching_dockerfiles_says_why(dockerfile):
    """A comment right above each instruction (or the block of instructions it explains)."""
    lines = (REPO_DIR / "sample_app" / dockerfile).read_text().splitlines()
    for number, line in enumerate(lines):
        if STEP.match(line):
            above = next((previous for previous in reversed(lines[:number])
                          if previous.strip() and not previous.startswith(" ")), "")
            assert above.startswith("#") or STEP.match(above), f"{dockerfile}:{number + 1}: `{line}` needs a comment"


def test_no_latest_tag_anywhere():
    for path in repository_files("*.py", "*.ipynb", "*.md", "*.yaml", "*.yml", "*.toml", "Dockerfile*", "Makefile"):
        if path.name == "test_structure.py":
            continue
        assert not re.search(r"\b[\w./-]+:latest\b", path.read_text()), f"{path}: pin the tag instead of :latest"


def test_site_navigation_lists_the_chapters_in_order(chapters):
    listed = [(title, Path(page).name) for title, page in nav_entries() if page.endswith(".ipynb")]
    wanted = [(f"{chapter.number} · {chapter.title}", Path(chapter.path).name) for chapter in read_chapters().values()]
    assert listed == wanted, "mkdocs.yml's nav must list every chapter, in order, titled 'NN · Title' as course.toml"


CHAPTER_ROW = re.compile(r"^\| (\d\d) \| \[([^]]+)\]\((notebooks/[\w.-]+)\) \| (.+) \|$", re.M)


def test_the_home_pages_chapter_table_is_the_course_file():
    """docs/index.md's table of chapters: each chapter of course.toml, with its title, link and summary."""
    rows = CHAPTER_ROW.findall((REPO_DIR / "docs" / "index.md").read_text())
    wanted = [(c.number, c.title, c.path, c.summary) for c in read_chapters().values()]
    assert rows == wanted, "docs/index.md's chapter table must list course.toml's chapters (number, title, summary)"


def test_the_readme_names_every_chapter():
    readme = (REPO_DIR / "README.md").read_text()
    missing = [f"{c.number} · {c.title}" for c in read_chapters().values() if f"{c.number} · {c.title}" not in readme]
    assert not missing, f"README.md's chapter list lacks {missing} (course.toml has them)"


@pytest.mark.parametrize("requirements", repository_files("requirements*.txt"), ids=lambda path: path.name)
def test_requirements_are_pinned(requirements):
    for line in requirements.read_text().splitlines():
        entry = line.split("#")[0].strip()
        assert not entry or "==" in entry, f"{requirements.name}: '{entry}' is not pinned with =="


def test_instructor_guide_timings_match_the_chapters(chapters):
    """The guide's timing table is generated at site build (dockercourse/agenda.py): the guide holds its
    placeholder and no hand-typed rows, and the generated rows carry each chapter's own minutes."""
    guide = (REPO_DIR / "docs" / "instructor-guide.md").read_text()
    assert "<!-- agenda: timing-table -->" in guide, "docs/instructor-guide.md: keep the generated timing table"
    table = agenda.timing_table(read_chapters(), measurement=None)
    for path, notebook in chapters.items():
        minutes = re.search(r"Teaching (\d+) min · Exercises (\d+) min", source(notebook.cells[0])).groups()
        link = rf"\[{path.name[:2]} · [^]]+\]\(notebooks/{re.escape(path.name)}\)"
        row = rf"^\| {link} \| (\d+) min \| (\d+) min \|"
        assert not re.search(row, guide, re.M), f"docs/instructor-guide.md: a hand-typed timing row for {path.name}"
        generated = re.search(row, table, re.M)
        assert generated, f"the generated timing table has no row for {path.name}"
        assert generated.groups() == minutes, \
            f"timing table says {generated.groups()} for {path.name}, the chapter {minutes}"


def test_agenda_page_holds_every_generated_agenda():
    page = (REPO_DIR / "docs" / "agenda.md").read_text()
    for name in ("half-day", "full-day", "day-two"):
        assert f"<!-- agenda: {name} -->" in page, f"docs/agenda.md: the {name} agenda's placeholder is missing"
    hooks = yaml.safe_load((REPO_DIR / "mkdocs.yml").read_text()).get("hooks", [])
    assert "dockercourse/tooling/site_hooks.py" in hooks, \
        "mkdocs.yml: the site's hook (dockercourse/tooling/site_hooks.py) fills the placeholders"


DOCKER_GROUPS = "compose|image|container|network|volume|buildx|context|system"
DOCKER_INVOCATION = re.compile(rf"\bdocker\s+(?:-\S+\s+\S+\s+)*(?:({DOCKER_GROUPS})\s+)?([a-z][a-z-]*)")
COMPOSE_SUBCOMMANDS = ("up|down|ps|logs|exec|stop|start|config|build|run|restart|rm|pull|top|port|images|kill|pause|"
                       "unpause|create|events|ls|wait")
COMPOSE_INVOCATION = re.compile(rf"\bdocker compose\b.*?\s({COMPOSE_SUBCOMMANDS})\b")
# Docker's own aliases: the cheat sheet lists both forms, a chapter runs either.
DOCKER_ALIASES = {"docker images": "docker image ls", "docker rmi": "docker image rm",
                  "docker history": "docker image history"}


def docker_commands(line: str) -> set[str]:
    """The docker subcommands a shell line runs: `docker top`, `docker image rm`, `docker compose up`."""
    found = set()
    for group, sub in DOCKER_INVOCATION.findall(line):
        if sub == "compose" or group == "compose" and re.fullmatch(COMPOSE_SUBCOMMANDS, sub):
            continue  # compose subcommands are found by name below, after any options
        found.add(f"docker {group} {sub}" if group else f"docker {sub}")
    return found | {f"docker compose {sub}" for sub in COMPOSE_INVOCATION.findall(line)}


def chapter_commands(chapters) -> dict[str, set[str]]:
    """Every docker subcommand each chapter runs in a code cell, by chapter number ("00", "01", …)."""
    return {path.name[:2]: {command for cell in code_cells(notebook) for line in commands(cell)
                            for command in docker_commands(line)}
            for path, notebook in chapters.items()}


def cheat_sheet_rows() -> list[tuple[str, set[str], set[str]]]:
    """The cheat sheet's table rows that cite chapters: (row, the docker subcommands it lists, cited chapters).
    In the Compose section a bare `logs` stands for `docker compose … logs`."""
    rows, section = [], ""
    for line in (REPO_DIR / "docs" / "cheat-sheet.md").read_text().splitlines():
        if line.startswith("## "):
            section = line[3:]
        cited = set(re.findall(r"\]\(notebooks/(\d\d)-", line))
        if not (line.startswith("| `") and cited):
            continue
        first_column = line.split(" | ")[0]
        pieces = [piece if piece.startswith("docker") or section != "Compose" else f"docker compose … {piece}"
                  for piece in re.findall(r"`([^`]+)`", first_column)]
        rows.append((first_column.lstrip("| "), {command for piece in pieces for command in docker_commands(piece)},
                     cited))
    return rows


def test_cheat_sheet_lists_every_docker_command_a_chapter_runs(chapters):
    sheet = (REPO_DIR / "docs" / "cheat-sheet.md").read_text()
    missing = set()
    for chapter, run in chapter_commands(chapters).items():
        for command in run:
            sub = command.removeprefix("docker compose ")
            if re.fullmatch(COMPOSE_SUBCOMMANDS, sub):
                listed = re.search(rf"\b{sub}\b", sheet.split("## Compose")[1])
            else:
                listed = command in sheet
            if not listed:
                missing.add(f"{command} ({chapter})")
    assert not missing, f"docs/cheat-sheet.md lacks: {sorted(missing)}"


def test_every_cheat_sheet_row_cites_a_chapter_that_runs_its_command(chapters):
    """The other direction: each command of a row runs in a code cell of a chapter the row cites, and each
    cited chapter runs one of them. A row whose command no chapter runs needs a demo in a chapter."""
    def canonical(command: str) -> str:
        return DOCKER_ALIASES.get(command, command)

    run = {chapter: {canonical(command) for command in found} for chapter, found in chapter_commands(chapters).items()}
    wrong = []
    for row, listed, cited in cheat_sheet_rows():
        for command in sorted(listed):
            if not any(canonical(command) in run.get(chapter, ()) for chapter in cited):
                elsewhere = sorted(chapter for chapter, found in run.items() if canonical(command) in found)
                wrong.append(f"{command}: cited {sorted(cited)}, run in {elsewhere or 'no chapter'}")
        for chapter in sorted(cited) if len(cited) > 1 else ():
            if not {canonical(command) for command in listed} & run.get(chapter, set()):
                wrong.append(f"{row}: cites {chapter}, which runs none of its commands")
    assert not wrong, "docs/cheat-sheet.md rows cite the wrong chapter:\n" + "\n".join(wrong)


def test_chapters_do_not_link_to_other_notebooks_by_file(chapters):
    """A link to another .ipynb works in JupyterLab but breaks on the site: name the chapter instead."""
    for path, notebook in chapters.items():
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                assert not re.search(r"\]\([^)]*\.ipynb[^)]*\)", source(cell)), \
                    f"{path.name}: a markdown link to a notebook file; write 'chapter NN (section …)' instead"


CHAPTER_HELPERS = ["buildkit_log", "capabilities", "container_memory", "dev_loop", "engine_api", "image_contents",
                   "k8s_manifests", "links", "saved_image", "stopwatch", "swarm"]


@pytest.mark.parametrize("module", CHAPTER_HELPERS)
def test_a_helpers_used_by_line_names_the_chapters_that_import_it(chapters, module):
    """A chapter helper's docstring says which chapters use it: exactly those whose cells import it."""
    docstring = importlib.import_module(f"dockercourse.{module}").__doc__
    used_by = re.search(r"Used by: (.*?)(?:\n\n|$)", docstring, re.S)
    assert used_by, f"dockercourse/{module}.py: its docstring needs a 'Used by: chapter NN …' line"
    named = {number for run in re.findall(r"\bchapters? ((?:\d\d(?:, | and |–)?)+)", used_by.group(1))
             for number in re.findall(r"\d\d", run)}
    importing = {path.name[:2] for path, notebook in chapters.items()
                 if any(f"dockercourse.{module} import" in source(cell) for cell in code_cells(notebook))}
    assert named == importing, f"dockercourse/{module}.py says it is used by chapters {sorted(named)}; " \
        f"chapters {sorted(importing)} import it"


def test_stored_outputs_are_merged_as_jupyterlab_shows_them(chapters):
    """Consecutive prints to one stream are one block, as JupyterLab shows them (the site would split them):
    `python -m dockercourse.tooling.store` stores chapters so, and `--merge` mends one stored otherwise."""
    for path, notebook in chapters.items():
        for index, cell in enumerate(code_cells(notebook)):
            names = [output.get("name") if output.output_type == "stream" else None for output in cell.outputs]
            split = [name for name, following in zip(names, names[1:], strict=False) if name and name == following]
            assert not split, f"{path.name}: code cell {index} stores its {split[0]} in pieces: run " \
                f"`python -m dockercourse.tooling.store --merge {path.name[:2]}`"


def test_the_interview_page_counts_its_questions_rather_than_typing_a_number():
    page = (REPO_DIR / "docs" / "interview.md").read_text()
    assert "<!-- interview: count -->" in page, "docs/interview.md: keep the counted placeholder for the number"
    assert not re.search(r"^\d+ questions", page, re.M), "docs/interview.md: a typed count of questions"


def test_the_instructor_guide_has_a_section_for_every_chapter():
    """Adding a chapter means telling instructors how to teach it (CONTRIBUTING, step 9): timing, what to demo
    live and where rooms get stuck, under a heading the guide's readers can find."""
    headings = set(re.findall(r"^## (.+)$", (REPO_DIR / "docs" / "instructor-guide.md").read_text(), re.M))
    missing = [f"## Chapter {chapter.number} · {chapter.title}" for chapter in read_chapters().values()
               if f"Chapter {chapter.number} · {chapter.title}" not in headings]
    assert not missing, f"docs/instructor-guide.md lacks: {missing}"
