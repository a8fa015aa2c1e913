"""The site's navigation, read from mkdocs.yml: shared by the structure tests and the browser tests."""

import yaml

from dockercourse import REPO_DIR


def nav_files() -> list[str]:
    """Every page in mkdocs.yml's nav, in order, as its path under docs/."""
    config = yaml.safe_load((REPO_DIR / "mkdocs.yml").read_text())
    pages = []

    def walk(entries):
        for entry in entries:
            for value in (entry.values() if isinstance(entry, dict) else [entry]):
                walk(value) if isinstance(value, list) else pages.append(value)

    walk(config["nav"])
    return pages
