// What the theme's markup lacks for keyboard and screen-reader users (tests/site/axe.py, on every page):
// the search dialog's name, and a keyboard stop on every region that scrolls sideways (a long command, a table).
// It runs once the page has loaded: the theme wraps wide tables in their scrolling region while it loads.
window.addEventListener("load", function () {
  "use strict";
  const search = document.querySelector(".md-search[role='dialog']");
  if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  document.querySelectorAll("pre, .highlight-ipynb, .md-typeset__scrollwrap, .jp-OutputArea-output").forEach(
    function (region) {
      if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        if (!region.hasAttribute("aria-label") && !region.hasAttribute("role")) {
          region.setAttribute("role", "region");
          region.setAttribute("aria-label", "scrollable: use the arrow keys");
        }
      }
    });
});
