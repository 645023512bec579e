"""Every page a signed-in prescriber or administrator can reach, at 1280 and 390 px: it loads, and
the console shows no error (no CSP violation, no failed script, no missing file).

The pages are the permission matrix's rows with a 200 for that visitor: a new page is visited as
soon as it has its row there. With SCREENSHOTS_DIR set, each page is also saved there as a
full-page PNG (named by visitor, width and address), to look at as a user would."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from schedules.models import Clinic

from ..conftest import PASSWORD
from ..security.conftest import VISITORS, World, build_world
from ..security.test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(clinic: Clinic) -> World:
    return build_world(clinic)


# Downloads (prints and exports) are files, not pages: the browser saves them rather than showing a
# page, and their statuses are the permission matrix's own test.
DOWNLOADS = (".pdf", ".ics", ".csv", ".json")


def reachable(visitor: str) -> list[str]:
    column = VISITORS.index(visitor)
    return [
        url
        for url, get, _ in MATRIX.values()
        if get.split()[column] == "200"
        and not url.startswith("/accounts/login")
        and not url.endswith(DOWNLOADS)
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


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("visitor", ["prescriber", "administrator", "staff"])
def test_every_reachable_page_loads_without_a_console_error(
    page: Page, live_server: object, world: World, console_errors: list[str], visitor: str, width: int
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": width, "height": 900})
    user = world.users[visitor]
    assert user is not None
    sign_in(page, base, user.username)
    visited = []
    for url in reachable(visitor):
        address = url.format(**world.objects)
        response = page.goto(f"{base}{address}")
        assert response is not None and response.status == 200, address
        visited.append(address)
        screenshot(page, f"{visitor}-{width}", address)
    assert len(visited) >= 5
    assert console_errors == []


def test_the_sign_in_page_has_no_console_error(
    page: Page, live_server: object, console_errors: list[str]
) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert console_errors == []
