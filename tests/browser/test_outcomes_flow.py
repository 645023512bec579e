"""The Outcomes page in a browser: a prescriber opens it from the menu, reads the charts and the
tables (by month, by drug and method, doses, holds and step-backs, withdrawal scores), follows a
number to the plans behind it, and a drug's row and a band of the daily doses to their own plans;
at 1280 px and at 390 px nothing spills sideways."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from schedules.models import Clinic, Plan

from ..conftest import make_user
from ..plans.outcome_tapers import checkin, taper
from .test_registry_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OUTCOMES_SCREENSHOTS", "")


def _tapers(clinic: Clinic, user: User) -> None:
    today = timezone.localdate()
    for index in range(7):
        start = today - dt.timedelta(days=20 + 5 * index)
        ended = (Plan.Status.COMPLETED, start + dt.timedelta(days=15)) if index % 3 == 0 else None
        plan = taper(
            clinic,
            user,
            f"R-{index}",
            start=start,
            doses=[20, 15, 10, 5],
            step_days=7,
            ended=ended,
            drug="diazepam" if index < 2 else "lorazepam",
            holds=[start + dt.timedelta(days=3)] if index % 2 else [],
        )
        checkin(plan, user, start + dt.timedelta(days=7), score=2 + index)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_prescriber_reads_the_outcomes_and_opens_the_plans_behind_a_number(
    page: Page, live_server: object, clinic: Clinic, width: int
) -> None:
    doctor = make_user("doctor", "Prescriber", clinic)
    _tapers(clinic, doctor)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "doctor")
    if width < 768:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", name="Outcomes", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Tapers by month")).to_be_visible()
    expect(page.get_by_role("link", name="Tapers started: 7, list the plans")).to_be_visible()
    expect(page.get_by_role("img", name="Daily diazepam equivalent at the start and now")).to_be_visible()
    expect(page.get_by_role("img", name="median score by weeks since the start")).to_be_visible()
    expect(page.get_by_role("table", name="Holds and step-backs per taper")).to_contain_text("Holds")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outcomes-{width}.png", full_page=True)
    page.get_by_role("link", name="Tapers started: 7, list the plans").click()
    expect(page.get_by_role("heading", name="Started")).to_be_visible()
    expect(page.get_by_role("link", name="ELLIS, Margaret")).to_have_count(7)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outcomes-plans-{width}.png", full_page=True)
    page.go_back()
    page.get_by_role("link", name="diazepam, Started: 2, list the plans").click()
    expect(page.get_by_role("heading", name="Started: drug diazepam")).to_be_visible()
    expect(page.get_by_role("link", name="ELLIS, Margaret")).to_have_count(2)
    page.go_back()
    page.get_by_role("link", name="10 to 20 mg, Tapers at the start: 7, list the plans").click()
    expect(
        page.get_by_role("heading", name="Daily diazepam equivalent at the start: 10 to 20 mg")
    ).to_be_visible()
    expect(page.get_by_role("link", name="ELLIS, Margaret")).to_have_count(7)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outcomes-band-{width}.png", full_page=True)
