"""axe-core, Deque's accessibility engine, from npm, run inside Chromium on a page of the built site
(tests/site/test_site.py runs it on every page of the nav, on both palettes)."""

import tarfile
from functools import cache

from dockercourse.machine.npm import npm_tarball
from tests.site.conftest import toggle_palette

AXE_VERSION = "4.14.1"
#: npm's integrity of that tarball (`npm view axe-core@4.14.1 dist.integrity`): a download must match it.
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
BLOCKING = ("serious", "critical")
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@cache
def script() -> str:
    with tarfile.open(npm_tarball("axe-core", AXE_VERSION, AXE_INTEGRITY, "the accessibility test needs")) as package:
        return package.extractfile("package/axe.min.js").read().decode()


def violations(page, rules: list[str] | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page as it is (every rule, or `rules`), one line each:
    rule, impact, how many elements, the first one."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=script())
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    found = page.evaluate("async (options) => (await axe.run(document, options)).violations", options)
    return [f"{rule['id']} ({rule['impact']}): {rule['help']} — {len(rule['nodes'])} element(s), first "
            f"{rule['nodes'][0]['target']}" for rule in found if rule["impact"] in BLOCKING]


def on_both_palettes(page) -> list[str]:
    """Every rule on the light palette, then the rules about colour once the header's toggle has switched to the
    dark one (the page is left on it); the findings of both, the dark palette's marked so."""
    found = violations(page)
    assert toggle_palette(page) == "slate", "the header's toggle switches to the dark palette"
    return found + [f"dark palette: {line}" for line in violations(page, COLOUR_RULES)]
