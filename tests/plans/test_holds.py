"""Holds are not dose changes (issue 14): wherever a person reads what changes next (the plan and
patient pages, the dashboard, the dose journal, the calendar, the check-in due at each reduction), a
hold is called a hold and "next change" is the next step whose doses differ."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.overview import follow_ups
from schedules import engine
from schedules.models import Patient, Plan
from schedules.plans import actions as actions
from schedules.plans import today as plan_today
from schedules.plans.printing.patient import journal, patient_steps
from schedules.plans.review import dashboard, today_of
from schedules.plans.steps import changes_dose

from ..printing.plans import switch_schedule
from .conftest import START, acknowledging, new_plan

pytestmark = pytest.mark.django_db
HELD_DAYS = 14


def held_after_step_1(user: User, patient: Patient, *, start: dt.date = START) -> Plan:
    """An active plan (steps of 14 days) with a 14-day hold after step 1: step 2 is the hold."""
    plan = new_plan(user, patient, activate=True, start=start)
    assert plan.current_version is not None
    proposal = actions.hold_proposal(plan.current_version, after_step=1, days=HELD_DAYS)
    actions.insert_hold(
        user,
        plan=plan,
        lock_version=1,
        after_step=1,
        days=HELD_DAYS,
        reason="Exams",
        acknowledgements=acknowledging(proposal.schedule_dict),
    )
    plan.refresh_from_db()
    return plan


def steps_of(plan: Plan) -> list[dict[str, object]]:
    assert plan.current_version is not None
    return list(plan.current_version.schedule["steps"])


def test_the_next_change_skips_a_hold(prescriber: User, patient: Patient) -> None:
    plan = held_after_step_1(prescriber, patient)
    first, hold, third = steps_of(plan)[:3]
    assert hold["hold"] and hold["doses"] == first["doses"]
    assert changes_dose(first, None) and not changes_dose(hold, first)
    assert changes_dose(third, hold)
    assert plan_today.next_change(steps_of(plan), START) == third
    state = today_of(plan, plan.current_version, START)  # type: ignore[arg-type]
    assert (state.next, state.hold) == (third, hold)
    days = plan_today.change_days(steps_of(plan))
    assert dt.date.fromisoformat(str(third["start_date"])) in days
    assert dt.date.fromisoformat(str(hold["start_date"])) not in days


def test_a_step_back_is_a_change_though_it_is_marked_held() -> None:
    held, back = (
        {"hold": True, "doses": [{"drug": "d", "slot": "night", "mg": 2.0}]},
        {
            "hold": True,
            "doses": [{"drug": "d", "slot": "night", "mg": 2.5}],
        },
    )
    assert changes_dose(back, held)
    assert not changes_dose(held, None)  # a hold of the starting regimen


def test_the_dashboard_lists_no_hold_under_dose_changes(prescriber: User, patient: Patient) -> None:
    plan = held_after_step_1(prescriber, patient)
    hold_starts = dt.date.fromisoformat(str(steps_of(plan)[1]["start_date"]))
    board = dashboard(prescriber, today=hold_starts - dt.timedelta(days=3), query={})
    assert board.changing is not None and board.changing.rows == []  # the hold starts in 3 days
    later = dashboard(prescriber, today=hold_starts + dt.timedelta(days=HELD_DAYS - 3), query={})
    assert later.changing is not None
    assert [row.plan.next_change for row in later.changing.rows] == [
        hold_starts + dt.timedelta(days=HELD_DAYS)
    ]


def test_the_plan_page_calls_the_next_hold_a_hold_and_names_the_next_change(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    today = timezone.localdate()
    plan = held_after_step_1(prescriber, patient, start=today - dt.timedelta(days=10))
    hold, third = steps_of(plan)[1:3]
    content = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert f"step {hold['number']} is a hold: keep taking the same dose for 14 days" in content
    assert f"Next change of dose: <strong>{dt.date.fromisoformat(str(third['start_date'])):%A}" in content
    assert f"step {third['number']}: " in content


def test_the_check_in_at_each_reduction_is_not_due_on_a_hold(prescriber: User, patient: Patient) -> None:
    plan = held_after_step_1(prescriber, patient)
    hold, third = steps_of(plan)[1:3]
    (state,) = follow_ups(
        [Plan.objects.select_related("current_version", "patient").get(pk=plan.pk)], today=START
    )
    assert state.next_checkin == dt.date.fromisoformat(str(third["start_date"]))
    assert state.next_checkin != dt.date.fromisoformat(str(hold["start_date"]))


def test_the_dose_journal_and_the_patients_steps_call_a_hold_a_hold() -> None:
    schedule = engine.schedule_to_dict(switch_schedule())
    hold = next(step for step in schedule["steps"] if step["hold"])
    start = dt.date.fromisoformat(schedule["start_date"])
    rows = {row.date.isoformat(): row for row in journal(schedule, start=start, days=200)}
    first_day = rows[hold["start_date"]]
    assert (first_day.new_dose, first_day.hold_starts) == (False, True)
    after = next(s for s in schedule["steps"] if s["number"] == hold["number"] + 1)
    assert rows[after["start_date"]].new_dose
    words = {step.number: step.change_words for step in patient_steps(schedule)}
    assert words[hold["number"]] == "A hold: keep taking the same dose."


def test_the_calendar_calls_a_hold_a_hold(
    prescriber: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = held_after_step_1(prescriber, patient)
    body = prescriber_client.get(reverse("schedules:plan_ics", args=[plan.pk])).content
    events = {str(event["uid"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    hold = events[f"plan-{plan.pk}-step-2@taper-planner"]
    assert str(hold["summary"]) == "Taper step 2: hold, keep taking the same dose"
    assert "new dose" not in str(hold["summary"]).lower()
    assert "What changes: nothing: keep taking the same dose (a hold)." in str(hold["description"])
    assert "new dose from today" in str(events[f"plan-{plan.pk}-step-3@taper-planner"]["summary"])
