"""Flows a person clicks through: sign in, find a patient, register one and enter a regimen; the
duplicate warning, and the dose tables on a phone (390 px)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from schedules.models import Clinic, Patient

from ..conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_server: object, username: str) -> None:
    page.goto(f"{live_server.url}/")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_find_a_patient_by_date_of_birth_and_see_the_regimen(
    page: Page, live_server: object, patient: Patient, clinic: Clinic
) -> None:
    make_user("reception", "Clinic staff", clinic)
    sign_in(page, live_server, "reception")
    page.get_by_label("Search").fill("14/03/1951")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="ELLIS, Margaret").click()
    expect(page.get_by_role("heading", name="ELLIS, Margaret")).to_be_visible()
    expect(page.get_by_text("Total daily diazepam equivalent: 40 mg")).to_be_visible()
    expect(page.get_by_role("link", name="Edit regimen")).to_have_count(0)


def test_a_prescriber_registers_a_patient_and_corrects_a_regimen_mistake(
    page: Page, live_server: object, clinic: Clinic
) -> None:
    make_user("doctor", "Prescriber", clinic)
    sign_in(page, live_server, "doctor")
    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Record number").fill("NEW-7")
    page.get_by_label("Date of birth").fill("1966-02-03")
    page.get_by_label("Given name").fill("Ann")
    page.get_by_label("Family name").fill("Lee")
    page.get_by_label("Opioid or other CNS-depressant co-use").check()
    page.get_by_role("button", name="Register and enter regimen").click()
    # Listed at the top with a link to the field, and said beside the field.
    expect(page.get_by_role("link", name="Which CNS depressants: Say which opioids")).to_be_visible()
    expect(page.get_by_text("Say which opioids", exact=False).last).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Lee")
    page.get_by_label("Which CNS depressants").fill("codeine 30 mg four times a day")
    page.get_by_role("button", name="Register and enter regimen").click()

    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()
    page.get_by_label("Drug, row 1").select_option(label="alprazolam")
    page.get_by_label("Morning (mg), row 1").fill("0.5")
    page.get_by_label("Night (mg), row 1").fill("-1")
    page.get_by_role("button", name="Save regimen").click()
    expect(page.locator(".invalid-feedback", has_text="A dose cannot be negative.")).to_be_visible()
    expect(page.get_by_label("Morning (mg), row 1")).to_have_value("0.5")
    page.get_by_label("Night (mg), row 1").fill("1")
    page.get_by_role("button", name="Save regimen").click()

    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    # Ashton: alprazolam 0.5 mg = diazepam 10 mg
    expect(page.get_by_text("Total daily diazepam equivalent: 30 mg")).to_be_visible()
    expect(page.get_by_text("codeine 30 mg four times a day")).to_be_visible()


def register(page: Page, record: str) -> None:
    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Record number").fill(record)
    page.get_by_label("Date of birth").fill("1968-05-12")
    page.get_by_label("Given name").fill("Anna")
    page.get_by_label("Family name").fill("Lindqvist")
    page.get_by_role("button", name="Register and enter regimen").click()


def test_registering_the_same_person_twice_is_warned_with_a_link_to_the_first(
    page: Page, live_server: object, clinic: Clinic
) -> None:
    make_user("doctor", "Prescriber", clinic)
    sign_in(page, live_server, "doctor")
    register(page, "AL-1")
    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()

    register(page, "AL-2")
    expect(page.get_by_role("heading", name="Is this the same person?")).to_be_visible()
    expect(page.get_by_label("Record number")).to_have_value("AL-2")
    link = page.get_by_role("link", name="LINDQVIST, Anna")
    expect(link).to_be_visible()
    first = Patient.objects.get(record_number="AL-1")
    expect(link).to_have_attribute("href", f"/patients/{first.pk}/")

    page.get_by_label("I have checked: this is a different person").check()
    page.get_by_role("button", name="Register and enter regimen").click()
    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()
    assert Patient.objects.filter(family_name="Lindqvist").count() == 2


def test_on_a_phone_every_time_of_day_of_the_regimen_is_on_screen(
    page: Page, live_server: object, patient: Patient, clinic: Clinic
) -> None:
    make_user("doctor", "Prescriber", clinic)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "doctor")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")  # type: ignore[attr-defined]
    table = page.locator("table.dose-table")
    row = table.locator("tbody tr").first
    for label, dose in [("Morning", "1 mg"), ("Evening", "1 mg"), ("Night", "2 mg"), ("Daily", "4 mg")]:
        cell = row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        expect(cell).to_have_text(dose)
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, (label, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="Edit regimen").click()
    for slot in ("Morning", "Midday", "Evening", "Night"):
        field = page.get_by_label(f"{slot} (mg), row 1")
        expect(field).to_be_visible()
        box = field.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, (slot, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
