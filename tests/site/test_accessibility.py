"""Every page of the built site passes axe-core (Deque's accessibility engine, from npm, run inside Chromium)
with no serious or critical violation, on the light palette, and none of the rules about colour on the dark one."""

import tarfile

import pytest

from dockercourse.machine.npm import npm_tarball
from tests.site.test_site import nav_pages

AXE_VERSION = "4.14.1"
#: npm's integrity of that tarball (`npm view axe-core@4.14.1 dist.integrity`): a download must match it.
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
BLOCKING = ("serious", "critical")
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@pytest.fixture(scope="module")
def axe_script() -> str:
    with tarfile.open(npm_tarball("axe-core", AXE_VERSION, AXE_INTEGRITY, "the accessibility test needs")) as package:
        return package.extractfile("package/axe.min.js").read().decode()


def violations(page, rules: list[str] | None = None) -> list[str]:
    """axe-core's serious and critical findings on the page as it is (every rule, or `rules`), one line each."""
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    found = page.evaluate("async (options) => (await axe.run(document, options)).violations", options)
    return [f"{rule['id']} ({rule['impact']}): {rule['help']} — {len(rule['nodes'])} element(s), first "
            f"{rule['nodes'][0]['target']}" for rule in found if rule["impact"] in BLOCKING]


@pytest.mark.parametrize("path", nav_pages())
def test_no_serious_accessibility_violation_on_either_palette(page, site_url, axe_script, path):
    """Every rule on the light palette; then, switched to the dark one with the header's toggle, the rules that
    depend on colour."""
    page.goto(site_url + path)
    page.add_script_tag(content=axe_script)
    found = violations(page)
    page.locator("label.md-header__button[for^='__palette']:visible").click()  # the header's toggle
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    found += [f"dark palette: {line}" for line in violations(page, COLOUR_RULES)]
    assert not found, f"{path}:\n" + "\n".join(found)
