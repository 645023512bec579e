"""Reflow (WCAG 2.2 1.4.10) and text resized to 200% (1.4.4) on every page a person reaches.

For each kind of visitor, signed in once in a browser context of its own, every page of
test_accessibility.py's enumeration (with an active plan's page, the builder's preview and its
options compared) is loaded once and seen two ways: at 320 CSS px wide, then at 1280 px with the
text at 200% (the root font size doubled, as a browser's text-size setting does). On each: the page itself never scrolls
sideways (its width is the viewport's, beyond 1 px of rounding); no text is cut off by a box too
small for it, nor sticks out of the box that holds it; and a region that scrolls sideways inside
the page (a wide table) can be scrolled from the keyboard, and has a name if it is a stop itself.
With SCREENSHOTS_DIR set, every page is saved there both ways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from schedules.models import Clinic

from ..security.conftest import World, build_world
from .test_accessibility import ACTIVE_PLAN, pages_answering
from .test_every_page import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(clinic: Clinic) -> World:
    return build_world(clinic)


# What breaks reflow on the open page, as lines of text (empty when nothing does):
# - the page wider than the viewport, and the outermost elements that stick out of it;
# - text cut off: a box that hides its overflow (overflow hidden or clip) whose content is
#   larger than the box, unless it is hidden on purpose (the visually-hidden pattern, 1 px);
# - a box that scrolls sideways but cannot be scrolled from the keyboard: it must be a keyboard stop
#   itself (tabindex 0) with a name (role region, aria-label or aria-labelledby), as the app's wide
#   tables are, or hold controls that are (the admin's change lists: the browser scrolls the box to
#   the focused row's link or check box, and the arrow keys scroll the box holding the focus).
FIND_PROBLEMS = """
() => {
  const STOPS = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (typeof el.className === "string" && el.className.trim())
      text += "." + el.className.trim().split(/\\s+/).join(".");
    return text;
  };
  const path = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body; node = node.parentElement) parts.unshift(name(node));
    return parts.slice(-4).join(" > ");
  };
  // The elements holding some text, found in one walk (textContent per element is quadratic).
  const withText = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (!walker.currentNode.data.trim()) continue;
    for (let node = walker.currentNode.parentElement; node && !withText.has(node); node = node.parentElement) {
      withText.add(node);
    }
  }
  const styles = new Map();
  const styleOf = (el) => {
    if (!styles.has(el)) styles.set(el, getComputedStyle(el));
    return styles.get(el);
  };
  const width = document.documentElement.scrollWidth;
  if (width > viewport + 1) {
    problems.push(`the page is ${width} px wide in a ${viewport} px viewport`);
    for (const el of document.body.querySelectorAll("*")) {
      const right = el.getBoundingClientRect().right + window.scrollX;
      const parent = el.parentElement.getBoundingClientRect().right + window.scrollX;
      if (right > viewport + 1 && parent <= viewport + 1) {
        problems.push(`  ${path(el)} reaches ${Math.round(right)} px`);
      }
    }
  }
  for (const el of document.body.querySelectorAll("*")) {
    const style = styleOf(el);
    if (style.display === "none" || el.getClientRects().length === 0) continue;
    const hides = (value) => value === "hidden" || value === "clip";
    const scrolls = (value) => value === "auto" || value === "scroll";
    const wider = el.scrollWidth > el.clientWidth + 1;
    const taller = el.scrollHeight > el.clientHeight + 1;
    const onPurpose = el.clientWidth <= 1 || el.clientHeight <= 1;
    if (!onPurpose && withText.has(el) &&
        ((wider && hides(style.overflowX)) || (taller && hides(style.overflowY)))) {
      problems.push(`text cut off: ${path(el)} (${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight})`);
    }
    const parent = el.parentElement;
    const placed = ["absolute", "fixed"].includes(style.position) ||
      parseFloat(style.marginLeft) < 0 || parseFloat(style.marginRight) < 0;
    if (parent !== document.body && !placed && withText.has(el)) {
      const box = el.getBoundingClientRect();
      const outer = parent.getBoundingClientRect();
      const parentStyle = styleOf(parent);
      if (!scrolls(parentStyle.overflowX) && !hides(parentStyle.overflowX) && box.width > 0 && outer.width > 1 &&
          (box.right > outer.right + 1 || box.left < outer.left - 1)) {
        problems.push(`sticks out of its box: ${path(el)} (${Math.round(box.left)} to ${Math.round(box.right)} in ${Math.round(outer.left)} to ${Math.round(outer.right)})`);
      }
    }
    if (wider && scrolls(style.overflowX)) {
      const named = el.getAttribute("role") === "region" &&
        (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"));
      const holdsAStop = el.querySelector(STOPS) !== null;
      if (el.tabIndex === 0 ? !named : !holdsAStop) {
        problems.push(`scrolls sideways without a keyboard stop or a name: ${path(el)}`);
      }
    }
  }
  return problems;
}
"""
# A browser's text-size setting, as far as a page can tell: the root font size doubled, so that
# every size set in rem or em (all of Bootstrap's, all of the app's) doubles with it.
TEXT_SIZE = "(size) => { document.documentElement.style.fontSize = size; }"
# The two ways of seeing each page: its label, the viewport width, and the root font size.
VIEWS = (("320px", 320, ""), ("text-200", 1280, "200%"))


def problems_seen(page: Page, where: str) -> list[str]:
    """The open page seen each way (one load: a page laid out again at another width or text size
    is the page a person would see after turning their phone or changing the text size)."""
    problems = []
    # The view at the window's present width first: one resize a page rather than two.
    present = page.viewport_size
    for label, width, text_size in sorted(
        VIEWS, key=lambda view: present is None or view[1] != present["width"]
    ):
        if page.viewport_size != {"width": width, "height": 800}:
            page.set_viewport_size({"width": width, "height": 800})
        page.evaluate(TEXT_SIZE, text_size)
        problems += [f"{where}, {label}: {line}" for line in page.evaluate(FIND_PROBLEMS)]
        screenshot(page, label, where)
    return problems


def test_every_page_reflows_at_320_px_and_with_text_at_200_percent(
    new_context: Callable[..., BrowserContext], live_server: object, world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    problems: list[str] = []
    for visitor in ("anonymous", "staff", "prescriber", "administrator", "auditor"):
        page = new_context().new_page()
        user = world.users[visitor]
        if user is not None:
            sign_in(page, base, user.username)
        pages = pages_answering(visitor, "GET", width=1280)
        if "/plans/{plan}/" in pages:
            pages.append(ACTIVE_PLAN)
        for url in pages:
            address = url.format(**world.objects)
            response = page.goto(f"{base}{address}")
            assert response is not None
            if response.headers["content-type"].startswith("text/html"):
                problems += problems_seen(page, f"{visitor} {address}")
        if visitor == "prescriber":
            page.goto(f"{base}/patients/{world.objects['patient']}/plans/new/")
            page.get_by_role("button", name="Preview").click()
            expect(page.get_by_role("heading", name="Preview")).to_be_visible()
            problems += problems_seen(page, f"{visitor} the builder's preview")
            page.get_by_role("button", name="Compare options").click()
            expect(page.get_by_role("heading", name="Options side by side")).to_be_visible()
            problems += problems_seen(page, f"{visitor} the builder's options compared")
        page.context.close()
    assert not problems, "\n".join(problems)
