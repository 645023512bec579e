"""Danger acknowledgements that survive an edit (issue 14): keyed by what the danger is (the rule,
its words, the doses before and after its step), not by its step number, so inserting a hold or
editing another step keeps it acknowledged, and a change to it asks again. Acknowledgements saved
before keys existed keep working."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from schedules import engine
from schedules.models import Patient, Plan, PlanVersion
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers

from .conftest import acknowledging, new_plan

pytestmark = pytest.mark.django_db
N = engine.Slot.NIGHT
M = engine.Slot.MORNING


def latest(plan: Plan) -> PlanVersion:
    plan.refresh_from_db()
    assert plan.current_version is not None
    return plan.current_version


def with_a_danger_at_step_2(user: User, patient: Patient) -> Plan:
    """An active plan whose step 2 cuts lorazepam 1 + 1 mg to 1 mg at night (a danger), acknowledged."""
    plan = new_plan(user, patient, activate=True)
    doses = {"lorazepam": {N: Decimal(1)}}
    proposal = actions.edit_step_proposal(latest(plan), step_number=2, doses=doses, days=14)
    actions.edit_step(
        user,
        plan=plan,
        lock_version=1,
        step_number=2,
        doses=doses,
        days=14,
        reason="Patient asked to go faster",
        acknowledgements=acknowledging(proposal.schedule_dict, "Admitted for supervised withdrawal"),
    )
    return plan


def the_cut(version: PlanVersion) -> dict[str, Any]:
    """The first 25%-rule danger of the version (the plan's own later steps may have more)."""
    cuts = [
        d for d in plan_dangers.dangers_of(version.schedule) if d["code"] == "rate_over_25_percent_14_days"
    ]
    return min(cuts, key=lambda d: d["step"])


def test_an_acknowledged_danger_stays_acknowledged_when_a_hold_moves_it(
    prescriber: User, patient: Patient
) -> None:
    plan = with_a_danger_at_step_2(prescriber, patient)
    before = the_cut(latest(plan))
    assert before["step"] == 2
    held = actions.insert_hold(
        prescriber, plan=plan, lock_version=2, after_step=1, days=14, reason="Exams"
    )  # no acknowledgement given: none is asked again
    after = the_cut(held)
    assert (after["step"], after["key"]) == (3, before["key"])
    assert not plan_dangers.unacknowledged_dangers(held.schedule, held.acknowledgements)
    (carried,) = [a for a in held.acknowledgements if a["key"] == before["key"]]
    assert (carried["step"], carried["reason"]) == (3, "Admitted for supervised withdrawal")


def test_editing_another_step_keeps_it_and_changing_the_danger_asks_again(
    prescriber: User, patient: Patient
) -> None:
    plan = with_a_danger_at_step_2(prescriber, patient)
    longer = actions.edit_step_proposal(
        latest(plan), step_number=3, doses=_doses_of(latest(plan), 3), days=21
    )
    assert not plan_dangers.unacknowledged_dangers(
        longer.schedule_dict, latest(plan).acknowledgements, saved_with=latest(plan).schedule
    )
    sharper = actions.edit_step_proposal(
        latest(plan), step_number=2, doses={"lorazepam": {N: Decimal("0.5")}}, days=14
    )
    asked = plan_dangers.unacknowledged_dangers(
        sharper.schedule_dict, latest(plan).acknowledgements, saved_with=latest(plan).schedule
    )
    assert [d["step"] for d in asked if d["code"] == "rate_over_25_percent_14_days"] == [2]
    with pytest.raises(actions.PlanError, match="Acknowledge each danger"):
        actions.edit_step(
            prescriber,
            plan=plan,
            lock_version=2,
            step_number=2,
            doses={"lorazepam": {N: Decimal("0.5")}},
            days=14,
            reason="Faster still",
        )


def _doses_of(version: PlanVersion, number: int) -> dict[str, dict[engine.Slot, Decimal]]:
    step = version.schedule["steps"][number - 1]
    doses: dict[str, dict[engine.Slot, Decimal]] = {}
    for dose in step["doses"]:
        doses.setdefault(dose["drug"], {})[engine.Slot(dose["slot"])] = Decimal(str(dose["mg"]))
    return doses


def test_acknowledgements_saved_before_keys_keep_working(prescriber: User, patient: Patient) -> None:
    """A version saved before issue 14 holds code, step, message and reason, no key: read against
    its own schedule it still covers its danger, and an edit carries it forward with a key."""
    plan = with_a_danger_at_step_2(prescriber, patient)
    saved = latest(plan)
    legacy = [{k: v for k, v in ack.items() if k != "key"} for ack in saved.acknowledgements]
    old = PlanVersion.objects.create(
        plan=plan,
        number=3,
        change=PlanVersion.Change.ACKNOWLEDGED,
        status=saved.status,
        reason="Saved by an earlier release",
        created_by=prescriber,
        choices=saved.choices,
        request=saved.request,
        schedule=saved.schedule,
        steps=saved.steps,
        acknowledgements=legacy,
    )
    Plan.objects.filter(pk=plan.pk).update(lock_version=3, current_version=old)
    assert not plan_dangers.unacknowledged_dangers(old.schedule, old.acknowledgements)
    held = actions.insert_hold(prescriber, plan=plan, lock_version=3, after_step=1, days=7, reason="Exams")
    key = the_cut(held)["key"]
    assert [a["reason"] for a in held.acknowledgements if a.get("key") == key] == [
        "Admitted for supervised withdrawal"
    ]


def test_a_hold_before_step_1_keeps_a_first_step_danger(prescriber: User, patient: Patient) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    doses = {"lorazepam": {N: Decimal(1)}}
    proposal = actions.edit_step_proposal(latest(plan), step_number=1, doses=doses, days=14)
    first = actions.edit_step(
        prescriber,
        plan=plan,
        lock_version=1,
        step_number=1,
        doses=doses,
        days=14,
        reason="Faster",
        acknowledgements=acknowledging(proposal.schedule_dict),
    )
    held = actions.insert_hold(prescriber, plan=plan, lock_version=2, after_step=0, days=7, reason="Wait")
    assert the_cut(held)["key"] == the_cut(first)["key"] and the_cut(held)["step"] == 2
