"""Print and export downloads of saved plans: permissions, formats, versions and frozen values."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from schedules import engine
from schedules.models import Clinic, Equivalence, Patient, Plan
from schedules.plans import actions as actions
from tests.plans.conftest import acknowledging, new_plan
from tests.printing.downloads import download
from tests.printing.pdf_text import font_sizes, read_pdf

pytestmark = pytest.mark.django_db

IDENTIFIERS = ("Margaret Ellis", "14 Mar 1951", "R-1")


def url(plan: Plan, name: str) -> str:
    return f"/plans/{plan.pk}/{name}"


def hold(plan: Plan, user: User, *, reason: str) -> None:
    """A new version: a 14-day hold after step 2, its danger warnings acknowledged."""
    latest = plan.versions.order_by("-number")[0]
    proposal = actions.hold_proposal(latest, after_step=2, days=14)
    acknowledgements = acknowledging(proposal.schedule_dict)
    plan.refresh_from_db()
    actions.insert_hold(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        after_step=2,
        days=14,
        reason=reason,
        acknowledgements=acknowledgements,
    )


def test_the_clinician_s_plan_names_the_patient_on_every_page(prescriber_client: Client, plan: Plan) -> None:
    response = download(prescriber_client, url(plan, "clinician.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"plan-{plan.pk}-v1-clinician.pdf" in response["Content-Disposition"]
    document = read_pdf(response.content)
    assert len(document.pages) >= 2
    for page in document.pages:
        for identifier in IDENTIFIERS:
            assert identifier in page
    assert "Riverside" in document.text and "Ashton benzodiazepine equivalence table" in document.text
    assert "Plan " + str(plan.pk) + ", version 1 of 1" in document.text


def test_a_plan_with_an_unacknowledged_danger_is_not_printed(
    prescriber_client: Client, prescriber: User, patient: Patient
) -> None:
    draft = new_plan(
        prescriber, patient, switch=True, method=engine.PercentMethod(Decimal(50)), interval_days=7
    )
    assert any(w["severity"] == "danger" for w in draft.versions.get().schedule["warnings"])
    response = download(prescriber_client, url(draft, "clinician.pdf"))
    assert response.status_code == 409 and b"not yet acknowledged" in response.content


def test_each_acknowledged_danger_is_printed_with_its_reason_and_who(
    prescriber_client: Client, prescriber: User, patient: Patient
) -> None:
    active = new_plan(
        prescriber,
        patient,
        switch=True,
        method=engine.PercentMethod(Decimal(50)),
        interval_days=7,
        activate=True,
    )
    acknowledged = active.versions.get().acknowledgements
    assert acknowledged
    text = read_pdf(download(prescriber_client, url(active, "clinician.pdf")).content).text
    assert "Danger warnings acknowledged" in text
    assert text.count("Reviewed with the patient") == len(acknowledged)
    assert f"Acknowledged by {acknowledged[0]['by']}" in text


def test_clinic_staff_may_print_and_export(staff_client: Client, plan: Plan) -> None:
    for name in ("clinician.pdf", "patient.pdf", "schedule.ics", "fhir.json", "steps.csv"):
        assert download(staff_client, url(plan, name)).status_code == 200, name


def test_another_clinic_s_plan_is_not_found(plan: Plan, other_clinic: Clinic) -> None:
    from tests.conftest import client_for, make_user

    outsider = client_for(make_user("outsider", "Prescriber", other_clinic))
    for name in ("clinician.pdf", "patient.pdf", "schedule.ics", "fhir.json", "steps.csv"):
        assert download(outsider, url(plan, name)).status_code == 404, name


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, plan: Plan) -> None:
    response = download(client, url(plan, "clinician.pdf"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_clinic_s_paper_size_and_the_print_button_s_override(
    prescriber_client: Client, plan: Plan
) -> None:
    clinic = plan.patient.clinic
    clinic.paper_size = "Letter"
    clinic.save()
    assert read_pdf(download(prescriber_client, url(plan, "patient.pdf")).content).page_size_pt() == (
        612,
        792,
    )
    response = download(prescriber_client, url(plan, "patient.pdf") + "?paper=A4")
    assert read_pdf(response.content).page_size_pt() == (595, 842)
    bad = download(prescriber_client, url(plan, "patient.pdf") + "?paper=A5")
    assert bad.status_code == 400 and b"A4 or Letter" in bad.content


def test_the_patient_s_schedule_gives_the_clinic_s_contact_details(
    prescriber_client: Client, plan: Plan
) -> None:
    clinic = plan.patient.clinic
    clinic.contact_phone = "01632 960 123"
    clinic.contact_hours = "Mon-Fri 9:00-17:00"
    clinic.save()
    text = read_pdf(download(prescriber_client, url(plan, "patient.pdf")).content).text
    assert "Riverside" in text and "Phone: 01632 960 123" in text and "Open: Mon-Fri 9:00-17:00" in text
    assert "Phone 999." in text, "the UK emergency number for a UK clinic"
    assert "For Margaret Ellis" in text


def test_an_older_version_says_so_on_every_page(
    prescriber_client: Client, plan: Plan, prescriber: User
) -> None:
    hold(plan, prescriber, reason="Poor sleep")
    old = read_pdf(download(prescriber_client, url(plan, "clinician.pdf") + "?version=1").content)
    for page in old.pages:
        assert "Older version: this is version 1" in page
    current = read_pdf(download(prescriber_client, url(plan, "clinician.pdf")).content)
    assert "Older version" not in current.text and "Poor sleep" in current.text
    assert download(prescriber_client, url(plan, "clinician.pdf") + "?version=9").status_code == 404
    assert download(prescriber_client, url(plan, "clinician.pdf") + "?version=x").status_code == 404


def test_a_plan_built_before_an_equivalence_change_prints_its_old_values(
    prescriber_client: Client, plan: Plan
) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    equivalence.dose_mg = 2
    equivalence.save()
    text = read_pdf(download(prescriber_client, url(plan, "clinician.pdf")).content).text
    assert "lorazepam 1 mg = 10 mg diazepam" in text
    assert "lorazepam 2 mg" not in text
    # The starting regimen (lorazepam 1 + 1 + 2 mg) is 40 mg diazepam-equivalent at 1 mg = 10 mg.
    assert "Total daily diazepam equivalent 40 mg" in text


def test_the_calendar_has_an_event_per_step_with_stable_uids_and_no_patient_identifiers(
    prescriber_client: Client, plan: Plan, prescriber: User
) -> None:
    first = prescriber_client.get(url(plan, "schedule.ics"))
    assert first["Content-Type"].startswith("text/calendar")
    for identifier in (*IDENTIFIERS, "Ellis", "Margaret", "1951"):
        assert identifier.encode() not in first.content
    calendar = icalendar.Calendar.from_ical(first.content)
    events: list[Any] = list(calendar.walk("VEVENT"))
    steps = plan.versions.get(number=1).schedule["steps"]
    assert len(events) == len(steps) + 1
    assert str(events[0]["DTSTART"].dt) == steps[0]["start_date"]
    assert "diazepam 10 mg (1 × 10 mg tablet)" in str(events[0]["DESCRIPTION"])
    uids_v1 = [str(e["UID"]) for e in events]
    assert len(set(uids_v1)) == len(uids_v1)
    hold(plan, prescriber, reason="Hold")
    second = icalendar.Calendar.from_ical(prescriber_client.get(url(plan, "schedule.ics")).content)
    events_v2: list[Any] = list(second.walk("VEVENT"))
    assert [str(e["UID"]) for e in events_v2][:2] == uids_v1[:2], "a re-import updates the same events"
    assert all(int(e["SEQUENCE"]) == 2 for e in events_v2)


def _events(client: Client, plan: Plan) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(client.get(url(plan, "schedule.ics")).content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_removed_step_is_sent_cancelled_so_an_imported_calendar_drops_it(
    prescriber_client: Client, plan: Plan, prescriber: User
) -> None:
    before = _events(prescriber_client, plan)
    steps = plan.versions.get(number=1).schedule["steps"]
    last_uid = f"plan-{plan.pk}-step-{len(steps)}@taper-planner"
    assert last_uid in before and "STATUS" not in before[last_uid]
    plan.refresh_from_db()
    proposal = actions.remove_step_proposal(plan.versions.get(number=1), step_number=len(steps) - 1)
    acknowledgements = acknowledging(proposal.schedule_dict)
    actions.remove_step(
        prescriber,
        plan=plan,
        lock_version=plan.lock_version,
        step_number=len(steps) - 1,
        reason="Fewer steps",
        acknowledgements=acknowledgements,
    )
    after = _events(prescriber_client, plan)
    assert set(after) == set(before), "every UID sent before is sent again"
    cancelled = [uid for uid, event in after.items() if str(event.get("STATUS")) == "CANCELLED"]
    assert cancelled == [last_uid]
    assert int(after[last_uid]["SEQUENCE"]) == 2
    assert "no longer in the plan" in str(after[last_uid]["DESCRIPTION"])


def test_a_stopped_plan_s_calendar_cancels_every_dose_change_after_the_stop(
    prescriber_client: Client, plan: Plan, prescriber: User
) -> None:
    plan.refresh_from_db()
    actions.stop(prescriber, plan=plan, lock_version=plan.lock_version, reason="Patient chose to stop")
    stopped_on = timezone.localdate()
    events = _events(prescriber_client, plan).values()
    later = [event for event in events if event["DTSTART"].dt > stopped_on]
    assert later, "the plan had dose changes after today"
    assert all(str(event.get("STATUS")) == "CANCELLED" for event in later)
    assert all("STATUS" not in event for event in events if event["DTSTART"].dt <= stopped_on)


def test_the_fhir_bundle_validates_and_follows_the_tapering_example(
    prescriber_client: Client, plan: Plan
) -> None:
    response = prescriber_client.get(url(plan, "fhir.json"))
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    Bundle.model_validate(data)
    resources = [entry["resource"] for entry in data["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["identifier"][0]["value"] == "R-1" and patient["birthDate"] == "1951-03-14"
    requests = {
        r["medicationCodeableConcept"]["text"]: r
        for r in resources
        if r["resourceType"] == "MedicationRequest"
    }
    assert set(requests) == {"lorazepam", "diazepam"}, "one MedicationRequest per drug"
    schedule = plan.versions.get(number=1).schedule
    diazepam = requests["diazepam"]
    assert diazepam["intent"] == "plan" and diazepam["status"] == "active"
    first_step = schedule["steps"][0]
    dosage = diazepam["dosageInstruction"][0]
    assert dosage["sequence"] == first_step["number"]
    assert dosage["timing"]["repeat"]["boundsPeriod"] == {
        "start": first_step["start_date"],
        "end": first_step["end_date"],
    }
    assert dosage["timing"]["repeat"]["when"] == ["NIGHT"]
    assert dosage["doseAndRate"][0]["doseQuantity"] == {
        "value": 10.0,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert "1 × 10 mg tablet" in dosage["text"]
    expected = sum(1 for step in schedule["steps"] for dose in step["doses"] if dose["drug"] == "diazepam")
    assert len(diazepam["dosageInstruction"]) == expected


def test_the_csv_reads_back_one_row_per_step_and_time_of_day(prescriber_client: Client, plan: Plan) -> None:
    response = prescriber_client.get(url(plan, "steps.csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    schedule = plan.versions.get(number=1).schedule
    # Steps in order; in each, the four times of day in the day's order, a row for each drug taken
    # then (the schedule's order) or one empty row.
    order = ("morning", "midday", "evening", "night")
    expected = [
        (str(step["number"]), slot, dose["drug"], dose.get("mg", 0))
        for step in schedule["steps"]
        for slot in order
        for dose in [d for d in step["doses"] if d["slot"] == slot] or [{"drug": ""}]
    ]
    assert [(row["step"], row["time_of_day"], row["drug"], float(row["mg"])) for row in rows] == expected
    step_one = [row["time_of_day"] for row in rows if row["step"] == "1"]
    assert step_one == sorted(step_one, key=order.index) and set(step_one) == set(order)
    for row in rows:
        assert len(row["start_date"]) == 10 and row["start_date"][4] == "-"
        float(row["mg"])
        float(row["diazepam_equivalent_mg"])
        assert "," not in row["mg"]
    last = schedule["steps"][-1]
    last_rows = [row for row in rows if row["step"] == str(last["number"])]
    assert float(last_rows[0]["diazepam_equivalent_mg"]) == last["diazepam_equivalent_mg"]


def test_the_print_buttons_link_every_download(plan: Plan) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("plans/_print_buttons.html", {"plan": plan})
    for name in ("clinician.pdf", "patient.pdf", "schedule.ics", "fhir.json", "steps.csv"):
        assert f"/plans/{plan.pk}/{name}" in html
    assert "Clinic's paper (A4)" in html and 'value="Letter"' in html
    assert "style=" not in html and "<script" not in html
    older = render_to_string(
        "plans/_print_buttons.html", {"plan": plan, "version": plan.versions.get(number=1)}
    )
    assert 'name="version" value="1"' in older and "?version=1" in older


def test_the_print_form_s_large_print_box_prints_the_patient_s_schedule_at_16_pt_or_more(
    staff_client: Client, plan: Plan
) -> None:
    response = download(staff_client, url(plan, "patient.pdf") + "?large_print=1")
    assert response.status_code == 200
    assert min(font_sizes(response.content)) >= 16
