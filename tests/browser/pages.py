"""WCAG 2.2 AA on every page a person reaches, for each kind of visitor, at 1280 and 390 px.

The pages are the permission matrix's rows that answer this visitor with an HTML page (each 200,
one 403 and one 404; of the admin's pages, which share their templates, one of each kind), then each form of the app in its error state (its text fields emptied and
sent), the builder's preview, and on a phone the opened menu. axe-core checks each against the
WCAG 2.0, 2.1 and 2.2 A and AA rules; every violation found is listed and fails the test.

One browser context per visitor and width, signed in once, over one set of data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from schedules.models import Clinic

from ..security.conftest import VISITORS, World, build_world
from ..security.test_permission_matrix import MATRIX, auditor_expected
from .accessibility import Violations
from .test_every_page import DOWNLOADS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


# Empty a form's text fields and send it as its first button would, past the browser's own checks,
# so that the server's errors show.
SEND_EMPTIED = """
(form) => {
  form.noValidate = true;
  for (const field of form.querySelectorAll("input, textarea")) {
    if (!["hidden", "checkbox", "radio", "submit", "button"].includes(field.type)) field.value = "";
  }
  form.requestSubmit(form.querySelector("[type=submit]"));
}
"""


@pytest.fixture
def world(clinic: Clinic) -> World:
    return build_world(clinic)


# The permission matrix has one plan page, a draft's; an active plan's has more on it (today's dose,
# the print form and its choices).
ACTIVE_PLAN = "/plans/{active_plan}/"


def pages_answering(visitor: str, method: str, *, width: int = 1280) -> list[str]:
    """The addresses answering this visitor's GET (or POST) with a page: every 200, the first 403
    and the first 404 (the same templates answer all the others)."""
    pages: list[str] = []
    refusals: dict[str, str] = {}
    for key, (url, get, post) in MATRIX.items():
        if visitor == "auditor":
            status = auditor_expected(key)[0 if method == "GET" else 1]
        else:
            status = (get if method == "GET" else post).split()[VISITORS.index(visitor)]
        if url.endswith(DOWNLOADS):
            continue
        if status == "200":
            pages.append(url)
        elif status in ("403", "404") and method == "GET":
            refusals.setdefault(status, url)
    return one_of_each_kind(pages, by_model=width >= 768) + list(refusals.values())


def admin_kind(url: str, *, by_model: bool) -> str:
    """The admin's add, delete and history pages are one template for every model: one kind each.
    Its list and change pages differ by model (fields, filters, widgets): with ``by_model``, each
    model's is its own kind. The phone layout comes from the templates alone."""
    match = re.fullmatch(r"/admin/\w+/\w+/(.*)", url)
    if match is None:
        return url
    rest = re.sub(r"\{\w+\}", "{}", match.group(1))
    return url if by_model and rest in ("", "{}/change/") else rest


def one_of_each_kind(urls: list[str], *, by_model: bool) -> list[str]:
    kinds: dict[str, str] = {}
    for url in urls:
        kinds.setdefault(admin_kind(url, by_model=by_model), url)
    return list(kinds.values())


def forms_with_errors(visitor: str) -> list[str]:
    """The app's forms this visitor can send (the admin's are Django's own: one, the add form, is
    sent; its delete and action forms would change data rather than show errors). A form is a page
    opened first: an address that only answers a script's POST (a passkey's) is not one."""
    pages = pages_answering(visitor, "GET")
    return [
        url
        for url in pages_answering(visitor, "POST")
        if url in pages and (not url.startswith("/admin/") or url == "/admin/schedules/drug/add/")
    ]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("visitor", ["anonymous", "staff", "prescriber", "administrator", "auditor"])
def test_no_page_breaks_a_wcag_aa_rule(
    page: Page, live_server: object, world: World, visitor: str, width: int
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": width, "height": 900})
    user = world.users[visitor]
    if user is not None:
        sign_in(page, base, user.username)
    violations = Violations()
    if width < 768 and user is not None:
        page.locator(".navbar-toggler").click()
        expect(page.locator("#nav")).to_be_visible()
        violations.check(page, "the menu, opened")
    pages = pages_answering(visitor, "GET", width=width)
    if "/plans/{plan}/" in pages:
        pages.append(ACTIVE_PLAN)
    for url in pages:
        address = url.format(**world.objects)
        response = page.goto(f"{base}{address}")
        assert response is not None
        if response.headers["content-type"].startswith("text/html"):
            violations.check(page, address)
    for url in forms_with_errors(visitor):
        address = url.format(**world.objects)
        page.goto(f"{base}{address}")
        with page.expect_navigation():
            page.locator("main form[method=post]").first.evaluate(SEND_EMPTIED)
        violations.check(page, f"{address}, errors shown")
    if visitor == "prescriber":
        page.goto(f"{base}/patients/{world.objects['patient']}/plans/new/")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview")).to_be_visible()
        violations.check(page, "the builder's preview")
        page.get_by_role("button", name="Compare options").click()
        expect(page.get_by_role("heading", name="Options side by side")).to_be_visible()
        violations.check(page, "the builder's options compared")
    assert not violations.found, violations.report()


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
