"""The pages a browser test visits, and how it signs in and keeps screenshots.

The pages are the permission matrix's rows: a new page is visited by the tour of every page
(test_every_page.py) as soon as it has its row there."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from ..security.conftest import VISITORS
from ..security.test_permission_matrix import MATRIX, auditor_expected

# Downloads (prints and exports) are files, not pages: the browser saves them rather than showing a
# page, and their statuses are the permission matrix's own test.
DOWNLOADS = (".pdf", ".ics", ".csv", ".json")

# The permission matrix has one plan page, a draft's; an active plan's has more on it (today's dose,
# the print form and its choices).
ACTIVE_PLAN = "/plans/{active_plan}/"

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


def reachable(visitor: str) -> list[str]:
    """Every address answering this visitor's GET with a 200 page (the sign-in page aside)."""
    if visitor == "anonymous":
        return []
    return [
        url
        for key, (url, get, _) in MATRIX.items()
        if status_of(visitor, key, get, "GET") == "200"
        and not url.startswith("/accounts/login")
        and not url.endswith(DOWNLOADS)
    ]


def status_of(visitor: str, key: str, answers: str, method: str) -> str:
    if visitor == "auditor":
        return auditor_expected(key)[0 if method == "GET" else 1]
    return answers.split()[VISITORS.index(visitor)]


def pages_answering(visitor: str, method: str, *, width: int = 1280) -> list[str]:
    """The addresses answering this visitor's GET (or POST) with a page, one of each kind: every
    200, the first 403 and the first 404 (the same templates answer all the others)."""
    pages: list[str] = []
    refusals: dict[str, str] = {}
    for key, (url, get, post) in MATRIX.items():
        status = status_of(visitor, key, get if method == "GET" else post, method)
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


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def screenshot(page: Page, label: str, address: str) -> None:
    """With SCREENSHOTS_DIR set, save the open page there as a full-page PNG named by label and
    address, to look at as a user would."""
    if folder := os.environ.get("SCREENSHOTS_DIR"):
        name = re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-") or "home"
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{label}-{name}.png", full_page=True)
