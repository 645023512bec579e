"""What a browser test checks on the page it has open: axe-core (bundled by axe-playwright-python),
and two things axe cannot see, headings in order and nothing to drag.

Only the axe rules tagged for WCAG 2.0, 2.1 and 2.2 levels A and AA run: a violation of any of them is
a failure (best-practice rules are left out, as the standard does not require them)."""

from __future__ import annotations

from collections import defaultdict

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# axe reads the page's stylesheets again (its "preload" of the CSSOM) by copying them into inline
# <style> elements, which the page's Content Security Policy rightly blocks; the one rule that needs
# them, css-orientation-lock (1.3.4), is a plain test of the stylesheets instead
# (tests/browser/test_every_page.py).
OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_AA},
    "rules": {"css-orientation-lock": {"enabled": False}},
    "preload": False,
    "resultTypes": ["violations"],
}
AXE = Axe()


class Violations:
    """The rules broken, each element once, with every page where it was found."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = defaultdict(list)

    def check(self, page: Page, where: str) -> None:
        for violation in AXE.run(page, options=OPTIONS).response["violations"]:
            for node in violation["nodes"]:
                summary = node.get("failureSummary", "").splitlines()[-1].strip()
                target = " ".join(str(part) for part in node["target"])
                self.found[f"{violation['id']}: {target}: {summary}"].append(where)

    def report(self) -> str:
        return "\n".join(f"{rule}\n    on {', '.join(pages)}" for rule, pages in sorted(self.found.items()))


# Headings in order: one h1 (first), and never a level more than one below the one before.
HEADING_PROBLEMS = """() => {
  const levels = [...document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6")]
    .filter((h) => h.offsetParent !== null).map((h) => Number(h.tagName[1]));
  const problems = [];
  if (levels.filter((level) => level === 1).length !== 1 || levels[0] !== 1) problems.push(`h1s: ${levels}`);
  levels.forEach((level, i) => { if (i && level > levels[i - 1] + 1) problems.push(`h${levels[i - 1]} then h${level}`); });
  return problems;
}"""

DRAGGABLE = "() => document.querySelectorAll('[draggable=true]').length"
