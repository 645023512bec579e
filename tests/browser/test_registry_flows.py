"""Flows a person clicks through: sign in, find a patient, register one and enter a regimen."""

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
    expect(page.get_by_text("Say which opioids")).to_be_visible()
    expect(page.get_by_label("Family name")).to_have_value("Lee")
    page.get_by_label("Which CNS depressants").fill("codeine 30 mg four times a day")
    page.get_by_role("button", name="Register and enter regimen").click()

    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()
    page.get_by_label("Drug, row 1").select_option(label="alprazolam")
    page.get_by_label("Morning (mg), row 1").fill("0.5")
    page.get_by_label("Night (mg), row 1").fill("-1")
    page.get_by_role("button", name="Save regimen").click()
    expect(page.get_by_text("A dose cannot be negative.")).to_be_visible()
    expect(page.get_by_label("Morning (mg), row 1")).to_have_value("0.5")
    page.get_by_label("Night (mg), row 1").fill("1")
    page.get_by_role("button", name="Save regimen").click()

    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))
    # Ashton: alprazolam 0.5 mg = diazepam 10 mg
    expect(page.get_by_text("Total daily diazepam equivalent: 30 mg")).to_be_visible()
    expect(page.get_by_text("codeine 30 mg four times a day")).to_be_visible()
