"""Plan flows a person clicks through, at desktop (1280 px) and phone (390 px) width: build a
plan with a live preview, save it, edit a step, hold, compare versions; clinic staff read today's
dose; an administrator's table change leaves a saved plan as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from schedules.models import Clinic, Drug, Equivalence, Patient, Plan, RegimenItem

from ..conftest import PASSWORD, make_patient, make_user
from ..plans.conftest import new_plan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def sized_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # No script error, no CSP violation, no server error on any page the flow opens.
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    yield page
    context.close()
    assert not errors, errors


def sign_in(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def open_menu(page: Page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()


def test_a_prescriber_builds_saves_and_adjusts_a_plan(
    sized_page: Page, live_server: Any, clinic: Clinic
) -> None:
    page = sized_page
    make_user("doctor", "Prescriber", clinic)
    sign_in(page, live_server, "doctor")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    open_menu(page)
    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Record number").fill("PL-1")
    page.get_by_label("Date of birth").fill("1975-05-06")
    page.get_by_label("Given name").fill("Nora")
    page.get_by_label("Family name").fill("Quinn")
    page.get_by_role("button", name="Register and enter regimen").click()
    page.get_by_label("Drug, row 1").select_option(label="lorazepam")
    page.get_by_label("Morning (mg), row 1").fill("1")
    page.get_by_label("Night (mg), row 1").fill("1")
    page.get_by_role("button", name="Save regimen").click()
    expect(page).to_have_url(re.compile(r"/patients/\d+/$"))

    page.get_by_role("link", name="New taper plan").click()
    expect(page.get_by_role("heading", name="New taper plan")).to_be_visible()
    expect(page.get_by_label("2025 Joint Guideline, standard", exact=False)).to_be_checked()
    page.get_by_label("Switch first to").select_option("diazepam")
    preview = page.locator("#plan-preview")
    expect(preview.locator(".step--switch").first).to_be_visible()
    summary = preview.locator(".schedule-summary")
    before = summary.inner_text()

    page.get_by_label("NICE CKS diazepam bands, fast", exact=False).check()
    expect(summary).not_to_have_text(before)  # the preview followed the preset without a reload
    page.get_by_label("2025 Joint Guideline, standard", exact=False).check()
    expect(summary).to_have_text(before)

    page.get_by_label("Reason for this change").fill("Agreed at clinic")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", name=re.compile("Taper plan for QUINN, Nora"))).to_be_visible()
    plan = Plan.objects.get(patient__record_number="PL-1")
    assert plan.status == "draft" and plan.lock_version == 1

    # Edit step 2: a smaller change at night.
    page.get_by_label("Step", exact=True).select_option("2")
    page.get_by_role("button", name="Edit step").click()
    expect(page.get_by_role("heading", name="Edit step 2")).to_be_visible()
    page.get_by_label("Days").fill("21")
    page.get_by_label("Reason for this change").fill("Patient asked for longer")
    page.get_by_role("button", name="Check the change").click()
    expect(
        page.get_by_text("Step 2: 7 → 21 days").or_(page.get_by_text(re.compile(r"Step 2: .*21 days")))
    ).to_be_visible()
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()

    # Insert a hold after step 3.
    page.get_by_label("Step", exact=True).select_option("3")
    page.get_by_role("button", name="Hold after it").click()
    page.get_by_label("For how many days").fill("14")
    page.get_by_label("Reason for this change").fill("Exams")
    page.get_by_role("button", name="Check the change").click()
    expect(page.get_by_text(re.compile(r"Step 4 added \(hold of 14 days"))).to_be_visible()
    page.get_by_role("button", name="Save as version 3").click()
    expect(page.get_by_text("Saved as version 3")).to_be_visible()

    # The versions and a readable comparison.
    versions = page.locator(".versions-table")
    expect(versions.get_by_text("Hold inserted")).to_be_visible()
    expect(versions.get_by_text("Exams")).to_be_visible()
    page.get_by_label("Compare version").select_option("1")
    page.get_by_label("with version").select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="From version 1 to version 3")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Step 2: .*21 days"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Step 4 added \(hold"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"moved \d+ days later")).first).to_be_visible()


def lorazepam_patient(clinic: Clinic) -> Patient:
    patient = make_patient(clinic, "ST-1", given_name="Olga", family_name="Berg")
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="lorazepam"), morning_mg=Decimal(1), night_mg=Decimal(1)
    )
    return patient


def test_clinic_staff_see_todays_dose_and_no_edit_control(
    sized_page: Page, live_server: Any, clinic: Clinic, prescriber: User
) -> None:
    page = sized_page
    patient = lorazepam_patient(clinic)
    plan = new_plan(prescriber, patient, activate=True, start=timezone.localdate(), switch=True)
    make_user("desk", "Clinic staff", clinic)
    sign_in(page, live_server, "desk")
    page.get_by_label("Search").fill("Berg")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="BERG, Olga").click()
    box = page.locator(".patient-plan")
    expect(box.get_by_text("Active")).to_be_visible()
    expect(box.locator(".todays-dose")).to_contain_text("Lorazepam 1 mg")
    expect(box.locator(".todays-dose")).to_contain_text("× 1 mg tablet")
    expect(box.get_by_text("Next change")).to_be_visible()
    expect(page.get_by_role("link", name="New taper plan")).to_have_count(0)
    box.get_by_role("link", name="Open the plan").click()
    expect(page.locator(".step--today")).to_be_visible()
    for control in ("Edit step", "Hold after it", "Re-plan from it", "Remove it", "Pause", "Stop the plan"):
        expect(page.get_by_role("button", name=control)).to_have_count(0)
        expect(page.get_by_role("link", name=control)).to_have_count(0)
    response = page.goto(f"{live_server.url}/plans/{plan.pk}/hold/")
    assert response is not None and response.status == 403


def test_a_table_change_leaves_a_saved_plan_unchanged(
    sized_page: Page, live_server: Any, clinic: Clinic, prescriber: User
) -> None:
    page = sized_page
    patient = lorazepam_patient(clinic)
    plan = new_plan(prescriber, patient)
    assert plan.current_version is not None
    saved = plan.current_version.schedule
    curator = make_user("curator", "Administrator", clinic, is_staff=True)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill(curator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    page.goto(f"{live_server.url}/admin/schedules/equivalence/{equivalence.pk}/change/")
    page.get_by_label("Equivalent dose (mg)").fill("2")
    page.get_by_label("Reason for this change").fill("Checked against the source table")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    make_user("doctor", "Prescriber", clinic)
    page.context.clear_cookies()
    sign_in(page, live_server, "doctor")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    notice = page.locator(".stale-table")
    expect(notice).to_contain_text("lorazepam 1 mg → 2 mg per 10 mg diazepam")
    expect(notice).to_contain_text("curator")
    expect(notice).to_contain_text("Checked against the source table")
    expect(
        notice.get_by_role("link", name="Re-plan from the current step with current values")
    ).to_be_visible()
    plan.refresh_from_db()
    assert plan.current_version is not None and plan.current_version.schedule == saved
    first_de = saved["steps"][0]["diazepam_equivalent_mg"]

    page.goto(f"{live_server.url}/patients/{patient.pk}/plans/new/")
    expect(page.locator("#plan-preview .conversions")).to_contain_text("lorazepam 2 mg = diazepam 10 mg")
    new_first = page.locator("#plan-preview .step-de").first.inner_text()
    assert float(new_first.removesuffix(" mg")) < first_de
