"""Portability: no chapter cell runs GNU-only shell or reads the notebook host's /proc.

Most learners run Docker Desktop (macOS, Windows, Linux): the engine and its containers live in a VM,
the notebook's host has BSD or busybox tools, and its /proc (if any) is not the containers' host. So a
cell on the notebook's host uses portable commands and asks Docker about the engine's host (`docker
top`, `docker inspect`, `docker info`, a helper container with `--pid host`). What runs *inside* a
container (the arguments of `docker run`/`docker exec`, a Dockerfile) runs on Linux and may use
anything. A Linux-host-only extra is allowed in a cell that says so on its first line, `# Linux host
only: …`, and checks that it is on one before it reads the host (else it prints what it would show).
"""

import io
import re
import tokenize

import pytest

from dockercourse.exercises import solution_blocks

LINUX_ONLY_MARKER = "# Linux host only:"
LINUX_GUARD = re.compile(r"""sys\.platform\s*==\s*["']linux["']|platform\.system\(\)\s*==\s*["']Linux["']""")
SHELL_MAGICS = ("%%bash", "%%sh", "%%script")

# (pattern, why): each on one shell command (a pipeline's segment), outside any `docker …` command.
OFFENDERS = [
    (re.compile(r"\bsed\s+(-[a-zA-Z]+\s+)*(-[a-zA-Z]*i|--in-place)(?=\s|$)"),
     "`sed -i` without a suffix is GNU-only (macOS's sed needs `-i ''`): edit the file in Python"),
    (re.compile(r"\breadlink\s+-[a-zA-Z]*f"), "`readlink -f` is GNU-only: use Python's Path.resolve()"),
    (re.compile(r"\bstat\s+(-[a-zA-Z]+\s+)*-c\b|\bstat\s+--format"),
     "`stat -c` is GNU-only (BSD: stat -f): use `ls -l` or Python's os.stat()"),
    (re.compile(r"\bdate\s+(-[a-zA-Z]+\s+)*-d\b|\bdate\s+--date"), "`date -d` is GNU-only: use Python's datetime"),
    (re.compile(r"\bgrep\s+(-[a-zA-Z]+\s+)*-[a-zA-Z]*P"), "`grep -P` is GNU-only: use grep -E or Python's re"),
    (re.compile(r"\bxargs\s+(-[a-zA-Z]+\s+)*-[a-zA-Z]*r\b|\bxargs\s+--no-run-if-empty"), "`xargs -r` is GNU-only"),
    (re.compile(r"(^|[\s(])/proc/"), "reads the notebook host's /proc: ask the engine (docker top, docker inspect, "
                                     "a helper container with --pid host)"),
    (re.compile(r"(^|[\s($`])nproc\b"), "`nproc` is GNU coreutils and counts the notebook host's CPUs: "
                                         "`docker info --format '{{.NCPU}}'` counts the engine's"),
    (re.compile(r"(^|[\s($`])free(\s|$)"), "`free` is Linux-only: `docker info` has the engine's MemTotal"),
    (re.compile(r"(^|[\s($`])ss(\s|$)"), "`ss` is Linux-only"),
    (re.compile(r"(^|[\s($`])ip\s+(-\w+\s+)*a(ddr(ess)?)?(\s|$)"), "`ip addr` is Linux-only"),
]
# Python: a string naming /proc passed to a call (open, Path, os.readlink, os.listdir, …) reads the host's.
PROC_IN_PYTHON = re.compile(r"""^[rbfu]*["']+/proc\b""", re.IGNORECASE)


def split_commands(script: str) -> list[str]:
    """The simple commands of a shell script: split at unquoted newlines (not after a `\\`), `;`, `|`, `&`;
    each `$(…)` and backquoted substitution is a command of its own (it runs on the host, whatever
    command it is part of). Quotes are kept; a newline inside quotes stays in its command."""
    commands, current, quote, index = [], [], None, 0
    substitutions = []
    while index < len(script):
        char = script[index]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\" and index + 1 < len(script):
            if script[index + 1] == "\n":
                current.append(" ")
                index += 2
                continue
            current.append(script[index:index + 2])
            index += 2
            continue
        elif char == "$" and script.startswith("$(", index) and not script.startswith("$((", index):
            depth, end = 1, index + 2
            while end < len(script) and depth:
                depth += {"(": 1, ")": -1}.get(script[end], 0)
                end += 1
            substitutions.append(script[index + 2:end - 1])
            current.append("SUBSTITUTION")
            index = end
            continue
        elif char == '"':
            quote = None if quote == '"' else '"'
        elif char == "'" and quote is None:
            quote = "'"
        elif quote is None and char in "\n;|&":
            commands.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    commands.append("".join(current))
    for inner in substitutions:
        commands.extend(split_commands(inner))
    return [command.strip() for command in commands if command.strip()]


def runs_docker(command: str) -> bool:
    """`docker …` (after any VAR=value assignments): its arguments are the engine's or a container's business."""
    words = command.split()
    while words and re.match(r"^\w+=", words[0]):
        words.pop(0)
    return bool(words) and words[0] == "docker"


def shell_offences(script: str) -> list[str]:
    found = []
    for command in split_commands(script):
        if runs_docker(command):
            continue
        found += [f"{command!r}: {why}" for pattern, why in OFFENDERS if pattern.search(command)]
    return found


