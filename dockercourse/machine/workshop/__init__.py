"""The workshop server: one machine hosts the room — a login per learner, each in a course stack of their own.

JupyterHub (hub_config.py) logs learners in with the passwords of their login cards (auth.py) and gives each one
the unit the course stack gives a learner alone (spawner.py): the lab container of the course image and a private
Docker engine, on a network of the learner's own, the learner's work in a volume of the learner's own. Nothing is
shared between learners; no learner container mounts a host socket. Every learner engine is privileged: the
server is a disposable machine that holds nothing else (docs/workshop-server.md).

    make workshop-cards ROSTER=room.csv     the accounts (passwords hashed for the hub) and the login cards' PDF
    make workshop-server ROSTER=room.csv    the hub, on WORKSHOP_PORT

This module: the roster, the accounts and the cards; the caps every learner gets (CAPS, one place).

Used by: ``make workshop-cards``, ``make workshop-server``, ``make workshop-check``, ``make workshop-bench``.
"""

import csv
import hashlib
import html
import json
import math
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ... import REPO_DIR, CourseError

WORKSHOP_DIR = REPO_DIR / "build" / "workshop"
ACCOUNTS = WORKSHOP_DIR / "accounts.json"
CARDS_HTML, CARDS_PDF = WORKSHOP_DIR / "cards.html", WORKSHOP_DIR / "cards.pdf"
#: A name becomes a login, part of container and volume names and of URLs: JupyterHub's rules, kept simple.
NAME = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
ROLES = ("learner", "instructor")
CARDS_PER_PAGE = 8
#: What each learner gets, sized from `make workshop-bench` (docs/instructor-guide.md, "A workshop server"):
#: the private engine runs the chapters' containers (chapter 12's three engines are the most), the lab
#: JupyterLab and the kernels.
CAPS = {"engine": {"memory": "3g", "cpus": 1.5}, "lab": {"memory": "1g", "cpus": 1.0}}
#: An idle server (no activity in JupyterLab) is stopped, and its engine removed, after this long.
IDLE_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "learner"


def read_roster(path: Path) -> list[Person]:
    """The room from a CSV file with a `name` column (and optionally `role`: learner or instructor). Every
    mistake — a missing file or column, an empty, malformed or repeated name — is one line naming the row."""
    if not path.is_file():
        raise CourseError(f"no roster at {path}: write a CSV file with a `name` column, one learner a row")
    with path.open(newline="") as roster:
        rows = list(csv.DictReader(roster))
    if not rows or "name" not in rows[0]:
        raise CourseError(f"{path}: the first line must name the columns, with `name` among them (and `role`)")
    people, seen = [], {}
    for line, row in enumerate(rows, start=2):
        name, role = (row.get("name") or "").strip().lower(), (row.get("role") or "learner").strip().lower()
        if not name:
            raise CourseError(f"{path}, line {line}: the name is empty: fill it in or remove the row")
        if not NAME.match(name):
            raise CourseError(f"{path}, line {line}: {name!r} cannot be a login: 2–32 characters, lowercase letters, "
                              "digits and '-', starting with a letter")
        if name in seen:
            raise CourseError(f"{path}, line {line}: {name!r} is already on line {seen[name]}: logins must differ "
                              "(add an initial)")
        if role not in ROLES:
            raise CourseError(f"{path}, line {line}: role {role!r}: use one of {', '.join(ROLES)}")
        seen[name] = line
        people.append(Person(name, role))
    if not any(person.role == "instructor" for person in people):
        raise CourseError(f"{path}: nobody has the role instructor: the hub needs an admin (add `role` = instructor)")
    return people


def hash_password(password: str, salt: bytes | None = None) -> str:
    """scrypt, as the hub stores it: "scrypt$SALT$HASH" (hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    kind, salt, _ = stored.split("$")
    return kind == "scrypt" and secrets.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def make_accounts(people: list[Person], accounts: Path = ACCOUNTS) -> dict[str, str]:
    """A new password for everyone on the roster; the hub keeps only their hashes (readable by the hub's user
    only). Returns the passwords, for the cards: they are written nowhere else."""
    passwords = {person.name: secrets.token_urlsafe(9) for person in people}
    accounts.parent.mkdir(parents=True, exist_ok=True)
    accounts.touch(mode=0o600)
    hashed = {person.name: {"role": person.role, "password": hash_password(passwords[person.name])}
              for person in people}
    accounts.write_text(json.dumps(hashed, indent=1))
    return passwords


def read_accounts(accounts: Path = ACCOUNTS) -> dict[str, dict]:
    if not accounts.exists():
        raise CourseError(f"no accounts in {accounts}: run `make workshop-cards ROSTER=…` first (it makes the "
                          "passwords and prints them on the cards)")
    return json.loads(accounts.read_text())


def cards_html(url: str, passwords: dict[str, str]) -> str:
    """The login cards, eight to an A4 page: the hub's address, the login, the password and a QR code of the address."""
    import segno

    qr = segno.make(url, error="m").svg_inline(scale=3)
    cards = [f'<div class="card"><div class="qr">{qr}</div><p class="url">{html.escape(url)}</p>'
             f'<p>login <b>{html.escape(name)}</b></p><p>password <b class="password">{html.escape(password)}</b></p>'
             f'<p class="small">Docker for Python developers — your own JupyterLab and Docker engine</p></div>'
             for name, password in passwords.items()]
    pages = [cards[start:start + CARDS_PER_PAGE] for start in range(0, len(cards), CARDS_PER_PAGE)]
    body = "".join(f'<section class="page">{"".join(page)}</section>' for page in pages)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Login cards</title><style>
@page {{ size: A4; margin: 10mm; }}
body {{ margin: 0; font-family: sans-serif; }}
.page {{ display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: repeat(4, 1fr); gap: 4mm;
         height: 277mm; break-after: page; }}
.page:last-child {{ break-after: auto; }}
.card {{ border: 1px dashed #888; padding: 4mm; display: flex; flex-direction: column; justify-content: center; }}
.card p {{ margin: 1mm 0; font-size: 11pt; }}
.url {{ font-family: monospace; word-break: break-all; }}
.password {{ font-family: monospace; font-size: 13pt; }}
.small {{ font-size: 8pt !important; color: #555; }}
.qr svg {{ width: 28mm; height: 28mm; }}
</style></head><body>{body}</body></html>"""


def pages_needed(learners: int) -> int:
    return max(1, math.ceil(learners / CARDS_PER_PAGE))


def print_cards(url: str, passwords: dict[str, str], pdf: Path = CARDS_PDF) -> Path:
    """The cards as an A4 PDF, printed by Chromium (the site's browser tests use the same)."""
    from playwright.sync_api import sync_playwright

    from ..browser import CHROMIUM, CHROMIUM_ARGS

    pdf.parent.mkdir(parents=True, exist_ok=True)
    page_html = pdf.with_suffix(".html")
    page_html.write_text(cards_html(url, passwords))
    page_html.chmod(0o600)  # it holds the passwords
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(page_html.as_uri())
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
        browser.close()
    pdf.chmod(0o600)
    page_html.unlink()
    return pdf
