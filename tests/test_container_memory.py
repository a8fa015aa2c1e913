"""dockercourse.container_memory: what `docker stats` says a container uses, in bytes (chapter 01)."""

import pytest

from dockercourse import LABEL, CourseError
from dockercourse.container_memory import memory_usage, to_bytes
from dockercourse.engine import docker
from dockercourse.manifest import manifest_image


@pytest.mark.parametrize("text, expected", [
    ("9.867MiB", round(9.867 * 2**20)),
    (" 23.54GiB", round(23.54 * 2**30)),
    ("0B", 0),
    ("512KiB", 512 * 1024),
    ("1.5TiB ", round(1.5 * 2**40)),
])
def test_amounts_read_as_docker_stats_prints_them(text, expected):
    assert to_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "--", "12 apples", "9.8MB"])
def test_other_text_is_one_clear_error(text):
    with pytest.raises(CourseError, match="docker stats"):
        to_bytes(text)


def test_a_containers_use_and_its_limit(engine, test_label):
    name = f"{test_label}-mem"
    docker("run", "-d", "--name", name, "--label", f"{LABEL}={test_label}", "--memory", "64m",
           manifest_image("python").name, "sleep", "600")
    used, ceiling = memory_usage(name)
    assert 0 < used < 64 * 2**20
    assert ceiling == 64 * 2**20
