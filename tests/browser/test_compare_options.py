"""Options side by side in the builder (issue 17), at desktop (1280 px) and phone (390 px) width:
a prescriber compares three options for lorazepam 1 mg twice a day, chooses one with its reason,
and saves it; the options sheet for the patient prints (downloads as a PDF); the plan page shows the
shared decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from schedules.models import Clinic, Plan

from .test_builder_layout import open_builder, sized_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_prescriber_compares_three_options_prints_them_chooses_one_and_saves_it(
    sized_page: Page,  # noqa: F811 (the fixture imported above)
    live_server: Any,
    clinic: Clinic,
    prescriber: User,
) -> None:
    page = sized_page
    open_builder(page, live_server, clinic, prescriber)
    page.get_by_role("button", name="Compare options").click()
    cards = page.locator(".option-card")
    expect(cards).to_have_count(3)
    expect(page.locator(".options-chart")).to_be_visible()
    expect(cards.nth(1)).to_contain_text("Slower")
    expect(cards.nth(2)).to_contain_text("No switch: taper lorazepam directly")
    with page.expect_download() as download:
        page.get_by_role("button", name="Print the options for the patient (PDF)").click()
    assert download.value.suggested_filename == "taper-options.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    page.get_by_label("Choose option B").check()
    page.get_by_label("Why this option (the shared decision)").fill("Prefers a slower pace; works shifts")
    page.get_by_role("button", name="Choose this option").click()
    expect(page.locator("#decision-note")).to_contain_text("Chosen with the patient: option B")
    expect(page.get_by_label("2025 Joint Guideline, slow", exact=False)).to_be_checked()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", name="Shared decision")).to_be_visible()
    expect(page.locator(".decision-chosen")).to_contain_text("Prefers a slower pace; works shifts")
    version = Plan.objects.get().current_version
    assert version is not None and version.decision is not None
    assert version.decision["chosen"] == "B" and version.decision["saved_as_chosen"] is True
