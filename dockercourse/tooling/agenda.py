"""Workshop timings and agendas, built from the course file and from a measured run of the chapters.

The course file (dockercourse/course.toml) gives each chapter's minutes — from the minutes model
(tooling/minutes.py), which counts reading, running the cells (their time measured by `make nbval`) and the
exercises — its day of the two-day workshop and the pause after it. From it, this module writes the instructor
guide's timing table (with each chapter's run-all time from the last nbval report) and the half-day, full-day
and day-two agendas, when the site is built, so that no number on those pages is typed by hand.

A chapter's block in an agenda = teaching + exercises. The start time, the breaks and the day's latest end are
the constants below. A day that runs past its end has its exercises shown as demos instead of set, from its
last chapter back; if it still runs past, its last chapters go to homework (or a day of their own), and the
page says which; the time they leave sets exercises again, first chapter first. A lunch that followed a chapter
sent home moves to the chapter boundary nearest 12:30.

Used by: the site build (dockercourse/tooling/site_hooks.py fills the `<!-- agenda: NAME -->` placeholders
in docs/instructor-guide.md and docs/agenda.md), tests/test_agenda.py, tests/test_structure.py.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from ..course import Chapter, half_day_until, planned_chapters, read_chapters
from .junit import read_reports, seconds_per_notebook

START = time(9, 0)
BREAK_MIN = 15
LUNCH_MIN = 60
WRAP_UP_MIN = 10
#: An exercise shown by the instructor (solution and check), when the day has no time to set it.
EXERCISE_DEMO_MIN = 5
HALF_DAY_END = time(12, 30)
#: Where a day's lunch goes when the chapter it followed went home: the chapter boundary nearest this.
LUNCH_AROUND = time(12, 30)
FULL_DAY_END = time(17, 0)

BREAK, LUNCH, WRAP_UP = "Break", "Lunch", "Wrap-up: questions and feedback"
PAUSE_MIN = {BREAK: BREAK_MIN, LUNCH: LUNCH_MIN, WRAP_UP: WRAP_UP_MIN}
PAUSE_NAMES = {"break": BREAK, "lunch": LUNCH}
HALF_DAY, FULL_DAY, DAY_TWO = "half-day", "full-day", "day-two"


def plans(repo: Path) -> dict[str, tuple[str, ...]]:
    """Each workshop as chapter numbers and pauses, in order, from the course file: the full day is day 1 (the
    core course), the half day its morning (up to the course file's `half_day_until`), day two the rest. A
    chapter the course file plans but has no notebook yet stays in its plan: the agenda leaves it out and
    says so."""
    planned = planned_chapters(repo)

    def plan(chapters: list[Chapter]) -> tuple[str, ...]:
        steps = [step for chapter in chapters
                 for step in (chapter.number, PAUSE_NAMES.get(chapter.pause_after)) if step]
        while steps and steps[-1] in PAUSE_MIN:
            steps.pop()  # no pause right before the wrap-up
        return (*steps, WRAP_UP)

    day_one = [chapter for chapter in planned.values() if chapter.day == 1]
    morning = [chapter for chapter in day_one if chapter.number <= half_day_until(repo)]
    return {HALF_DAY: plan(morning), FULL_DAY: plan(day_one),
            DAY_TWO: plan([chapter for chapter in planned.values() if chapter.day == 2])}


ENDS = {HALF_DAY: HALF_DAY_END, FULL_DAY: FULL_DAY_END, DAY_TWO: FULL_DAY_END}

# `make nbval` runs chapter 00 alone first (its own report), then the others several at a time.
NBVAL_REPORTS = (Path("build") / "test-results" / "nbval-alone.xml", Path("build") / "test-results" / "nbval.xml")
NOT_MEASURED = "Run-all not measured in this build (run `make nbval`)"
PLACEHOLDER = re.compile(r"<!-- agenda: ([a-z-]+) -->")


@dataclass(frozen=True)
class Measurement:
    """Seconds of `run all` per notebook file name, from one nbval JUnit report."""
    seconds: dict[str, float]
    timestamp: datetime | None
    hostname: str | None
    failed: int  # cells that failed or errored in that run: their times may not be a normal run's

    def run_all_s(self, chapter: Chapter) -> float | None:
        return self.seconds.get(Path(chapter.path).name)


@dataclass(frozen=True)
class Block:
    """One row of an agenda: a chapter or a pause, from `start` (minutes after midnight)."""
    label: str
    start: int
    chapter: str | None = None  # its number, for a chapter
    teaching: int = 0
    exercises: int = 0
    pause: int = 0
    demo: bool = False  # the chapter's exercises are shown by the instructor, not set

    @property
    def minutes(self) -> int:
        return self.teaching + self.exercises + self.pause

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass(frozen=True)
class Agenda:
    blocks: list[Block]
    end_by: int  # minutes after midnight
    demoed: list[str]  # chapter numbers whose exercises are demos, in the order they were cut
    homework: list[str] = field(default_factory=list)  # chapters that do not fit the day even so, in order
    unwritten: list[str] = field(default_factory=list)  # chapters the plan names that have no notebook yet

    @property
    def end(self) -> int:
        return self.blocks[-1].end

    @property
    def chapters(self) -> list[str]:
        return [block.chapter for block in self.blocks if block.chapter]


def read_measurement(*reports: Path) -> Measurement | None:
    """Run-all seconds per notebook from nbval's JUnit XML reports (one testcase per cell), or None without
    any. The date and host are the last report's."""
    read = read_reports(list(reports))
    if not read:
        return None
    return Measurement(seconds_per_notebook(read), read[-1].timestamp, read[-1].hostname,
                       sum(report.failed for report in read))


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def written(plan, chapters: dict[str, Chapter]) -> list[str]:
    """The plan without the chapters not written yet; a break or lunch stays only between two chapters."""
    steps = [step for step in plan if step in PAUSE_MIN or step in chapters]
    kept = []
    for index, step in enumerate(steps):
        between_chapters = any(s in chapters for s in steps[:index]) and any(s in chapters for s in steps[index:])
        if step not in (BREAK, LUNCH) or (between_chapters and kept[-1] not in (BREAK, LUNCH)):
            kept.append(step)
    return kept


def lay_out(plan, chapters: dict[str, Chapter], demoed=()) -> list[Block]:
    """The plan's blocks, one after the other from START."""
    blocks, start = [], minutes_of(START)
    for step in written(plan, chapters):
        if step in PAUSE_MIN:
            block = Block(step, start, pause=PAUSE_MIN[step])
        else:
            chapter = chapters[step]
            demo = step in demoed
            block = Block(chapter.link, start, step, chapter.teaching,
                          min(chapter.exercises, EXERCISE_DEMO_MIN) if demo else chapter.exercises, demo=demo)
        blocks.append(block)
        start = block.end
    return blocks


def keep_lunch(plan, chapters: dict[str, Chapter], demoed) -> list[str]:
    """The plan, with its lunch between two chapters: where the chapter it followed went home (a lunch left after
    the last chapter is dropped from the day), at the boundary nearest LUNCH_AROUND, in place of a break there."""
    steps = written(plan, chapters)
    if LUNCH not in plan or LUNCH in steps:
        return list(plan)
    blocks = lay_out(steps, chapters, demoed)
    boundaries = [index + 1 for index, step in enumerate(steps[:-1])
                  if step in chapters and any(later in chapters for later in steps[index + 1:])]
    if not boundaries:
        return steps
    at = min(boundaries, key=lambda index: abs(blocks[index - 1].end - minutes_of(LUNCH_AROUND)))
    return [*steps[:at], LUNCH, *steps[at + (steps[at] == BREAK):]]


def build_agenda(plan, chapters: dict[str, Chapter], end_by: time) -> Agenda:
    """Lay the plan out; while it ends after `end_by`, demo one more chapter's exercises, last chapter first; then,
    while it still does, send its last chapter home (at least one chapter stays) and set again the exercises that
    fit in the time it leaves."""
    latest = minutes_of(end_by)
    cuttable = [step for step in reversed(plan) if step in chapters and chapters[step].exercises > EXERCISE_DEMO_MIN]
    demoed: list[str] = []
    kept = list(plan)
    blocks = lay_out(kept, chapters)
    while blocks[-1].end > latest and cuttable:
        demoed.append(cuttable.pop(0))
        blocks = lay_out(kept, chapters, demoed)
    homework: list[str] = []
    staying = list(plan)  # the plan without the chapters sent home; `kept` is it with its lunch where it goes
    while blocks[-1].end > latest and len([step for step in kept if step in chapters]) > 1:
        last = [step for step in staying if step in chapters][-1]
        staying.remove(last)
        homework.insert(0, last)
        kept = keep_lunch(staying, chapters, demoed)
        blocks = lay_out(kept, chapters, demoed)
    if homework:  # the time the chapters sent home leave: their exercises back, first chapter first, where they fit
        for number in [step for step in kept if step in demoed]:
            restored = [step for step in demoed if step != number]
            candidate = keep_lunch(staying, chapters, restored)
            if lay_out(candidate, chapters, restored)[-1].end <= latest:
                demoed, kept = restored, candidate
        blocks = lay_out(kept, chapters, demoed)
    unwritten = [step for step in plan if step not in PAUSE_MIN and step not in chapters]
    return Agenda(blocks, latest, [step for step in demoed if step not in homework], homework, unwritten)


def duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def timing_table(chapters: dict[str, Chapter], measurement: Measurement | None) -> str:
    """The instructor guide's table: each chapter's minutes and its measured run-all time."""
    def run_all(chapter: Chapter) -> str:
        seconds = measurement.run_all_s(chapter) if measurement else None
        return "not measured" if seconds is None else duration(seconds)

    rows = ["| chapter | teaching | exercises | its cells run in (measured) |", "|---|---|---|---|"]
    rows += [f"| {c.link} | {c.teaching} min | {c.exercises} min | {run_all(c)} |" for c in chapters.values()]
    total_s = sum(measurement.run_all_s(c) or 0 for c in chapters.values()) if measurement else 0
    rows.append(f"| **together** | **{sum(c.teaching for c in chapters.values())} min** | "
                f"**{sum(c.exercises for c in chapters.values())} min** | "
                f"**{duration(total_s) if measurement else 'not measured'}** |")
    return "\n".join(rows) + "\n\n" + source_line(measurement)


def agenda_table(agenda: Agenda, chapters: dict[str, Chapter]) -> str:
    """An agenda as a Markdown table with clock times, and the lines that say how it ends."""
    rows = ["| time | session | teaching | exercises | min |", "|---|---|--:|--:|--:|"]
    for block in agenda.blocks:
        times = f"{clock(block.start)}–{clock(block.end)}"
        if block.pause:
            rows.append(f"| {times} | *{block.label}* | | | {block.minutes} |")
        else:
            exercises = f"{block.exercises} (demo)" if block.demo else str(block.exercises)
            rows.append(f"| {times} | {block.label} | {block.teaching} | {exercises} | {block.minutes} |")
    notes = []
    if agenda.demoed:
        notes.append(f"All exercises set, this day would run past {clock(agenda.end_by)}: the exercises of "
                     f"chapter(s) {', '.join(agenda.demoed)} are shown as demos ({EXERCISE_DEMO_MIN} min each) "
                     "instead.")
    if agenda.homework:
        links = ", ".join(chapters[number].link for number in agenda.homework)
        notes.append(f"**Not in the day: {links}** — even with every exercise demoed they do not fit before "
                     f"{clock(agenda.end_by)}: assign them as homework (each chapter runs on its own), or give "
                     "them a day of their own.")
    if agenda.unwritten:
        notes.append(f"Chapter(s) {', '.join(agenda.unwritten)} of this day are not written yet.")
    spare = agenda.end_by - agenda.end
    following = [number for number in chapters if number > max(agenda.chapters) and number not in agenda.homework]
    if spare >= 0:
        notes.append(f"Ends {clock(agenda.end)}, {spare} min before {clock(agenda.end_by)}"
                     + (f": room for questions, or the demos of chapter {following[0]}." if following
                        and not agenda.homework else "."))
    else:
        notes.append(f"**Ends {clock(agenda.end)}, {-spare} min past {clock(agenda.end_by)}**: even its first "
                     "chapter does not fit; shorten it by hand.")
    return "\n".join(rows) + "\n\n" + " ".join(notes)


def source_line(measurement: Measurement | None) -> str:
    """Where the run-all times come from: the nbval run (its machine and date), or that there was none."""
    if not measurement:
        return f"**{NOT_MEASURED}**."
    when = measurement.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") \
        if measurement.timestamp else "an unrecorded date"
    line = (f"Run-all times measured by `make nbval` on host `{measurement.hostname or 'unknown'}`, {when}, "
            "several chapters at a time (so one chapter alone may run faster)")
    if measurement.failed:
        line += f" ({measurement.failed} cell(s) failed in that run, so its times may be off)"
    return line + "."


def sections(repo: Path) -> dict[str, str]:
    """The generated Markdown for each placeholder name."""
    chapters = read_chapters(repo)
    measurement = read_measurement(*(repo / report for report in NBVAL_REPORTS))
    generated = {"timing-table": timing_table(chapters, measurement), "source": source_line(measurement)}
    for name, plan in plans(repo).items():
        if any(step in chapters for step in plan):
            generated[name] = agenda_table(build_agenda(plan, chapters, ENDS[name]), chapters)
        else:
            generated[name] = "No chapter of this day is written yet."
    return generated


def fill(markdown: str, generated: dict[str, str], where: str = "page") -> str:
    """Replace each `<!-- agenda: NAME -->` with the generated Markdown for NAME."""
    def replace(match: re.Match) -> str:
        if match.group(1) not in generated:
            raise ValueError(f"{where}: unknown placeholder {match.group(0)}; known: {', '.join(generated)}")
        return generated[match.group(1)]
    return PLACEHOLDER.sub(replace, markdown)
