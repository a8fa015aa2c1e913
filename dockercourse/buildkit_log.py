"""What BuildKit's plain log (`docker build --progress=plain`) says: which steps came from the cache, which
step failed, and how many bytes of build context the builder received.

BuildKit numbers the steps (`#7`) as it reports them, and reports steps that come from the cache in no fixed
order, so the same build's log can list `[5/6]` before `[2/6]`. `steps()` puts them back in Dockerfile order,
one line per step, which stays the same from run to run.

Used by: chapters 04 and 05 (the rebuilds after an edit; chapter 04's check cells and Exercise 4.1's checker).
"""

import re

STEP = re.compile(r"#(\d+) \[(?:[\w.-]+ )?(\d+)/\d+\] (.+)")
CACHED = re.compile(r"#(\d+) CACHED\s*$")
FAILED = re.compile(r"^\s*> \[(?:[\w.-]+ )?\d+/\d+\] (.+?):\s*$")
CONTEXT_SENT = re.compile(r"transferring context: ([\d.]+)([kMG]?B)")
UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def _lines(log) -> list[str]:
    return log.splitlines() if isinstance(log, str) else list(log)


class Steps(dict):
    """The steps of one build, in Dockerfile order, instruction → "CACHED" or "ran" (FROM left out).
    Shown as one line per step, the way a learner reads it."""

    def __repr__(self) -> str:
        return "\n".join(f"{status:>6}  {step}" for step, status in self.items())

    def status(self, word: str) -> str:
        """The status of the first step whose instruction contains `word` ("pip install"), or "absent"."""
        return next((status for step, status in self.items() if word in step), "absent")


def steps(log) -> Steps:
    """Which steps of a `docker build --progress=plain` log came from the cache (a str or a list of lines)."""
    names, cached = {}, set()
    for line in _lines(log):
        if found := STEP.match(line):
            names[found[1]] = (int(found[2]), found[3].strip())
        elif found := CACHED.match(line):
            cached.add(found[1])
    ordered = sorted(names.items(), key=lambda item: item[1][0])
    return Steps((name, "CACHED" if number in cached else "ran") for number, (_, name) in ordered
                 if not name.startswith("FROM"))


def context_bytes(log) -> float:
    """The bytes of build context BuildKit received: the last `transferring context:` line of the step
    `[internal] load build context` (not the .dockerignore's own transfer)."""
    lines = _lines(log)
    step = next((line.split()[0] for line in lines if line.endswith("[internal] load build context")), None)
    sent = [line for line in lines if step and line.startswith(f"{step} transferring context:")]
    if not sent:
        return 0.0
    value, unit = CONTEXT_SENT.search(sent[-1]).groups()
    return float(value) * UNITS[unit]


def build_error(log) -> str:
    """Why a build failed: its last ERROR line, else its last line."""
    lines = [line.strip() for line in _lines(log) if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors[-1] if errors else lines[-1] if lines else "no output")[:200]


def failed_step(log) -> str | None:
    """The instruction of the step a failed build stopped at ("RUN pip install -r requirements.txt"), from the
    summary BuildKit prints (` > [5/6] RUN …:`); None when no step failed."""
    return next((found[1] for line in _lines(log) if (found := FAILED.match(line))), None)
