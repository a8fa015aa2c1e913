"""The website builds the way a maintainer publishes it: a fresh virtualenv with `pip install -r requirements.txt`
and nothing else (the course's package not installed), then `mkdocs build`.

The virtualenv is kept in build/requirements-venv/ and made again only when requirements.txt changes, so the
install is paid once per change, not once per run.
"""

import hashlib
import shutil
import subprocess
import sys

from dockercourse import REPO_DIR

VENV = REPO_DIR / "build" / "requirements-venv"
STAMP = VENV / "requirements.sha256"


def requirements_venv() -> str:
    """The virtualenv's Python, with exactly requirements.txt installed."""
    wanted = hashlib.sha256((REPO_DIR / "requirements.txt").read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    if not (STAMP.exists() and STAMP.read_text() == wanted and python.exists()):
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                                   cwd=REPO_DIR, capture_output=True, text=True)
        assert installed.returncode == 0, installed.stderr[-2000:]
        STAMP.write_text(wanted)
    return str(python)


def test_mkdocs_builds_from_a_virtualenv_of_requirements_txt_alone(tmp_path):
    python = requirements_venv()
    assert subprocess.run([python, "-c", "import dockercourse"], cwd=tmp_path, capture_output=True).returncode != 0, \
        "the package must not be installed in this virtualenv: the point is that the site builds without it"
    # The `mkdocs` command, as a maintainer types it (not `python -m mkdocs`, which would put the checkout on
    # sys.path), from the course's root.
    built = subprocess.run([str(VENV / "bin" / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site")],
                           cwd=REPO_DIR, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                                               "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr[-3000:]
    assert (tmp_path / "site" / "agenda" / "index.html").exists()
    assert "<!-- agenda" not in (tmp_path / "site" / "agenda" / "index.html").read_text(), "the hook filled the page"
