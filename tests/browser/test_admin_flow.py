"""An administrator corrects an equivalence in the admin: a reason is required and kept in history."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from schedules.models import Clinic, Equivalence

from ..conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_changes_an_equivalence_with_a_reason(
    page: Page, live_server: object, clinic: Clinic
) -> None:
    admin: User = make_user("curator", "Administrator", clinic, is_staff=True)
    page.goto(f"{live_server.url}/admin/")  # type: ignore[attr-defined]
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Equivalences").first.click()
    filters = page.locator("#changelist-filter")
    filters.locator("a", has_text=re.compile(r"^\s*VA/DoD 2021")).click()  # by table
    page.locator("#searchbar").fill("lorazepam")
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name="lorazepam").first.click()

    page.get_by_label("Equivalent dose (mg)").fill("2.5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("Equivalent dose (mg)")).to_have_value("2.5")

    page.get_by_label("Reason for this change").fill("Checked against the printed guideline")
    page.get_by_label("I have checked this against the source").check()  # 2.5 mg is over 2x the tables'
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    equivalence = Equivalence.objects.get(table__key="va-dod", drug__name="lorazepam")
    assert str(equivalence.dose_mg) == "2.500"
    page.goto(f"{live_server.url}/admin/schedules/equivalence/{equivalence.pk}/history/")  # type: ignore[attr-defined]
    expect(page.get_by_text("Checked against the printed guideline")).to_be_visible()
    expect(page.get_by_text("curator").first).to_be_visible()
