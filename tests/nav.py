"""The site's navigation, read from mkdocs.yml: shared by the structure tests and the browser tests."""

import yaml

from dockercourse import REPO_DIR


def nav_entries() -> list[tuple[str | None, str]]:
    """Every page in mkdocs.yml's nav, in order: (its title, or None; its path under docs/)."""
    config = yaml.safe_load((REPO_DIR / "mkdocs.yml").read_text())
    pages = []

    def walk(entries):
        for entry in entries:
            for title, value in (entry.items() if isinstance(entry, dict) else [(None, entry)]):
                walk(value) if isinstance(value, list) else pages.append((title, value))

    walk(config["nav"])
    return pages


def nav_files() -> list[str]:
    """Every page in mkdocs.yml's nav, in order, as its path under docs/."""
    return [page for _, page in nav_entries()]
