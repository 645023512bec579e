"""The builder as a person sees it (issue 14), at desktop (1280 px) and phone (390 px) width: the
preview's step table fits its column (no column cut off, dates not wrapped to seven lines), and
ticking "Allow oral liquids" shows the liquid strength, syringe graduation and most mL in one dose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from schedules.models import Clinic, Drug, RegimenItem

from ..conftest import make_patient
from .test_plan_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def sized_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def open_builder(page: Page, live_server: Any, clinic: Clinic, prescriber: User) -> None:
    """Lorazepam 1 mg twice a day at 46: the builder starts with a switch to diazepam."""
    patient = make_patient(clinic, "BL-1", date_of_birth=dt.date(1980, 1, 1))
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="lorazepam"), morning_mg=Decimal(1), night_mg=Decimal(1)
    )
    sign_in(page, live_server, prescriber.username)
    page.goto(f"{live_server.url}/patients/{patient.pk}/plans/new/")


def test_the_preview_step_table_fits_its_column(
    sized_page: Page, live_server: Any, clinic: Clinic, prescriber: User
) -> None:
    page = sized_page
    open_builder(page, live_server, clinic, prescriber)
    table = page.locator("#plan-preview table.step-table")
    expect(table).to_be_visible()
    fits = page.evaluate(
        """() => {
          const table = document.querySelector('#plan-preview table.step-table');
          const body = table.closest('.card-body');
          const style = getComputedStyle(body);
          const room = body.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          const dates = table.querySelector('tbody .step-dates');
          const cell = getComputedStyle(dates);
          const text = dates.getBoundingClientRect().height - parseFloat(cell.paddingTop) - parseFloat(cell.paddingBottom);
          const lines = text / parseFloat(cell.lineHeight);
          return {width: table.getBoundingClientRect().width, room: room, lines: lines};
        }"""
    )
    assert fits["width"] <= fits["room"] + 1, fits
    if page.viewport_size and page.viewport_size["width"] >= 1280:
        assert fits["lines"] <= 4.05, fits  # e.g. "20 May 2027 to / 2 Jun 2027 / (14 days)", not seven


def test_allowing_oral_liquids_shows_their_fields(
    sized_page: Page, live_server: Any, clinic: Clinic, prescriber: User
) -> None:
    page = sized_page
    open_builder(page, live_server, clinic, prescriber)
    labels = ("Liquid strength", "Oral syringe graduation (mL)", "Most liquid in one dose (mL)")
    for label in labels:
        expect(page.get_by_label(label)).to_be_hidden()
    page.get_by_label("Allow oral liquids").check()
    for label in labels:
        expect(page.get_by_label(label)).to_be_visible()
    expect(page.get_by_label("Oral syringe graduation (mL)")).to_have_value("0.1")
