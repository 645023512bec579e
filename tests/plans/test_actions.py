"""The plan workflow: every write makes one new version with its reason, under the plan's lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from schedules import engine
from schedules.models import Patient, Plan, PlanVersion, PlanVersionImmutable
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers
from schedules.plans import today as plan_today

from .conftest import START, acknowledging, lorazepam_request, new_plan

pytestmark = pytest.mark.django_db
M, D, E, N = engine.Slot.MORNING, engine.Slot.MIDDAY, engine.Slot.EVENING, engine.Slot.NIGHT


def latest(plan: Plan) -> PlanVersion:
    plan.refresh_from_db()
    assert plan.current_version is not None
    return plan.current_version


def test_a_new_plan_is_a_draft_with_its_first_version(plan: Plan, prescriber: User) -> None:
    version = latest(plan)
    assert (plan.status, plan.lock_version, version.number) == ("draft", 1, 1)
    assert version.created_by == prescriber
    assert version.reason == "Patient agreed to taper"
    assert version.choices == {"preset": "jcpg-standard"}
    assert version.change == PlanVersion.Change.CREATED


def test_the_version_keeps_the_request_the_schedule_and_the_steps(plan: Plan, patient: Patient) -> None:
    version = latest(plan)
    request = lorazepam_request(patient)
    assert version.schedule == engine.schedule_to_dict(actions.plan_proposal(request).schedule)
    # The frozen equivalence values: no table is read to show or rebuild it.
    entries = {entry["drug"]: entry["dose_mg"] for entry in version.request["table"]["entries"]}
    assert Decimal(entries["lorazepam"]) == 1
    assert engine.schedule_to_dict(plan_today.schedule_of(version)) == version.schedule


def test_the_current_step_is_the_one_in_force_on_the_day(plan: Plan) -> None:
    version = latest(plan)
    first, second = version.schedule["steps"][:2]
    assert plan_today.current_step(version, START - dt.timedelta(days=1)) is None
    assert plan_today.current_step(version, START) == first
    assert plan_today.current_step(version, dt.date.fromisoformat(second["start_date"])) == second
    assert plan_today.current_step(version, version.end_date) is None
    assert plan_today.next_change(version.schedule["steps"], START) == second


def test_editing_a_step_makes_a_new_version_and_keeps_the_old(plan: Plan, prescriber: User) -> None:
    before = latest(plan)
    version = actions.edit_step(
        prescriber,
        plan=plan,
        lock_version=1,
        step_number=2,
        doses={"lorazepam": {M: Decimal("0.5"), E: Decimal(1), N: Decimal(2)}},
        days=21,
        reason="Patient asked for a smaller first cut",
    )
    assert version.number == 2
    step = version.schedule["steps"][1]
    assert step["days"] == 21
    assert {(d["slot"], d["mg"]) for d in step["doses"]} == {
        ("morning", 0.5),
        ("evening", 1.0),
        ("night", 2.0),
    }
    assert PlanVersion.objects.get(pk=before.pk).schedule == before.schedule


def test_a_stale_lock_version_is_refused_naming_the_other_change(plan: Plan, prescriber: User) -> None:
    actions.insert_hold(prescriber, plan=plan, lock_version=1, after_step=1, days=7, reason="Exams")
    with pytest.raises(actions.PlanConflict) as caught:
        actions.remove_step(prescriber, plan=plan, lock_version=1, step_number=2, reason="Too many steps")
    assert "version 2" in str(caught.value)
    assert "Hold inserted (Exams)" in str(caught.value)
    assert plan.versions.count() == 2


def test_a_hold_keeps_the_dose_and_moves_later_steps(plan: Plan, prescriber: User) -> None:
    before = latest(plan).schedule
    after = actions.insert_hold(
        prescriber, plan=plan, lock_version=1, after_step=2, days=10, reason="Flu"
    ).schedule
    assert after["steps"][2]["hold"] is True
    assert after["steps"][2]["doses"] == after["steps"][1]["doses"]
    assert after["steps"][3]["doses"] == before["steps"][2]["doses"]
    moved = dt.date.fromisoformat(after["steps"][3]["start_date"]) - dt.date.fromisoformat(
        before["steps"][2]["start_date"]
    )
    assert moved.days == 10


def test_removing_a_step_closes_the_gap(plan: Plan, prescriber: User) -> None:
    before = latest(plan).schedule
    after = actions.remove_step(prescriber, plan=plan, lock_version=1, step_number=2, reason="Merge").schedule
    assert len(after["steps"]) == len(before["steps"]) - 1
    assert after["steps"][1]["doses"] == before["steps"][2]["doses"]
    assert after["steps"][1]["start_date"] == before["steps"][1]["start_date"]


def test_replanning_keeps_the_steps_before(plan: Plan, prescriber: User, patient: Patient) -> None:
    before = latest(plan).schedule
    request = lorazepam_request(patient, start=dt.date(2030, 1, 1), interval_days=28)
    after = actions.replan_from(
        prescriber,
        plan=plan,
        lock_version=1,
        step_number=3,
        request=request,
        choices={"interval_days": "28"},
        reason="Slower",
    )
    assert after.schedule["steps"][:2] == before["steps"][:2]
    assert after.schedule["start_date"] == before["start_date"]
    assert after.schedule["steps"][2]["days"] == 28
    assert after.schedule["end_date"] > before["end_date"]
    assert after.choices == {"interval_days": "28"}


def test_pause_and_resume_shift_the_rest_of_the_plan(active_plan: Plan, prescriber: User) -> None:
    before = latest(active_plan).schedule
    third = dt.date.fromisoformat(before["steps"][2]["start_date"])
    actions.pause(
        prescriber,
        plan=active_plan,
        lock_version=1,
        on=third + dt.timedelta(days=3),
        reason="Surgery",
        today=third,
    )
    active_plan.refresh_from_db()
    assert (active_plan.status, active_plan.paused_on) == ("paused", third + dt.timedelta(days=3))
    after = actions.resume(
        prescriber,
        plan=active_plan,
        lock_version=2,
        on=third + dt.timedelta(days=13),
        reason="Recovered",
        today=third + dt.timedelta(days=13),
    ).schedule
    active_plan.refresh_from_db()
    assert (active_plan.status, active_plan.paused_on) == ("active", None)
    assert after["steps"][2]["days"] == before["steps"][2]["days"] + 10
    assert after["steps"][2]["start_date"] == before["steps"][2]["start_date"]
    moved = dt.date.fromisoformat(after["steps"][3]["start_date"]) - dt.date.fromisoformat(
        before["steps"][3]["start_date"]
    )
    assert moved.days == 10
    assert [v.change for v in active_plan.versions.all()] == ["created", "paused", "resumed"]


def test_a_paused_plan_stays_paused_from_the_same_day_through_an_adjustment(
    active_plan: Plan, prescriber: User
) -> None:
    on = START + dt.timedelta(days=3)
    actions.pause(prescriber, plan=active_plan, lock_version=1, on=on, reason="Surgery", today=on)
    schedule = actions.hold_proposal(latest(active_plan), after_step=1, days=7).schedule_dict
    version = actions.insert_hold(
        prescriber,
        plan=active_plan,
        lock_version=2,
        after_step=1,
        days=7,
        reason="Holiday",
        acknowledgements=acknowledging(schedule),
    )
    active_plan.refresh_from_db()
    assert (active_plan.status, active_plan.paused_on, version.status) == ("paused", on, "paused")


def test_a_pause_is_dated_from_the_plans_first_day_to_four_weeks_ahead(
    active_plan: Plan, prescriber: User
) -> None:
    """Issue 14: "From 0026-12-01" was accepted, and resuming moved every step 730,487 days."""
    today = START + dt.timedelta(days=20)
    for mistyped in (dt.date(26, 12, 1), START - dt.timedelta(days=1), today + dt.timedelta(days=29)):
        with pytest.raises(actions.PlanError, match="A pause is dated from 4 Jan 2027"):
            actions.pause(prescriber, plan=active_plan, lock_version=1, on=mistyped, reason="x", today=today)
    assert latest(active_plan).number == 1
    actions.pause(prescriber, plan=active_plan, lock_version=1, on=today, reason="Surgery", today=today)


def test_a_resume_is_dated_from_the_pause_to_four_weeks_ahead(active_plan: Plan, prescriber: User) -> None:
    today = START + dt.timedelta(days=20)
    actions.pause(prescriber, plan=active_plan, lock_version=1, on=today, reason="Surgery", today=today)
    for mistyped in (dt.date(26, 12, 1), today - dt.timedelta(days=1), dt.date(4026, 12, 1)):
        with pytest.raises(actions.PlanError, match="A resume is dated from"):
            actions.resume(prescriber, plan=active_plan, lock_version=2, on=mistyped, reason="x", today=today)
    active_plan.refresh_from_db()
    assert active_plan.status == "paused"


def test_a_resume_moves_the_plan_by_no_more_than_the_pause_lasted(active_plan: Plan) -> None:
    """A pause recorded before the first day (allowed before issue 14) counts from that day."""
    version = latest(active_plan)
    resumed = actions.resume_proposal(version, paused_on=START - dt.timedelta(days=30), on=START)
    assert resumed.schedule_dict["start_date"] == START.isoformat()
    later = actions.resume_proposal(
        version, paused_on=START - dt.timedelta(days=30), on=START + dt.timedelta(days=5)
    )
    assert later.schedule_dict["start_date"] == (START + dt.timedelta(days=5)).isoformat()
    moved = dt.date.fromisoformat(later.schedule_dict["end_date"]) - version.end_date
    assert moved.days == 5


def test_one_active_plan_per_patient(active_plan: Plan, prescriber: User, patient: Patient) -> None:
    draft = new_plan(prescriber, patient)
    with pytest.raises(actions.PlanError, match="already has an active plan"):
        actions.activate(prescriber, plan=draft, lock_version=1, reason="Start")
    actions.complete(prescriber, plan=active_plan, lock_version=1, reason="Finished the taper")
    acknowledged = {w["key"]: "Reviewed" for w in plan_dangers.dangers_of(latest(draft).schedule)}
    actions.activate(prescriber, plan=draft, lock_version=1, reason="Start", acknowledgements=acknowledged)
    draft.refresh_from_db()
    assert draft.status == "active"


def test_the_database_refuses_two_current_plans(
    active_plan: Plan, prescriber: User, patient: Patient
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(patient=patient, created_by=prescriber, status="paused", paused_on=START)


def test_ending_a_plan_needs_a_reason(active_plan: Plan, prescriber: User) -> None:
    with pytest.raises(actions.PlanError, match="reason"):
        actions.stop(prescriber, plan=active_plan, lock_version=1, reason="  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=active_plan.pk).update(status="stopped", status_reason="")


def test_an_ended_plan_is_not_edited(active_plan: Plan, prescriber: User) -> None:
    actions.stop(prescriber, plan=active_plan, lock_version=1, reason="Patient moved away")
    active_plan.refresh_from_db()
    assert active_plan.status_reason == "Patient moved away"
    with pytest.raises(actions.PlanError, match="stopped"):
        actions.insert_hold(prescriber, plan=active_plan, lock_version=2, after_step=1, days=7, reason="x")


def big_cut(plan: Plan, prescriber: User, lock_version: int, **options: object) -> PlanVersion:
    return actions.edit_step(
        prescriber,
        plan=plan,
        lock_version=lock_version,
        step_number=1,
        doses={"lorazepam": {N: Decimal(1)}},
        days=14,
        reason="Patient wants to go faster",
        **options,  # type: ignore[arg-type]
    )


def test_a_danger_must_be_acknowledged_before_activating(plan: Plan, prescriber: User) -> None:
    version = big_cut(plan, prescriber, 1)
    dangers = plan_dangers.unacknowledged_dangers(version.schedule, version.acknowledgements)
    assert ("rate_over_25_percent_14_days", 1) in {(d["code"], d["step"]) for d in dangers}
    with pytest.raises(actions.PlanError, match="Acknowledge each danger"):
        actions.activate(prescriber, plan=plan, lock_version=2, reason="Start")
    first, *others = (d["key"] for d in dangers)
    partly = actions.acknowledge_dangers(
        prescriber, plan=plan, lock_version=2, acknowledgements={first: "Admitted for supervised withdrawal"}
    )
    entry = partly.acknowledgements[0]
    assert (entry["reason"], entry["code"], entry["by_id"]) == (
        "Admitted for supervised withdrawal",
        "rate_over_25_percent_14_days",
        prescriber.pk,
    )
    with pytest.raises(actions.PlanError, match="Acknowledge each danger"):
        actions.activate(prescriber, plan=plan, lock_version=3, reason="Start")
    actions.activate(
        prescriber,
        plan=plan,
        lock_version=3,
        reason="Start",
        acknowledgements=dict.fromkeys(others, "Reviewed"),
    )
    final = latest(plan)
    assert final.acknowledgements[0] == entry
    assert len(final.acknowledgements) == len(dangers)
    assert not plan_dangers.unacknowledged_dangers(final.schedule, final.acknowledgements)


def test_an_active_plan_takes_no_new_danger_unacknowledged(active_plan: Plan, prescriber: User) -> None:
    with pytest.raises(actions.PlanError, match="Acknowledge"):
        big_cut(active_plan, prescriber, 1)
    assert active_plan.versions.count() == 1
    proposal = actions.edit_step_proposal(
        latest(active_plan), step_number=1, doses={"lorazepam": {N: Decimal(1)}}, days=14
    )
    version = big_cut(
        active_plan, prescriber, 1, acknowledgements=acknowledging(proposal.schedule_dict, "Inpatient")
    )
    assert "Inpatient" in {entry["reason"] for entry in version.acknowledgements}


def test_a_dose_the_products_cannot_make_is_refused(plan: Plan, prescriber: User) -> None:
    with pytest.raises(engine.EngineError, match="step 1"):
        actions.edit_step(
            prescriber,
            plan=plan,
            lock_version=1,
            step_number=1,
            doses={"lorazepam": {N: Decimal("0.3")}},
            days=14,
            reason="x",
        )


def test_clinic_staff_cannot_change_a_plan(plan: Plan, staff: User, patient: Patient) -> None:
    with pytest.raises(PermissionDenied):
        actions.insert_hold(staff, plan=plan, lock_version=1, after_step=1, days=7, reason="x")
    with pytest.raises(PermissionDenied):
        new_plan(staff, patient)


def test_versions_are_never_changed_or_deleted(plan: Plan) -> None:
    version = latest(plan)
    version.reason = "rewritten"
    with pytest.raises(PlanVersionImmutable):
        version.save()
    with pytest.raises(PlanVersionImmutable):
        version.delete()
    with pytest.raises(PlanVersionImmutable):
        PlanVersion.objects.filter(pk=version.pk).update(reason="rewritten")
    with pytest.raises(PlanVersionImmutable):
        PlanVersion.objects.filter(pk=version.pk).delete()


def test_plans_are_visible_only_through_the_patients_clinic(plan: Plan, staff: User) -> None:
    outsider = User.objects.create_user("outsider")
    assert list(Plan.objects.visible_to(staff)) == [plan]
    assert not Plan.objects.visible_to(outsider).exists()


def test_the_lock_version_is_the_latest_version_number(plan: Plan, prescriber: User) -> None:
    actions.insert_hold(prescriber, plan=plan, lock_version=1, after_step=1, days=7, reason="a")
    actions.remove_step(prescriber, plan=plan, lock_version=2, step_number=2, reason="b")
    plan.refresh_from_db()
    assert plan.lock_version == plan.versions.order_by("-number")[0].number == 3
