"""Clinician edits: validating an edited schedule, holds, re-planning from a step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from engine_builders import START, M, N, plan, regimen, tablets

from schedules.engine import (
    EngineError,
    LinearMethod,
    PercentMethod,
    Schedule,
    StepInput,
    Switch,
    insert_hold,
    replan_from,
    validate_schedule,
)

FORMULATIONS = [*tablets("lorazepam", "0.5", "1"), *tablets("diazepam", "2", "5", "10")]


def switched() -> Schedule:
    return plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=FORMULATIONS,
        switch=Switch(),
    )


def test_an_unedited_schedule_validates_to_the_same_schedule() -> None:
    schedule = switched()
    again = validate_schedule(request=schedule.request, steps=schedule.step_inputs())
    assert again == schedule


def test_an_edited_dose_gets_fresh_units_and_checks() -> None:
    schedule = switched()
    steps = schedule.step_inputs()
    steps[3] = dataclasses.replace(steps[3], doses={"diazepam": {M: Decimal(10), N: Decimal(12)}})
    edited = validate_schedule(request=schedule.request, steps=steps)
    assert edited.steps[3].daily_mg == {"diazepam": 22}
    assert [w.step for w in edited.warnings if w.code == "dose_increase"] == [4]
    assert "1 x 10 mg tablet" in str(edited.steps[3].doses[1].units[0].describe())


def test_an_edited_dose_that_cannot_be_made_is_refused() -> None:
    schedule = switched()
    steps = schedule.step_inputs()
    steps[4] = dataclasses.replace(steps[4], doses={"diazepam": {N: Decimal("0.3")}})
    with pytest.raises(EngineError, match=r"^step 5, night: diazepam 0.3 mg cannot be made"):
        validate_schedule(request=schedule.request, steps=steps)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (StepInput(days=0, doses={"diazepam": {N: Decimal(10)}}), "at least 1 day"),
        (StepInput(days=7, doses={}), "has no dose"),
        (StepInput(days=7, doses={"lorazepam": {N: Decimal(-1)}}), "negative"),
    ],
)
def test_impossible_edited_steps_are_refused(step: StepInput, message: str) -> None:
    schedule = switched()
    with pytest.raises(EngineError, match=message):
        validate_schedule(request=schedule.request, steps=[*schedule.step_inputs(), step])


def test_edited_steps_are_renumbered_and_dated_back_to_back() -> None:
    schedule = switched()
    steps = schedule.step_inputs()
    del steps[1]
    edited = validate_schedule(request=schedule.request, steps=steps)
    assert [s.number for s in edited.steps] == list(range(1, len(steps) + 1))
    assert edited.steps[1].start_date == edited.steps[0].end_date + dt.timedelta(days=1)


def test_insert_hold_keeps_the_dose_and_moves_later_steps() -> None:
    schedule = switched()
    held = insert_hold(schedule=schedule, after_step=3, days=14)
    assert len(held.steps) == len(schedule.steps) + 1
    hold = held.steps[3]
    assert (hold.hold, hold.phase, hold.days) == (True, "hold", 14)
    assert hold.dose_map() == schedule.steps[2].dose_map()
    assert hold.change == 0
    assert held.steps[4].dose_map() == schedule.steps[3].dose_map()
    assert held.steps[4].start_date == schedule.steps[3].start_date + dt.timedelta(days=14)
    assert held.total_days == schedule.total_days + 14


def test_a_hold_before_step_1_keeps_the_current_regimen() -> None:
    schedule = switched()
    held = insert_hold(schedule=schedule, after_step=0, days=7)
    assert held.steps[0].dose_map() == {"lorazepam": {M: 1, N: 1}}
    assert held.steps[0].start_date == START


def test_insert_hold_refuses_a_step_that_does_not_exist() -> None:
    schedule = switched()
    with pytest.raises(EngineError, match="no step 99"):
        insert_hold(schedule=schedule, after_step=99, days=7)
    with pytest.raises(EngineError, match="at least 1 day"):
        insert_hold(schedule=schedule, after_step=1, days=0)


def test_planning_flags_follow_their_step_when_a_hold_renumbers_it() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", night="1")], formulations=tablets("lorazepam", "0.5", divisible="whole")
    )
    held = insert_hold(schedule=schedule, after_step=0, days=14)
    # The flag of the one taper step (1 -> 0.5 mg) moves to step 2; the stop after it has its
    # own single warning (issue 8: one warning per cause), which moves too.
    assert [w.step for w in schedule.warnings if w.code == "step_larger_than_asked"] == [1]
    assert [w.step for w in held.warnings if w.code == "step_larger_than_asked"] == [2]
    assert [w.step for w in held.warnings if w.code == "stop_from_lowest_dose"] == [2]


def test_replan_keeps_earlier_steps_and_uses_new_parameters() -> None:
    schedule = switched()
    replanned = replan_from(
        schedule=schedule, step_number=5, method=LinearMethod(Decimal(1)), interval_days=28
    )
    assert replanned.steps[:4] == schedule.steps[:4]
    assert replanned.request.method == LinearMethod(Decimal(1))
    taper = replanned.steps[4:]
    assert {s.days for s in taper} == {28}
    before = replanned.steps[3].diazepam_equivalent
    for step in taper:
        assert before - step.diazepam_equivalent <= 1
        before = step.diazepam_equivalent


def test_replan_in_the_middle_of_a_switch_finishes_it() -> None:
    schedule = switched()
    replanned = replan_from(schedule=schedule, step_number=2, switch=Switch(stage_days=3))
    assert replanned.steps[0] == schedule.steps[0]
    assert replanned.steps[1].phase == "switch"
    assert replanned.steps[1].days == 3
    assert replanned.steps[1].dose_map() == {"diazepam": {M: 10, N: 10}}


def test_replan_from_step_1_is_a_new_plan() -> None:
    schedule = switched()
    replanned = replan_from(schedule=schedule, step_number=1, method=PercentMethod(Decimal(5)))
    fresh = plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=FORMULATIONS,
        switch=Switch(),
        method=PercentMethod(Decimal(5)),
    )
    assert replanned.steps == fresh.steps


def test_replan_to_another_switch_drug_switches_what_was_already_moved() -> None:
    # Half-way through a switch to diazepam, re-planned as a switch to clonazepam: the diazepam
    # already given is switched on to clonazepam too, then clonazepam is tapered.
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=[*FORMULATIONS, *tablets("clonazepam", "0.5", "1")],
        switch=Switch(),
    )
    assert schedule.steps[0].dose_map() == {"lorazepam": {M: 1}, "diazepam": {N: 10}}
    replanned = replan_from(schedule=schedule, step_number=2, switch=Switch(to_drug="clonazepam"))
    assert replanned.steps[0] == schedule.steps[0]
    last_switch = [step for step in replanned.steps if step.phase == "switch"][-1]
    assert last_switch.dose_map() == {"clonazepam": {M: Decimal("0.5"), N: Decimal("0.5")}}
    assert all(set(step.dose_map()) == {"clonazepam"} for step in replanned.steps if step.phase == "taper")


def test_replan_refuses_a_step_that_does_not_exist() -> None:
    with pytest.raises(EngineError, match="no step 0"):
        replan_from(schedule=switched(), step_number=0)


def test_an_edited_step_above_the_plausible_maximum_is_refused() -> None:
    schedule = switched()
    steps = schedule.step_inputs()
    steps[3] = dataclasses.replace(steps[3], doses={"diazepam": {N: Decimal(310)}})
    with pytest.raises(
        EngineError, match=r"step 4 is 310 mg diazepam-equivalent a day, above the plausible 300"
    ):
        validate_schedule(request=schedule.request, steps=steps)


def test_an_edited_step_with_a_drug_that_has_no_formulation_is_refused() -> None:
    schedule = switched()
    steps = [*schedule.step_inputs(), StepInput(days=7, doses={"temazepam": {N: Decimal(10)}})]
    with pytest.raises(EngineError, match="temazepam has no allowed formulation"):
        validate_schedule(request=schedule.request, steps=steps)


def test_edited_doses_may_be_given_as_text_with_plain_slot_names() -> None:
    schedule = switched()
    steps = [*schedule.step_inputs(), StepInput(days=7, doses={"diazepam": {"night": "0.5"}})]  # type: ignore[dict-item]
    with pytest.raises(EngineError, match=r"diazepam 0\.5 mg cannot be made"):
        validate_schedule(request=schedule.request, steps=steps)
    steps[-1] = StepInput(days=7, doses={"diazepam": {"night": "1"}})  # type: ignore[dict-item]
    assert validate_schedule(request=schedule.request, steps=steps).steps[-1].daily_mg == {"diazepam": 1}
