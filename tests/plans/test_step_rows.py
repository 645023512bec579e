"""Each saved version's steps as rows, and the plan's list columns, written with the version; the
data migration that fills them for older versions says the same."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from followup.due import add_months
from schedules.models import Patient, Plan, PlanStep, PlanVersion
from schedules.plans import actions
from schedules.plans.steps import changes_dose, dose_changes, next_dose_change

from .conftest import START, acknowledging, new_plan

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("schedules.migrations.0007_plan_steps_and_list_columns")


def rows_of(version: PlanVersion) -> list[Any]:
    return list(
        PlanStep.objects.filter(version=version)
        .order_by("number")
        .values("number", "start_date", "end_date", "hold", "changes_dose", "diazepam_mg", "doses")
    )


def held(user: User, plan: Plan, *, after_step: int = 1, days: int = 7) -> Plan:
    assert plan.current_version is not None
    proposal = actions.hold_proposal(plan.current_version, after_step=after_step, days=days).schedule_dict
    actions.insert_hold(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        after_step=after_step,
        days=days,
        reason="Sleep poor",
        acknowledgements=acknowledging(proposal),
    )
    plan.refresh_from_db()
    return plan


def test_each_saved_step_is_a_row_matching_the_saved_schedule(prescriber: User, patient: Patient) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    version = plan.current_version
    assert version is not None
    steps = version.schedule["steps"]
    rows = rows_of(version)
    assert len(rows) == len(steps) > 3
    for row, step in zip(rows, steps, strict=True):
        assert row["number"] == step["number"]
        assert row["start_date"].isoformat() == step["start_date"]
        assert row["end_date"].isoformat() == step["end_date"]
        assert row["hold"] == step["hold"]
        assert row["diazepam_mg"] == Decimal(str(step["diazepam_equivalent_mg"]))
        assert row["doses"] == step["doses"]
    assert rows[0]["changes_dose"] and all(row["changes_dose"] for row in rows if not row["hold"])


def test_a_hold_is_a_row_but_not_a_dose_change(prescriber: User, patient: Patient) -> None:
    plan = held(prescriber, new_plan(prescriber, patient, activate=True), after_step=1, days=7)
    assert plan.current_version is not None and plan.current_version.number == 2
    rows = rows_of(plan.current_version)
    hold = next(row for row in rows if row["hold"])
    assert hold["number"] == 2 and not hold["changes_dose"]
    # The earlier version keeps its own rows: rows are written once per version, never changed.
    first = PlanVersion.objects.get(plan=plan, number=1)
    assert not any(row["hold"] for row in rows_of(first))
    assert len(rows) == len(rows_of(first)) + 1


def test_the_plan_keeps_its_list_columns_with_each_version(prescriber: User, patient: Patient) -> None:
    today = timezone.localdate()
    draft = new_plan(prescriber, patient, start=today)
    assert draft.current_version is not None
    assert draft.ends_on == draft.current_version.end_date
    assert draft.next_change_on is None and draft.next_checkin_on is None and draft.next_review_on is None
    actions.activate(
        prescriber,
        plan=draft,
        lock_version=1,
        reason="Agreed",
        acknowledgements=acknowledging(draft.current_version.schedule),
    )
    plan = Plan.objects.get(pk=draft.pk)
    version = plan.current_version
    assert version is not None
    starts = [dt.date.fromisoformat(step["start_date"]) for step in version.schedule["steps"]]
    # Step 1 starts today: the next dose change is step 2, as is the next check-in (at each
    # reduction); the first review falls three months after the start.
    assert plan.next_change_on == plan.next_checkin_on == starts[1]
    assert plan.next_review_on == add_months(today, 3)
    actions.pause(prescriber, plan=plan, lock_version=2, on=today, reason="Unwell")
    paused = Plan.objects.get(pk=plan.pk)
    assert paused.next_change_on is None and paused.next_checkin_on is None
    assert paused.next_review_on == plan.next_review_on
    actions.stop(prescriber, plan=paused, lock_version=3, reason="Stopped at the patient's wish")
    stopped = Plan.objects.get(pk=plan.pk)
    assert (stopped.next_change_on, stopped.next_checkin_on, stopped.next_review_on) == (None, None, None)


def test_a_passed_next_change_moves_on_past_holds(prescriber: User, patient: Patient) -> None:
    plan = held(prescriber, new_plan(prescriber, patient, activate=True), after_step=1, days=7)
    assert plan.current_version is not None
    rows = rows_of(plan.current_version)
    day = rows[0]["start_date"]  # step 1's first day: the hold (step 2) is no change; step 3 is
    assert Plan.objects.filter(pk=plan.pk).bring_next_change_up_to(day) == 1
    plan.refresh_from_db()
    assert plan.next_change_on == rows[2]["start_date"]
    assert Plan.objects.filter(pk=plan.pk).bring_next_change_up_to(day) == 0  # nothing passed
    last = rows[-1]["start_date"]
    Plan.objects.filter(pk=plan.pk).bring_next_change_up_to(rows[-2]["start_date"])
    Plan.objects.filter(pk=plan.pk).bring_next_change_up_to(last)
    plan.refresh_from_db()
    assert plan.next_change_on is None  # no change left after the last step


def test_the_data_migration_fills_rows_and_columns_as_the_workflow_writes_them(
    prescriber: User, patient: Patient
) -> None:
    plan = held(prescriber, new_plan(prescriber, patient, activate=True))
    written = {version.pk: rows_of(version) for version in plan.versions.all()}
    columns = ("ends_on", "next_change_on", "next_checkin_on", "next_review_on", "hold_suggested")
    before = Plan.objects.values(*columns).get(pk=plan.pk)
    PlanStep.objects.all().delete()
    Plan.objects.filter(pk=plan.pk).update(
        ends_on=None, next_change_on=None, next_checkin_on=None, next_review_on=None
    )
    MIGRATION.fill_steps_and_columns(apps, None)
    assert {version.pk: rows_of(version) for version in plan.versions.all()} == written
    assert Plan.objects.values(*columns).get(pk=plan.pk) == before


doses = st.lists(
    st.fixed_dictionaries(
        {"drug": st.sampled_from(["lorazepam", "diazepam"]), "slot": st.sampled_from(["morning", "night"])}
    ),
    max_size=2,
    unique_by=lambda d: (d["drug"], d["slot"]),  # a schedule gives one dose per drug and time of day
)
steps = st.lists(st.tuples(st.booleans(), doses, st.integers(1, 3)), min_size=1, max_size=8).map(
    lambda items: [
        {
            "number": n + 1,
            "start_date": (START + dt.timedelta(days=n * 7)).isoformat(),
            "hold": hold,
            "doses": [{**d, "mg": float(mg)} for d in ds],
        }
        for n, (hold, ds, mg) in enumerate(items)
    ]
)


@given(steps=steps)
def test_a_dose_change_is_a_step_with_new_doses_and_never_a_hold(steps: list[dict[str, Any]]) -> None:
    """A step whose doses equal the step before it (a hold) is no change; a held step with other
    doses is a step back to an earlier dose, which is one (issue 14); step 1 changes the starting
    regimen unless it holds it."""
    changes = dose_changes(steps)
    for index, step in enumerate(steps):
        previous = steps[index - 1] if index else None
        same = previous is not None and sorted(str(sorted(d.items())) for d in step["doses"]) == sorted(
            str(sorted(d.items())) for d in previous["doses"]
        )
        expected = not step["hold"] if previous is None else not same
        assert changes_dose(step, previous) == expected
        assert (step in changes) == expected
    schedule = {"steps": steps}
    first = next_dose_change(schedule, after=START - dt.timedelta(days=1))
    assert first == (dt.date.fromisoformat(changes[0]["start_date"]) if changes else None)
