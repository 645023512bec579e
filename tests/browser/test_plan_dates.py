"""Dates a person mistypes (issue 14), clicked through at desktop (1280 px) and phone (390 px) width:
a pause and a resume dated 0026 (2026 mistyped) are refused beside the date, naming the window and
keeping what was typed; the plan changes only with a date in its window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from schedules.models import Clinic, Drug, Plan, RegimenItem

from ..conftest import make_patient
from ..plans.conftest import new_plan
from .test_plan_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def sized_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def change_the_date(page: Page, typed: str) -> None:
    page.get_by_label("From").fill(typed)
    page.get_by_label("Reason for this change").fill("Patient in hospital")
    page.get_by_role("button", name="Check the change").click()


def test_a_mistyped_year_is_refused_for_a_pause_and_a_resume(
    sized_page: Page, live_server: Any, clinic: Clinic, prescriber: User
) -> None:
    page = sized_page
    today = timezone.localdate()
    patient = make_patient(clinic, "DT-1", given_name="Ada", family_name="Moss")
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="lorazepam"), morning_mg=Decimal(1), night_mg=Decimal(1)
    )
    plan = new_plan(prescriber, patient, activate=True, start=today - dt.timedelta(days=10))
    sign_in(page, live_server, prescriber.username)

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Pause").click()
    change_the_date(page, "0026-12-01")
    date = page.get_by_label("From")
    expect(date).to_have_value("0026-12-01")
    expect(page.locator(".invalid-feedback")).to_contain_text("A pause is dated from")
    expect(page.locator(".invalid-feedback")).to_contain_text("not 1 Dec 0026: check the year")
    expect(page.get_by_role("button", name="Save as version 2")).to_have_count(0)
    plan.refresh_from_db()
    assert (plan.status, plan.lock_version) == ("active", 1)

    change_the_date(page, today.isoformat())
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    plan.refresh_from_db()
    assert (plan.status, plan.paused_on) == ("paused", today)

    page.get_by_role("link", name="Resume").click()
    change_the_date(page, "0026-12-08")
    expect(page.get_by_label("From")).to_have_value("0026-12-08")
    expect(page.locator(".invalid-feedback")).to_contain_text("A resume is dated from")
    expect(page.locator(".invalid-feedback")).to_contain_text("(the day the pause began)")
    expect(page.get_by_role("button", name="Save as version 3")).to_have_count(0)

    change_the_date(page, (today + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save as version 3").click()
    expect(page.get_by_text("Saved as version 3")).to_be_visible()
    resumed = Plan.objects.get(pk=plan.pk)
    assert resumed.status == "active" and resumed.current_version is not None
    first = plan.versions.get(number=1)
    assert (resumed.current_version.end_date - first.end_date).days == 3
