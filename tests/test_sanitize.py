"""The nbval sanitizers hide what varies between runs and machines, and nothing a lesson depends on."""
import re

from nbval.plugin import get_sanitize_patterns

from dockercourse.tooling.harness import SANITIZE

PATTERNS = get_sanitize_patterns(SANITIZE.read_text())


def sanitize(text: str) -> str:
    for regex, replacement in PATTERNS:
        text = re.sub(regex, replacement, text)
    return text


def test_a_name_that_does_not_resolve_reads_the_same_online_and_offline():
    online = "redis unreachable: Error -2 connecting to redis:6379. Name or service not known."
    offline = "redis unreachable: Error -3 connecting to redis:6379. Temporary failure in name resolution."
    expected = "redis unreachable: Error connecting to redis:6379 (name not resolved)."
    assert sanitize(online) == sanitize(offline) == expected


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
