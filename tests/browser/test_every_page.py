"""Every page a person reaches, for each kind of visitor, at 1280 and 390 px, in one tour each.

A visitor signs in once in a browser of their own, over one set of data, and every page of theirs
is loaded once and checked every way that applies to it:

- **It loads without a console error** (no CSP violation, no failed script, no missing file): each
  page answering this visitor with a 200 in the permission matrix, every admin page among them.
- **WCAG 2.0, 2.1 and 2.2 A and AA** (axe-core, accessibility.py): one page of each kind (each
  200, one 403 and one 404; of the admin's pages, which share their templates, one of each kind,
  and at 1280 px each model's list and change page), an active plan's page, each form of the app
  in its error state (its text fields emptied and sent), the builder's preview and its options
  compared, and on a phone the opened menu.
- **Reflow and text at 200%** (1.4.10, 1.4.4, reflow.py): the same pages at 1280 px's choice of
  kinds, seen at 320 px wide in the phone's tour and with the text at 200% in the desktop's.
- **Headings in order and nothing to drag** (1.3.1, 2.5.7) on every page of the app itself (the
  admin's are Django's own templates), on a phone.

A new page is visited as soon as it has its row in the permission matrix. With SCREENSHOTS_DIR
set, each page is also saved there as a full-page PNG (named by visitor, width and address), and
again as reflow sees it, to look at as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from schedules.models import Clinic

from ..security.conftest import World, build_world
from .accessibility import DRAGGABLE, HEADING_PROBLEMS, Violations
from .pages import (
    ACTIVE_PLAN,
    SEND_EMPTIED,
    forms_with_errors,
    pages_answering,
    reachable,
    screenshot,
    sign_in,
)
from .reflow import reflow_problems

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 768


@pytest.fixture
def world(clinic: Clinic) -> World:
    return build_world(clinic)


def tour(visitor: str, width: int) -> tuple[list[str], list[str], list[str]]:
    """The pages of this visitor's tour in order, the ones axe checks, and the ones seen for reflow."""
    loads = reachable(visitor)
    checked = pages_answering(visitor, "GET", width=width)
    reflowed = pages_answering(visitor, "GET", width=1280)
    if "/plans/{plan}/" in checked:
        checked.append(ACTIVE_PLAN)
        reflowed.append(ACTIVE_PLAN)
    for url in checked + reflowed:
        if url not in loads:
            loads.append(url)
    return loads, checked, reflowed


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("visitor", ["anonymous", "staff", "prescriber", "administrator", "auditor"])
def test_every_page_loads_cleanly_meets_wcag_aa_and_reflows(
    page: Page, live_server: object, world: World, console_errors: list[str], visitor: str, width: int
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": width, "height": 900})
    user = world.users[visitor]
    if user is not None:
        sign_in(page, base, user.username)
    violations = Violations()
    problems: list[str] = []
    if width < PHONE and user is not None:
        page.locator(".navbar-toggler").click()
        expect(page.locator("#nav")).to_be_visible()
        violations.check(page, "the menu, opened")
    loads, checked, reflowed = tour(visitor, width)
    healthy = reachable(visitor)
    for url in loads:
        address = url.format(**world.objects)
        errors_before = len(console_errors)
        response = page.goto(f"{base}{address}")
        assert response is not None
        if url in healthy and response.status != 200:
            problems.append(f"{address}: answered {response.status}, not 200")
        if response.headers["content-type"].startswith("text/html"):
            screenshot(page, f"{visitor}-{width}", address)
            if url in checked:
                violations.check(page, address)
            if width < PHONE and not url.startswith("/admin/"):
                problems += [f"{address}: {problem}" for problem in page.evaluate(HEADING_PROBLEMS)]
                if page.evaluate(DRAGGABLE):
                    problems.append(f"{address}: something to drag")
            if url in reflowed:
                problems += reflow_problems(page, f"{visitor} {address}")
        if url in healthy:
            problems += [f"{address}: console: {error}" for error in console_errors[errors_before:]]
    for url in forms_with_errors(visitor):
        address = url.format(**world.objects)
        page.goto(f"{base}{address}")
        with page.expect_navigation():
            page.locator("main form[method=post]").first.evaluate(SEND_EMPTIED)
        violations.check(page, f"{address}, errors shown")
    if visitor == "prescriber":
        page.goto(f"{base}/patients/{world.objects['patient']}/plans/new/")
        with page.expect_navigation():  # the builder opens with a preview: wait for the new one
            page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview")).to_be_visible()
        violations.check(page, "the builder's preview")
        problems += reflow_problems(page, f"{visitor} the builder's preview")
        page.get_by_role("button", name="Compare options").click()
        expect(page.get_by_role("heading", name="Options side by side")).to_be_visible()
        violations.check(page, "the builder's options compared")
        problems += reflow_problems(page, f"{visitor} the builder's options compared")
    if user is not None:
        assert len(healthy) >= 5
    assert not violations.found and not problems, "\n".join([violations.report(), *problems])


def test_the_sign_in_page_has_no_console_error(
    page: Page, live_server: object, console_errors: list[str]
) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert console_errors == []


def test_no_stylesheet_locks_the_orientation() -> None:
    """WCAG 1.3.4 (the one rule axe is not run for, see accessibility.py): no stylesheet of the app,
    nor of the admin, shows a page in one orientation only."""
    import django.contrib.admin

    folders = [
        Path(__file__).parents[2] / "static" / "css",
        Path(django.contrib.admin.__file__).parent / "static",
    ]
    sheets = [sheet for folder in folders for sheet in folder.rglob("*.css")]
    assert len(sheets) > 5
    assert [sheet.name for sheet in sheets if "orientation" in sheet.read_text()] == []
