"""The nbval sanitizers hide what varies between runs and machines, and nothing a lesson depends on."""
import re

from nbval.plugin import get_sanitize_patterns

from dockercourse.tooling import harness
from dockercourse.tooling.harness import SANITIZE, SANITIZE_STACK

PATTERNS = get_sanitize_patterns(SANITIZE.read_text())


def sanitize(text: str, patterns: list[tuple[str, str]] = PATTERNS) -> str:
    for regex, replacement in patterns:
        text = re.sub(regex, replacement, text)
    return text


def test_nbval_reads_every_sanitizer_of_the_files():
    """nbval's parser skips a section silently when a line is off its format (`replace:` without its space)."""
    for file in (SANITIZE, SANITIZE_STACK):
        sections = re.findall(r"(?m)^\[[\w-]+\]$", file.read_text())
        read = get_sanitize_patterns(file.read_text())
        assert len(read) == len(sections), f"{file.name}: a section nbval does not read (`regex: …`, `replace: …`)"


def test_in_a_stacks_lab_the_runc_of_its_engine_is_not_compared_and_everything_else_is(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "RESULTS", tmp_path)
    monkeypatch.delenv(harness.STACK_ENV, raising=False)
    assert harness.sanitizers() == SANITIZE
    monkeypatch.setenv(harness.STACK_ENV, "1")
    in_the_stack = get_sanitize_patterns(harness.sanitizers().read_text())
    host = "runc 1.1.5+ds1: older than the fixed releases (1.2.8, 1.3.3): update the engine's packages, or …"
    stack = "runc 1.3.6+ds1: at or above the fixed releases (1.2.8, 1.3.3)"
    assert sanitize(host, in_the_stack) == sanitize(stack, in_the_stack) == "runc <VERSION>: <VERDICT>"
    packaged = "containerd 2.1.9+unknown\nrunc 1.1.5+ds1\nrunc as packaged: 1.1.5+ds1-1+deb12u1\n"
    assert sanitize(packaged, in_the_stack) == "containerd 2.1.9+unknown\nrunc <VERSION>\nrunc as packaged: <VERSION>\n"
    assert sanitize(host) == host, "on the host engine the versions and the verdict are compared"


def test_colours_go_and_the_text_stays():
    coloured = '\x1b[1m"org.opencontainers.image.licenses"\x1b[0m: \x1b[32m"MIT"\x1b[0m,'
    assert sanitize(coloured) == '"org.opencontainers.image.licenses": "MIT",'


def test_a_name_that_does_not_resolve_reads_the_same_online_offline_and_in_the_stack():
    online = "redis unreachable: Error -2 connecting to redis:6379. Name or service not known."
    offline = "redis unreachable: Error -3 connecting to redis:6379. Temporary failure in name resolution."
    in_the_stack = "redis unreachable: Error -5 connecting to redis:6379. No address associated with hostname."
    expected = "redis unreachable: Error connecting to redis:6379 (name not resolved)."
    assert sanitize(online) == sanitize(offline) == sanitize(in_the_stack) == expected


def test_a_refused_connection_stays_a_different_lesson():
    refused = "redis unreachable: Error 111 connecting to redis:6379. Connection refused."
    assert sanitize(refused) == refused


def test_buildkit_step_numbers_vary_and_the_step_does_not():
    assert sanitize("#11 [3/4] COPY app.py .\n#11 CACHED") == "#<N> [3/4] COPY app.py .\n#<N> CACHED"
    assert sanitize("#13 [3/4] COPY app.py .") == sanitize("#11 [3/4] COPY app.py .")


def test_a_port_already_allocated_reads_the_same_with_and_without_ipv6():
    with_ipv6 = "Bind for :::8001 failed: port is already allocated"
    assert sanitize(with_ipv6) == sanitize("Bind for 0.0.0.0:8001 failed: port is already allocated")
    assert "8001" in sanitize(with_ipv6), "the port is the lesson: it stays"


def test_in_a_rooms_stack_the_room_copys_history_rows_go_and_the_images_own_stay(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "RESULTS", tmp_path)
    monkeypatch.setenv(harness.STACK_ENV, "1")
    in_the_stack = get_sanitize_patterns(harness.sanitizers().read_text())
    own = "0B\tCMD [\"python\" \"greet.py\"]\n12.3kB\tCOPY greet.py . # buildkit\n"
    room = ("0B\tLABEL dockercourse.room=pip installs from /usr/local/share/dockercourse/wheels only (/etc/pip.conf)\n"
            "4.1kB\tCOPY pip.conf /etc/pip.conf # buildkit\n"
            "9.2MB\tCOPY wheels/ /usr/local/share/dockercourse/wheels/ # buildkit\n")
    assert sanitize(own + room + "183MB\t\n", in_the_stack) == sanitize(own + "183MB\t\n", in_the_stack)
    assert "COPY greet.py" in sanitize(own, in_the_stack)
