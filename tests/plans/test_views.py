"""The plan pages through the client: building, following and adjusting, and who may do what."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules import engine
from schedules.models import Drug, Patient, Plan, PlanVersion, RegimenItem
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers
from schedules.plans import today as plan_today

from ..conftest import make_patient
from .conftest import new_plan

pytestmark = pytest.mark.django_db


def builder_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "preset": "jcpg-standard",
        "method": "percent",
        "percent": "10",
        "pace": "slow",
        "switch_to": "",
        "switch_stage_days": "7",
        "table": "ashton",
        "split": "",
        "end": "stop",
        "start": timezone.localdate().isoformat(),
        "period_days": "28",
        "reason": "Agreed at clinic",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def builder_url(patient: Patient) -> str:
    return reverse("schedules:plan_new", args=[patient.pk])


def test_the_builder_opens_with_the_standard_preset_and_a_preview(
    prescriber_client: Client, patient: Patient
) -> None:
    content = prescriber_client.get(builder_url(patient)).content.decode()
    presets = [tag for tag in re.findall(r"<input[^>]*>", content) if 'name="preset"' in tag]
    assert len(presets) == len(engine.PRESETS) + 1  # and "Choose the method myself"
    assert [tag for tag in presets if re.search(r"\schecked[\s>]", tag)] == [
        next(tag for tag in presets if 'value="jcpg-standard"' in tag)
    ]
    assert 'class="step-table"' in content
    assert "taper-chart" in content
    assert "Conversions used" in content and "lorazepam 1 mg = diazepam 10 mg" in content


def test_a_short_acting_drug_gets_a_switch_suggested_but_not_at_65(
    prescriber_client: Client, patient: Patient
) -> None:
    content = prescriber_client.get(builder_url(patient)).content.decode()
    assert "diazepam is not suggested at 65 or over" in content  # the fixture patient is 75
    patient.date_of_birth = dt.date(1980, 1, 1)
    patient.save()
    content = prescriber_client.get(builder_url(patient)).content.decode()
    assert "a switch to diazepam is started for you" in content
    assert '<option value="diazepam" selected>' in content


def test_the_htmx_preview_answers_with_the_preview_only(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(
        builder_url(patient), builder_data(switch_to="diazepam"), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="preview-status"' in content and "Preview updated:" in content  # announced to screen readers
    assert "Switch" in content and 'class="step-table"' in content
    assert not Plan.objects.exists()


def test_preview_without_javascript_keeps_what_was_typed(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(
        builder_url(patient), builder_data(preset="custom", percent="1,5", action="preview")
    )
    content = response.content.decode()
    assert "with a point for decimals" in content
    assert 'value="1,5"' in content
    assert not Plan.objects.exists()


def test_an_engine_error_is_shown_beside_its_field(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(
        builder_url(patient),
        builder_data(strengths=["diazepam:2"], liquid="on", switch_to="diazepam", start="2035-01-01"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "start" in form.errors


def test_a_mistyped_start_year_is_refused_beside_the_field_and_kept(
    prescriber_client: Client, patient: Patient
) -> None:
    """Issue 14: every date a person enters lies in its window; the builder's start is checked by
    the form itself, so the save never reaches the engine with it."""
    response = prescriber_client.post(
        builder_url(patient), builder_data(start="0026-12-01", action="save-draft")
    )
    assert response.status_code == 200
    error = response.context["form"].errors["start"][0]
    assert "the start date 0026-12-01 must lie between" in error.lower()
    assert "check the year" in error
    assert 'value="0026-12-01"' in response.content.decode()
    assert not Plan.objects.exists()


def test_saving_a_draft_makes_version_one(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(
        builder_url(patient), builder_data(switch_to="diazepam", action="save-draft")
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "schedules:plan_detail", args=[plan.pk]
    )
    version = plan.current_version
    assert version is not None and version.number == 1 and plan.status == "draft"
    assert version.choices["switch_to"] == "diazepam"
    assert version.reason == "Agreed at clinic"


def test_activating_needs_each_danger_acknowledged(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(builder_url(patient), builder_data(action="save-active"))
    assert response.status_code == 200
    assert not Plan.objects.exists()
    dangers = response.context["ack_form"].dangers
    assert dangers
    content = response.content.decode()
    assert "Give your reason to go ahead" in content
    reasons = {f"ack:{w['key']}": "Discussed; supervised" for w in dangers}
    response = prescriber_client.post(builder_url(patient), builder_data(action="save-active", **reasons))
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.status == "active"
    assert plan.current_version is not None
    assert {a["reason"] for a in plan.current_version.acknowledgements} == {"Discussed; supervised"}


def test_the_plan_page_shows_today_the_steps_and_the_versions(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient, start=timezone.localdate())
    content = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "step--today" in content
    assert "Today" in content and "Next change" in content
    assert "Versions" in content and "Patient agreed to taper" in content
    assert "Edit step" in content


def test_clinic_staff_read_the_plan_without_controls_and_are_refused_changes(
    prescriber: User, staff_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient, start=timezone.localdate())
    content = staff_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "step-table" in content
    for control in ("Edit step", "Hold after it", "Activate", "Stop the plan", "New taper plan"):
        assert control not in content
    patient_page = staff_client.get(reverse("schedules:patient_detail", args=[patient.pk])).content.decode()
    assert "New taper plan" not in patient_page
    urls = [
        reverse("schedules:plan_new", args=[patient.pk]),
        reverse("schedules:step_edit", args=[plan.pk]) + "?step=1",
        reverse("schedules:hold_insert", args=[plan.pk]),
        reverse("schedules:step_remove", args=[plan.pk]) + "?step=1",
        reverse("schedules:replan", args=[plan.pk]),
        *(
            reverse("schedules:status_change", args=[plan.pk, a])
            for a in ("activate", "pause", "stop", "acknowledge")
        ),
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 403, url
        assert (
            staff_client.post(url, {"action": "save", "reason": "x", "lock_version": "1"}).status_code == 403
        ), url
    assert plan.versions.count() == 1


def test_another_clinics_plan_is_not_found(prescriber: User, patient: Patient, other_clinic: Any) -> None:
    plan = new_plan(prescriber, patient)
    outsider = User.objects.create_user("outsider")
    outsider.groups.add(*prescriber.groups.all())
    other_clinic.members.add(outsider)
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("schedules:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("schedules:plan_json", args=[plan.pk])).status_code == 404


def test_editing_a_step_is_reviewed_then_saved(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    url = reverse("schedules:step_edit", args=[plan.pk])
    data = {
        "step": "2",
        "lock_version": "1",
        "days": "21",
        "lorazepam:morning": "0.5",
        "lorazepam:evening": "1",
        "lorazepam:night": "2",
        "reason": "Smaller first cut",
    }
    review = prescriber_client.post(url, {**data, "action": "review"})
    content = review.content.decode()
    assert "What this change does" in content
    assert "Step 2: morning lorazepam 1 mg → 0.5 mg" in content
    assert plan.versions.count() == 1
    saved = prescriber_client.post(url, {**data, "action": "save"})
    assert saved.status_code == 302
    assert plan.versions.count() == 2


def test_a_dose_the_products_cannot_make_is_refused_beside_the_form(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    url = reverse("schedules:step_edit", args=[plan.pk])
    response = prescriber_client.post(
        url,
        {
            "step": "1",
            "lock_version": "1",
            "days": "14",
            "lorazepam:night": "0.3",
            "reason": "x",
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert "cannot be made" in response.context["form"].errors["lorazepam:night"][0]
    assert 'value="0.3"' in response.content.decode()
    assert plan.versions.count() == 1


def test_a_hold_and_the_comparison_of_versions(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    response = prescriber_client.post(
        reverse("schedules:hold_insert", args=[plan.pk]),
        {"after_step": "2", "days": "10", "lock_version": "1", "reason": "Exams", "action": "save"},
    )
    assert response.status_code == 302
    compare = prescriber_client.get(reverse("schedules:version_compare", args=[plan.pk]), {"a": 1, "b": 2})
    content = compare.content.decode()
    assert "Step 3 added (hold of 10 days" in content
    assert "moved 10 days later" in content


def test_pause_resume_complete_through_the_pages(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    today = timezone.localdate()
    plan = new_plan(prescriber, patient, activate=True, start=today - dt.timedelta(days=10))

    def post(action: str, lock: int, **extra: str) -> Any:
        url = reverse("schedules:status_change", args=[plan.pk, action])
        return prescriber_client.post(
            url, {"lock_version": str(lock), "reason": f"{action} reason", "action": "save", **extra}
        )

    assert post("pause", 1, on=today.isoformat()).status_code == 302
    assert post("resume", 2, on=(today + dt.timedelta(days=5)).isoformat()).status_code == 302
    assert post("complete", 3).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "completed" and plan.status_reason == "complete reason"


def test_a_mistyped_pause_year_is_refused_beside_the_field_and_kept(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    """Issue 14: a pause "From 0026-12-01" was accepted."""
    today = timezone.localdate()
    plan = new_plan(prescriber, patient, activate=True, start=today - dt.timedelta(days=10))
    url = reverse("schedules:status_change", args=[plan.pk, "pause"])
    for action in ("review", "save"):
        response = prescriber_client.post(
            url, {"lock_version": "1", "reason": "Holiday", "action": action, "on": "0026-12-01"}
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "A pause is dated from" in form.errors["on"][0]
        assert "not 1 Dec 0026" in form.errors["on"][0]
        assert 'value="0026-12-01"' in response.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.lock_version) == ("active", 1)


def test_plan_json_is_the_command_line_contract_plus_the_plan(
    prescriber: User, staff_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    body = json.loads(staff_client.get(reverse("schedules:plan_json", args=[plan.pk])).content)
    assert body["plan_id"] == plan.pk and body["version"] == 1 and body["status"] == "draft"
    assert body["patient"] == {"record_number": patient.record_number}
    assert plan.current_version is not None
    assert body["decision"] is None  # no options were compared (issue 17)
    plan_keys = ("plan_id", "version", "status", "patient", "decision")
    contract = {k: v for k, v in body.items() if k not in plan_keys}
    assert contract == plan.current_version.schedule
    assert contract == engine.schedule_to_dict(plan_today.schedule_of(plan.current_version))
    assert patient.family_name not in json.dumps(body)


def test_the_patient_page_shows_todays_dose_and_the_next_change(
    prescriber: User, staff_client: Client, patient: Patient
) -> None:
    new_plan(prescriber, patient, activate=True, start=timezone.localdate())
    content = staff_client.get(reverse("schedules:patient_detail", args=[patient.pk])).content.decode()
    assert "Taper plan" in content and "Open the plan" in content
    assert "1 × 1 mg tablet" in content
    assert "Next change" in content
    assert "New taper plan" not in content


def test_the_home_page_is_the_dashboard_for_prescribers(
    prescriber: User, prescriber_client: Client, staff_client: Client, patient: Patient
) -> None:
    new_plan(prescriber, patient, activate=True, start=timezone.localdate() - dt.timedelta(days=10))
    content = prescriber_client.get(reverse("schedules:home")).content.decode()
    assert "Dose changes in the next 7 days" in content
    assert "ELLIS, Margaret" in content
    assert staff_client.get(reverse("schedules:home")).status_code == 302


def test_versions_are_listed_with_who_and_why(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    actions.insert_hold(prescriber, plan=plan, lock_version=1, after_step=1, days=7, reason="Holiday")
    content = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "Hold inserted" in content and "Holiday" in content
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_the_builder_offers_one_liquid_strength_and_the_syringe_settings(
    prescriber_client: Client, patient: Patient
) -> None:
    data = builder_data(
        switch_to="diazepam", liquid="on", liquid_strength="diazepam:0.4", liquid_step_ml="0.2"
    )
    response = prescriber_client.post(builder_url(patient), data, HTTP_HX_REQUEST="true")
    schedule = response.context["schedule"]
    liquids = {
        unit["strength_mg"]
        for step in schedule["steps"]
        for dose in step["doses"]
        for unit in dose["units"]
        if "volume_ml" in unit
    }
    assert liquids <= {0.4}
    proposal = response.context["proposal"]
    assert proposal.request.liquid_step_ml == Decimal("0.2")


def test_a_liquid_of_another_drug_is_refused_beside_the_field(
    prescriber_client: Client, patient: Patient
) -> None:
    data = builder_data(switch_to="", liquid="on", liquid_strength="diazepam:0.4")
    response = prescriber_client.post(builder_url(patient), data)
    assert "liquid_strength" in response.context["form"].errors
    assert "Choose a liquid of lorazepam" in response.content.decode()


def test_replanning_from_a_step_through_the_page(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    url = reverse("schedules:replan", args=[plan.pk])
    page = prescriber_client.get(url, {"step": 3})
    assert page.status_code == 200 and "Re-plan from step" in page.content.decode()
    data = builder_data(preset="custom", percent="10", interval_days="28", step_number="3", lock_version="1")
    review = prescriber_client.post(url, {**data, "action": "review", "reason": "Slower from here"})
    assert "What this change does" in review.content.decode()
    saved = prescriber_client.post(url, {**data, "action": "save", "reason": "Slower from here"})
    assert saved.status_code == 302
    version = plan.versions.get(number=2)
    assert version.change == "replanned"
    assert version.schedule["steps"][2]["days"] == 28
    assert version.schedule["steps"][:2] == plan.versions.get(number=1).schedule["steps"][:2]


def test_acknowledging_dangers_through_the_page(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    assert plan.current_version is not None
    dangers = plan_dangers.dangers_of(plan.current_version.schedule)
    assert dangers
    url = reverse("schedules:status_change", args=[plan.pk, "acknowledge"])
    review = prescriber_client.post(url, {"lock_version": "1", "reason": "Reviewed", "action": "review"})
    assert "Reason to go ahead despite this danger" in review.content.decode()
    missing = prescriber_client.post(url, {"lock_version": "1", "reason": "Reviewed", "action": "save"})
    assert "Give your reason to go ahead" in missing.content.decode()
    reasons = {f"ack:{w['key']}": "Inpatient withdrawal" for w in dangers}
    saved = prescriber_client.post(
        url, {"lock_version": "1", "reason": "Reviewed", "action": "save", **reasons}
    )
    assert saved.status_code == 302
    activate = reverse("schedules:status_change", args=[plan.pk, "activate"])
    assert (
        prescriber_client.post(
            activate, {"lock_version": "2", "reason": "Start", "action": "save"}
        ).status_code
        == 302
    )
    plan.refresh_from_db()
    assert plan.status == "active"


def test_stopping_clonazepam_with_seizures_needs_an_acknowledged_reason(
    prescriber_client: Client, clinic: Any
) -> None:
    patient = make_patient(clinic, "SZ-1", date_of_birth=dt.date(1985, 1, 30), seizure_history=True)
    RegimenItem.objects.create(patient=patient, drug=Drug.objects.get(name="clonazepam"), night_mg=Decimal(1))
    response = prescriber_client.post(builder_url(patient), builder_data(action="save-active"))
    assert not Plan.objects.exists()
    dangers = response.context["ack_form"].dangers
    epilepsy = [w for w in dangers if w["code"] == "may_treat_epilepsy"]
    assert epilepsy and epilepsy[0]["step"] is None
    reasons = {f"ack:{w['key']}": "Neurologist agreed the taper" for w in dangers}
    assert any(name.startswith("ack:may_treat_epilepsy:") for name in reasons)
    assert (
        prescriber_client.post(
            builder_url(patient), builder_data(action="save-active", **reasons)
        ).status_code
        == 302
    )
    version = Plan.objects.get().current_version
    assert version is not None
    assert "may_treat_epilepsy" in {a["code"] for a in version.acknowledgements}


def test_the_preview_shows_every_tables_conversion_and_warns_when_they_differ(
    prescriber_client: Client, clinic: Any
) -> None:
    patient = make_patient(clinic, "AL-1", date_of_birth=dt.date(1980, 1, 1))
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="alprazolam"), morning_mg=Decimal(1), night_mg=Decimal(1)
    )
    response = prescriber_client.post(
        builder_url(patient), builder_data(switch_to="diazepam"), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "The regimen in every equivalence table" in content
    assert "(used)" in content
    # Ashton: alprazolam 0.5 mg = diazepam 10 mg; VA/DoD: 1 mg = diazepam 10 mg (reference CSVs).
    assert "The equivalence tables differ by" in content


def test_the_builder_offers_the_last_dose_and_how_cuts_are_spread(
    prescriber_client: Client, patient: Patient
) -> None:
    data = builder_data(last_dose_de_mg="0.25", spread_cuts="no")
    response = prescriber_client.post(builder_url(patient), data, HTTP_HX_REQUEST="true")
    request = response.context["proposal"].request
    assert request.last_dose_de_mg == Decimal("0.25")
    assert request.spread_cuts is False


def test_the_plan_page_shows_its_own_conversion_beside_every_other_table(
    prescriber_client: Client, plan: Plan
) -> None:
    from schedules.models import Equivalence

    # Ashton's lorazepam value changes after the plan was saved: the page keeps the plan's value
    # (1 mg = diazepam 10 mg) beside today's other tables (VA/DoD: 2 mg = 10 mg, twice as far).
    ashton = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    ashton.dose_mg = Decimal("0.75")
    ashton.save()
    content = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "The regimen in every equivalence table" in content
    assert "lorazepam 1 mg = diazepam 10 mg</td>" in content
    assert "lorazepam 2 mg = diazepam 10 mg</td>" in content
    assert "lorazepam 0.75 mg" not in content
    assert "The equivalence tables differ by" in content
