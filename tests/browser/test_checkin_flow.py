"""A prescriber records a check-in with a high score, chooses "hold 14 days", sees the change before
saving, then the new version, the moved dates and the score on the chart; at desktop and phone width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from followup.models import CheckIn
from schedules.models import Patient, Plan

from ..plans.conftest import new_plan
from .test_registry_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_high_score_then_a_14_day_hold(
    page: Page, live_server: object, prescriber: User, patient: Patient, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    today = dt.date.today()
    # Step 2 of the plan (14-day steps) is in force today.
    plan: Plan = new_plan(prescriber, patient, activate=True, start=today - dt.timedelta(days=20))
    sign_in(page, live_server, "prescriber")
    page.goto(f"{live_server.url}/plans/{plan.pk}/checkins/")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Record a check-in").click()

    expect(page.get_by_role("heading", name="Record a check-in")).to_be_visible()
    page.get_by_label("Phone").check()
    for order in range(1, 13):
        page.locator(f'input[name="item_{order}"][value="3"]').check()
    page.get_by_label("Poor", exact=True).check()
    page.get_by_label("Hold: stay at the current dose for N more days").check()
    page.get_by_label("Hold for (days)").fill("14")
    page.get_by_role("button", name="Save the check-in").last.click()

    # Nothing is saved before the change has been seen.
    expect(page.get_by_text("Check the new schedule below, then save.")).to_be_visible()
    expect(page.get_by_text("Symptom checklist 36").first).to_be_visible()
    # Issue 14: 36 of 36 on a scale without validated bands is flagged (75%, a local choice).
    expect(page.get_by_text("at or above 75% of the scale's maximum")).to_be_visible()
    expect(page.get_by_text("No validated bands").first).to_be_visible()
    assert CheckIn.objects.count() == 0
    for field in page.locator('input[name^="ack-"]').all():
        field.fill("Reviewed with the patient")
    page.locator(".preview-panel").get_by_role("button", name="Save the check-in").click()

    expect(page.get_by_text("the plan saved as version 2")).to_be_visible()
    reason = re.compile(
        rf"Held 14 days at [0-9.]+ mg lorazepam after the check-in of {today.isoformat()}: "
        "Symptom checklist 36, poor sleep"
    )
    expect(page.get_by_text(reason)).to_be_visible()
    # Step 3 was to start 28 days after the start; it now starts 14 days later.
    was, now = today + dt.timedelta(days=8), today + dt.timedelta(days=22)
    moved = page.get_by_text(re.compile(r"Next change of dose: now"))
    expect(moved).to_contain_text(f"{now.day} {now:%b %Y} (was {was.day} {was:%b %Y})")
    expect(page.locator("svg.taper-chart circle.chart-score")).to_have_count(
        1 + 1
    )  # the point and the legend
    expect(page.locator("svg.taper-chart rect.chart-band--hold")).to_have_count(1)
    checkin = CheckIn.objects.get()
    assert checkin.resulting_version is not None and checkin.resulting_version.number == 2
