"""Reflow (WCAG 2.2 1.4.10) and text resized to 200% (1.4.4), checked on the page a browser test
has open (the tour of every page, test_every_page.py, runs it on each page of its enumeration).

Seen at 320 CSS px wide, or at 1280 px with the text at 200% (the root font size doubled, as a
browser's text-size setting does): the page itself never scrolls sideways (its width is the
viewport's, beyond 1 px of rounding); no text is cut off by a box too small for it, nor sticks out of
the box that holds it; and a region that scrolls sideways inside the page (a wide table) can be
scrolled from the keyboard, and has a name if it is a stop itself."""

from __future__ import annotations

from playwright.sync_api import Page

from .pages import screenshot

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
NARROWEST = 320


def reflow_problems(page: Page, where: str) -> list[str]:
    """The open page seen as reflow asks: on a phone-sized window at 320 px wide, on a wider one
    with the text at 200%. The page is left as it was found (a page laid out again at another width
    or text size is the page a person would see after turning their phone or changing the text
    size, so one load serves both)."""
    size = page.viewport_size
    assert size is not None
    if size["width"] < 768:
        page.set_viewport_size({"width": NARROWEST, "height": size["height"]})
        label = f"{NARROWEST}px"
    else:
        page.evaluate(TEXT_SIZE, "200%")
        label = "text-200"
    problems = [f"{where}, {label}: {line}" for line in page.evaluate(FIND_PROBLEMS)]
    screenshot(page, label, where)
    if size["width"] < 768:
        page.set_viewport_size(size)
    else:
        page.evaluate(TEXT_SIZE, "")
    return problems
