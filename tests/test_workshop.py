"""The workshop kit's helpers: the room preflight (doctor --workshop) and the bundle's parts.

The whole path — make bundle, then bundle-load and every notebook with the network cut off — is
`make offline-check` (dockercourse/tooling/offline_check.sh), which CI runs after make test.
"""

import subprocess
import sys

import pytest

from dockercourse import REPO_DIR, CourseError
from dockercourse.machine import doctor
from dockercourse.machine.bundle import CHECKSUMS, _checksums, image_python, make_bundle, verify_bundle
from dockercourse.manifest import ROOM_LABEL, STANDIN_LABEL, image_kind, manifest_image

pytestmark = pytest.mark.machine_wide  # the room preflight checks every course port


def test_the_images_python_comes_from_the_manifest():
    assert image_python() == "3.14"
    assert f":{image_python()}-" in manifest_image("python").name


@pytest.mark.parametrize(("labels", "kind"), [
    (None, "official"),
    ({STANDIN_LABEL: "debootstrap …"}, "stand-in"),
    ({STANDIN_LABEL: "debootstrap …", ROOM_LABEL: "pip from the bundle"}, "room copy"),  # a stand-in's room copy
    ({ROOM_LABEL: "pip from the bundle"}, "room copy"),  # the official image's room copy
])
def test_image_kind_tells_official_stand_in_and_room_copy_apart(labels, kind):
    assert image_kind({"Config": {"Labels": labels}}) == kind


def write_bundle(directory):
    (directory / "wheels").mkdir()
    (directory / "wheels" / "a.whl").write_bytes(b"wheel")
    (directory / "images.tar.gz").write_bytes(b"images")
    sums = _checksums(directory)
    (directory / CHECKSUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()))


def test_an_intact_bundle_verifies_and_sha256sum_agrees(tmp_path):
    write_bundle(tmp_path)
    verify_bundle(tmp_path)
    assert subprocess.run(["sha256sum", "--check", "--quiet", CHECKSUMS], cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("damage", ["changed", "missing"])
def test_a_damaged_bundle_is_refused_with_what_to_do(tmp_path, damage):
    write_bundle(tmp_path)
    wheel = tmp_path / "wheels" / "a.whl"
    wheel.write_bytes(b"bit rot") if damage == "changed" else wheel.unlink()
    with pytest.raises(CourseError, match=r"1 file\(s\) of the bundle are missing or damaged \(wheels/a.whl, …\): "
                                          r"copy the bundle again"):
        verify_bundle(tmp_path)


def test_bundle_load_of_a_directory_that_is_no_bundle_says_so(tmp_path):
    with pytest.raises(CourseError, match="has no SHA256SUMS: point BUNDLE at the directory `make bundle` wrote"):
        verify_bundle(tmp_path)


def test_make_bundle_never_replaces_a_directory_of_other_files(tmp_path):
    (tmp_path / "holiday-photos.jpg").write_bytes(b"keep me")
    with pytest.raises(CourseError, match="holds other files, which make bundle would replace: choose a new"):
        make_bundle(tmp_path)
    assert (tmp_path / "holiday-photos.jpg").read_bytes() == b"keep me"


def test_workshop_doctor_prints_a_ready_table_and_exits_0(engine, capsys):
    assert doctor.run_doctor(workshop=True) == 0
    table = capsys.readouterr().out
    for row in ("engine", "free memory", "free disk", "ports", "python", "course packages", "pip in a build"):
        assert f"  {row} " in table
    assert "FIX" not in table
    assert table.rstrip().endswith("doctor: ready for the workshop")


def test_workshop_doctor_shows_a_red_row_with_its_fix_and_exits_1(engine, capsys, monkeypatch):
    monkeypatch.setattr(doctor, "MIN_FREE_MEMORY_GB", 10_000)
    assert doctor.run_doctor(workshop=True) == 1
    table = capsys.readouterr().out
    memory = table[table.index("  free memory"):].splitlines()
    assert " FIX " in memory[0]
    assert memory[1].strip() == "→ free at least 10000 GB: close other programs (Docker Desktop: Settings → " \
                                "Resources → Memory)"
    assert "doctor: NOT ready, 1 row(s) to fix" in table


def test_workshop_doctor_from_the_command_line(engine):
    result = subprocess.run([sys.executable, "-m", "dockercourse", "doctor", "--workshop"],
                            capture_output=True, text=True, cwd=REPO_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ready for the workshop" in result.stdout


def test_a_stack_started_from_a_bundle_loads_its_images_archive_and_never_its_course_archive(tmp_path):
    """A bundle holds course.tar.gz beside images.tar.gz: `docker load` of the course's files fails, and the lab then
    went on as if no images had come (found by the offline check)."""
    from dockercourse.machine.bundle import COURSE_ARCHIVE, IMAGES_ARCHIVE
    from dockercourse.machine.images import STACK_ARCHIVE, image_archives

    for name in (COURSE_ARCHIVE, IMAGES_ARCHIVE, "notes.tar"):
        (tmp_path / name).write_bytes(b"")
    assert image_archives(tmp_path) == [tmp_path / IMAGES_ARCHIVE]
    (tmp_path / STACK_ARCHIVE).write_bytes(b"")
    assert image_archives(tmp_path) == [tmp_path / STACK_ARCHIVE, tmp_path / IMAGES_ARCHIVE]
    assert image_archives(None) == [] and image_archives(tmp_path / "absent") == []