def python_offences(code: str) -> list[str]:
    """Strings naming /proc… given to a call, as in open("/proc/…") or Path(f"/proc/{pid}/status")."""
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [f"cannot read the cell as Python: {code[:60]!r}"]
    for before, opening, token in zip(tokens, tokens[1:], tokens[2:], strict=False):
        text = token.string if token.type == tokenize.STRING else None
        if token.type == getattr(tokenize, "FSTRING_START", -1):
            text = token.string + "".join(t.string for t in tokens[tokens.index(token) + 1:][:1])
        if text and PROC_IN_PYTHON.match(text) and opening.string == "(" and before.type == tokenize.NAME:
            found.append(f"{before.string}({text}…): reads the notebook host's /proc: ask the engine, or a "
                         "helper container with --pid host")
    return found


def cell_offences(source: str) -> list[str]:
    """What in a code cell (or a solution's code block) is GNU-only or reads the host's /proc."""
    lines = source.splitlines()
    if not lines or lines[0].startswith("%%writefile"):  # a file for an image: it runs in a Linux container
        return []
    if lines[0].startswith(SHELL_MAGICS):
        return shell_offences("\n".join(lines[1:]))
    shell, python, continued = [], [], False
    for line in lines:
        command = re.match(r"^\s*([\w, ]+=\s*)?!(.*)$", line)
        if continued or command:
            text = line if continued else command.group(2)
            shell.append(text)
            continued = text.rstrip().endswith("\\")
            python.append("")
        else:
            python.append(line)
    return shell_offences("\n".join(shell)) + python_offences("\n".join(python) + "\n")


def linux_host_only(source: str) -> bool:
    return source.startswith(LINUX_ONLY_MARKER)


# --- the detector itself: the usual offenders are found, their portable forms are not ------------

@pytest.mark.parametrize("cell", [
    "!sed -i 's/a/b/' app.py",
    "!sed -E -i 's/a/b/' app.py",
    "%%bash\nreadlink -f notebooks",
    "!stat -c %U /var/run/docker.sock",
    "%%bash\nas_user=\"setpriv --groups=$(stat -c %g /var/run/docker.sock)\"",
    "!date -d yesterday",
    "!docker ps | grep -oP 'ch\\d+'",
    "%%bash\ndocker ps -q | xargs -r docker rm -f",
    "!echo \"host: $(nproc) CPUs\"",
    "!free -m",
    "!ss -ltn",
    "!ip addr",
    "!cat /proc/cpuinfo",
    "%%bash\nps -o pid,ppid -p \"$(cat /proc/1/stat)\"",
    "from pathlib import Path\nflags = Path(\"/proc/cpuinfo\").read_text()",
    "status = open(f'/proc/{pid}/status').read()",
    "import os\nos.readlink(f\"/proc/self/ns/{kind}\")",
])
def test_the_usual_offenders_are_flagged(cell):
    assert cell_offences(cell), cell


@pytest.mark.parametrize("cell", [
    "!sed -i.bak 's/a/b/' app.py",
    "%%writefile Dockerfile\nRUN sed -i 's/a/b/' /etc/x && nproc && cat /proc/cpuinfo",
    "!docker exec web cat /proc/net/dev",
    "%%bash\ndocker run --rm --pid host img sh -c \"grep PPid /proc/$PID/status\"",
    "%%bash\ndocker exec web python -c \"\nimport os\nfor pid in os.listdir('/proc'):\n    print(pid)\n\"",
    "%%bash\nSOCKET=$(docker context inspect --format '{{.Endpoints.docker.Host}}')\nls -l \"${SOCKET#unix://}\"",
    "cpu_flags = !docker run --rm img cat /proc/cpuinfo",
    "probe = \"print(open('/proc/' + sys.argv[1] + '/status').read())\"\n"
    "seen = !docker run --rm --pid host img python -c \"{probe}\" {pid}",
    "!echo \"the engine's CPUs: $(docker info --format '{{.NCPU}}')\"",
    "print('free', 'ss')",
    "app_py.write_text(app_py.read_text().replace('a', 'b'))",
])
def test_portable_forms_are_not_flagged(cell):
    assert cell_offences(cell) == [], cell


# --- the chapters -------------------------------------------------------------------------------

def test_no_chapter_runs_gnu_only_shell_or_reads_the_hosts_proc(chapters):
    problems = []
    for path, notebook in chapters.items():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and not linux_host_only(cell.source):
                sources = [cell.source]
            elif cell.cell_type == "markdown" and "solution" in cell.metadata.get("tags", []):
                sources = solution_blocks(cell.source)
            else:
                continue
            for source in sources:
                problems += [f"{path.name} cell {index}: {offence}" for offence in cell_offences(source)]
    assert not problems, "not portable (macOS, Windows/WSL, Docker Desktop):\n" + "\n".join(problems)


def test_linux_host_only_cells_check_for_a_linux_host_first(chapters):
    for path, notebook in chapters.items():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and linux_host_only(cell.source):
                assert LINUX_GUARD.search(cell.source) and "else" in cell.source, (
                    f"{path.name} cell {index}: a '{LINUX_ONLY_MARKER}' cell checks that it is on a Linux host "
                    "that runs the engine before it reads the host, and else prints one line saying what it "
                    "would show")
