"""Planning: worked examples from the guidance, reductions, the switch, end points, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise

import pytest
from engine_builders import START, D, M, N, liquid, plan, regimen, tablets
from reference_data import load_drug_infos, load_formulations, load_table

from schedules.engine import (
    PRESETS,
    BandsMethod,
    EngineError,
    LinearMethod,
    PercentMethod,
    Schedule,
    Slot,
    Switch,
    check_start_date,
    insert_hold,
    plan_taper,
)

DIAZEPAM_TABLETS = tablets("diazepam", "2", "5", "10")


def codes(schedule: Schedule, step: int | None = None) -> list[str]:
    return [w.code for w in schedule.warnings if step is None or w.step == step]


def daily(schedule: Schedule) -> list[Decimal]:
    return [sum(step.daily_mg.values(), Decimal(0)) for step in schedule.steps]


# Worked examples -------------------------------------------------------------------------------


def test_jcpg_standard_preset_cuts_10_percent_every_14_days() -> None:
    # JCPG 2025 [V]: typical reductions 5-10% every 2-4 weeks; the standard preset is 10% / 14 d.
    preset = PRESETS["jcpg-standard"]
    schedule = plan(
        regimen=[regimen("diazepam", morning="10", night="10")],
        formulations=[*DIAZEPAM_TABLETS, liquid("diazepam", "1")],
        method=preset.method,
        interval_days=preset.interval_days,
    )
    steps = schedule.steps
    assert [s.days for s in steps[:-1]] == [14] * (len(steps) - 1)
    assert [s.diazepam_equivalent for s in steps[:2]] == [18, Decimal("16.2")]
    before, times = Decimal(20), 2
    for step, total in zip(steps, daily(schedule), strict=True):
        cut = 1 - total / before
        flagged = "step_larger_than_asked" in codes(schedule, step.number)
        assert flagged or cut <= Decimal("0.1")
        # never more than one 0.1 mL step short of the 10% asked for, unless the step drops a
        # time of day (a step changes one time of day only, so it may cut less than asked)
        dropped = len(step.doses) < times
        assert flagged or dropped or before * Decimal("0.9") + Decimal("0.1") > total
        before, times = total, len(step.doses)
    assert schedule.end_date == steps[-1].end_date + (steps[1].start_date - steps[0].end_date)


@pytest.mark.parametrize(("pace", "reductions", "weeks"), [("fast", 22, 21), ("slow", 35, 70)])
def test_cks_bands_envelope_from_diazepam_40_mg_with_liquid(pace: str, reductions: int, weeks: int) -> None:
    # NICE CKS via CKS-DERIV [V2]: from 40 mg, fastest reading 20 steps / 20 weeks, slowest
    # 35 steps / 70 weeks; the published 30-60 week estimate sits inside that envelope. The fast
    # reading takes one reduction more here: a step changes one time of day only, so 32 -> 30
    # drops the last 2 mg of the morning dose instead of cutting 4 mg across two doses, and one
    # more at the end: 1 -> 0.5 mg, the last dose before stopping (issue 8), then the stop.
    schedule = plan(
        regimen=[regimen("diazepam", morning="10", midday="10", evening="10", night="10")],
        table=load_table("ashton"),
        drugs=load_drug_infos(),
        formulations=load_formulations(drug="diazepam", market="UK"),
        method=BandsMethod(pace),
    )
    # The final stop is a reduction but not a step (nothing is taken).
    assert len(schedule.steps) + 1 == reductions
    assert weeks - 2 <= schedule.total_days / 7 <= weeks
    assert "step_larger_than_asked" not in codes(schedule)


def test_cks_bands_slow_with_tablets_only_stays_inside_the_envelope() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", morning="10", midday="10", evening="10", night="10")],
        formulations=load_formulations(drug="diazepam", market="UK", liquids=False),
        method=BandsMethod("slow"),
    )
    # 2 mg and 5 mg tablets halved make 0.5 mg steps down to 2.5 mg; from 2 mg the 0.5 mg
    # step asked for cannot be made, so 2 -> 1 mg is taken and flagged; the stop from 1 mg, the
    # smallest dose, has its own single warning (issue 8: one warning per cause per step).
    assert 20 <= len(schedule.steps) + 1 <= 35
    assert 30 * 7 <= schedule.total_days <= 70 * 7
    flagged = [w for w in schedule.warnings if w.code == "step_larger_than_asked"]
    assert [w.step for w in flagged] == [len(schedule.steps)]
    assert "stop_from_lowest_dose" in codes(schedule, len(schedule.steps))
    assert "100% cut" not in " ".join(w.message for w in schedule.warnings)
    assert schedule.steps[-1].daily_mg == {"diazepam": 1}
    assert "An oral liquid of diazepam would allow smaller steps." in flagged[0].message


def test_bands_taper_lorazepam_in_diazepam_equivalents() -> None:
    # Ashton [V2]: lorazepam 4 mg/day = diazepam 40 mg/day; a 4 mg DE step is 0.4 mg lorazepam.
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", midday="1", evening="1", night="1")],
        table=load_table("ashton"),
        formulations=tablets("lorazepam", "0.5", "1"),
        method=BandsMethod("fast"),
    )
    first = schedule.steps[0]
    assert schedule.steps[0].diazepam_equivalent == Decimal("37.5")  # 0.25 mg steps only
    assert first.dose_map()["lorazepam"][Slot.MORNING] == Decimal("0.75")


def test_switch_lorazepam_three_times_a_day_to_diazepam_night_first() -> None:
    # 1 mg lorazepam = 10 mg diazepam (Ashton [V2]); one time of day per 7-day stage.
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", midday="1", night="1")],
        table=load_table("ashton"),
        formulations=[*tablets("lorazepam", "1"), *DIAZEPAM_TABLETS],
        switch=Switch(),
    )
    stages = [s for s in schedule.steps if s.phase == "switch"]
    assert [s.dose_map() for s in stages] == [
        {"lorazepam": {M: 1, D: 1}, "diazepam": {N: 10}},
        {"lorazepam": {M: 1}, "diazepam": {D: 10, N: 10}},
        {"diazepam": {M: 10, D: 10, N: 10}},
    ]
    assert all(s.diazepam_equivalent == 30 and s.days == 7 for s in stages)
    assert all(s.change == 0 for s in stages)
    taper = [s for s in schedule.steps if s.phase == "taper"]
    assert set(taper[-1].daily_mg) == {"diazepam"}
    assert not {"switch_rounding", "switch_stage_over_limit"} & set(codes(schedule))


def test_high_dose_switches_over_several_stages_of_at_most_10_mg() -> None:
    # alprazolam 0.5 mg = diazepam 10 mg (Ashton [V2]): 2 mg at night is 40 mg DE, 4 stages.
    schedule = plan(
        regimen=[regimen("alprazolam", night="2")],
        formulations=[*tablets("alprazolam", "0.5", "1", "2"), *DIAZEPAM_TABLETS],
        switch=Switch(),
    )
    stages = [s for s in schedule.steps if s.phase == "switch"]
    assert [s.dose_map()["diazepam"][N] for s in stages] == [10, 20, 30, 40]
    assert all(s.diazepam_equivalent == 40 for s in stages)
    assert "high_starting_dose" not in codes(schedule)


def test_switch_stage_length_is_configurable() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", night="1")],
        formulations=[*tablets("lorazepam", "1"), *DIAZEPAM_TABLETS],
        switch=Switch(stage_days=10),
    )
    assert schedule.steps[0].phase == "switch"
    assert schedule.steps[0].days == 10


def test_switch_rounding_never_raises_the_dose_and_is_flagged() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", night="1.5")],
        formulations=[
            *tablets("lorazepam", "0.5", divisible="whole"),
            *tablets("diazepam", "2", divisible="whole"),
        ],
        switch=Switch(),
    )
    first, second = schedule.steps[:2]
    assert first.dose_map() == {"lorazepam": {N: Decimal("0.5")}, "diazepam": {N: 10}}
    assert second.dose_map() == {"diazepam": {N: 14}}
    assert second.diazepam_equivalent == 14
    rounding = [w for w in schedule.warnings if w.code == "switch_rounding"]
    assert [w.step for w in rounding] == [2]
    assert "falls by 1 mg/day" in rounding[0].message


def test_switch_stage_over_the_limit_is_flagged() -> None:
    schedule = plan(
        regimen=[regimen("clonazepam", night="2")],
        formulations=[*tablets("clonazepam", "2", divisible="whole"), *DIAZEPAM_TABLETS],
        switch=Switch(),
    )
    assert schedule.steps[0].dose_map() == {"diazepam": {N: 40}}
    assert "switch_stage_over_limit" in codes(schedule, 1)


@pytest.mark.parametrize(
    ("drug", "mg", "formulations"),
    [
        # Moving 10 mg of 10.5 would strand 0.5 mg diazepam that 0.5 mg clonazepam tablets could
        # never replace: the stage must leave a remainder a later stage can switch.
        ("diazepam", "10.5", [*tablets("diazepam", "0.5", divisible="whole"), *tablets("clonazepam", "0.5")]),
        # Temazepam 22.5 mg (11.25 mg DE) in 7.5 mg capsules: any partial move leaves a remainder
        # no clonazepam 0.25 mg step can replace, so it moves whole (over the limit, flagged).
        (
            "temazepam",
            "22.5",
            [
                *tablets("temazepam", "7.5", divisible="whole"),
                *tablets("clonazepam", "0.25", divisible="whole"),
            ],
        ),
    ],
)
def test_a_switch_never_strands_a_remainder_it_cannot_move(drug: str, mg: str, formulations: list) -> None:
    schedule = plan(
        regimen=[regimen(drug, night=mg)], formulations=formulations, switch=Switch(to_drug="clonazepam")
    )
    switched = [step for step in schedule.steps if step.phase == "switch"]
    assert set(switched[-1].dose_map()) == {"clonazepam"}


def test_switch_to_clonazepam() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", night="1")],
        formulations=[*tablets("lorazepam", "1"), *tablets("clonazepam", "0.25", divisible="whole")],
        switch=Switch(to_drug="clonazepam"),
    )
    assert schedule.steps[0].dose_map() == {"clonazepam": {N: Decimal("0.5")}}
    # Clonazepam as the switch target is not treating epilepsy: no caution about reducing it.
    assert "may_treat_epilepsy" not in codes(schedule)


# Reductions ------------------------------------------------------------------------------------


def test_reductions_take_the_earliest_dose_first_and_night_last() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", morning="2", night="2")],
        formulations=tablets("diazepam", "2"),
        method=LinearMethod(Decimal(1)),
    )
    assert [s.dose_map()["diazepam"] for s in schedule.steps] == [
        {M: 1, N: 2},
        {N: 2},
        {N: 1},
    ]


def test_a_step_changes_one_time_of_day_only() -> None:
    # 2 mg asked for, 1 mg in the morning: the morning dose goes and the night dose waits for
    # the next step (the issue: "reductions come from one time of day at a time").
    schedule = plan(
        regimen=[regimen("diazepam", morning="1", night="10")],
        formulations=DIAZEPAM_TABLETS,
        method=LinearMethod(Decimal(2)),
    )
    assert [step.dose_map() for step in schedule.steps[:2]] == [
        {"diazepam": {N: 10}},
        {"diazepam": {N: 8}},
    ]


def test_reduction_order_is_configurable() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", morning="2", night="2")],
        formulations=tablets("diazepam", "2"),
        method=LinearMethod(Decimal(1)),
        slot_order=(Slot.NIGHT, Slot.EVENING, Slot.MIDDAY, Slot.MORNING),
    )
    assert schedule.steps[0].dose_map() == {"diazepam": {M: 2, N: 1}}


def test_never_cuts_more_than_asked_when_a_smaller_cut_exists() -> None:
    # 10% of 10 mg is 1 mg, but only 2 mg steps can be made at 10 mg with whole 2/5 mg
    # tablets... except 10 -> 9 (5 + 2 + 2): the engine finds it.
    schedule = plan(
        regimen=[regimen("diazepam", night="10")],
        formulations=tablets("diazepam", "2", "5", divisible="whole"),
    )
    assert schedule.steps[0].dose_map() == {"diazepam": {N: 9}}


def test_no_smaller_step_takes_the_smallest_one_and_flags_it() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", night="1")],
        formulations=tablets("lorazepam", "0.5", divisible="whole"),
    )
    assert [s.dose_map() for s in schedule.steps] == [{"lorazepam": {N: Decimal("0.5")}}]
    flag = next(w for w in schedule.warnings if w.code == "step_larger_than_asked")
    assert flag.step == 1
    assert "50% cut instead of 10%" in flag.message
    assert "An oral liquid of lorazepam would allow smaller steps." in flag.message
    assert "stop_from_lowest_dose" in codes(schedule)


def test_no_liquid_hint_when_the_drug_has_no_liquid() -> None:
    schedule = plan(
        regimen=[regimen("estazolam", night="2")],
        formulations=tablets("estazolam", "1", divisible="whole"),
    )
    flag = next(w for w in schedule.warnings if w.code == "step_larger_than_asked")
    assert "liquid" not in flag.message


def test_once_a_dose_is_a_liquid_it_stays_a_liquid() -> None:
    # 10% steps from diazepam 10 mg: 9 mg is made from tablets, 8.1 mg needs the liquid, and
    # later doses that tablets could make (6 mg, 2 mg, 1 mg) stay on the liquid.
    schedule = plan(
        regimen=[regimen("diazepam", night="10")],
        formulations=[*tablets("diazepam", "2", "5"), liquid("diazepam", "1")],
    )
    # Issue 8: a liquid dose is tablets topped up with the liquid, so the liquid is the last unit.
    forms = [step.doses[0].units[-1].formulation.is_liquid for step in schedule.steps]
    first_liquid = forms.index(True)
    assert first_liquid > 0
    assert all(forms[first_liquid:])
    assert any(step.doses[0].mg == 2 for step in schedule.steps[first_liquid:])


def test_percent_taper_ends_below_the_smallest_achievable_dose() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="5")],
        formulations=[*tablets("diazepam", "2"), liquid("diazepam", "1")],
        method=PercentMethod(Decimal(10)),
    )
    # Issue 8: no lower than the last dose before stopping (0.5 mg; before, 0.1 mg).
    assert schedule.steps[-1].dose_map() == {"diazepam": {N: Decimal("0.5")}}
    assert len(schedule.steps) < 100
    assert schedule.end_date == schedule.steps[-1].end_date + dt.timedelta(days=1)


def test_dates_are_contiguous_and_end_date_is_the_first_day_without_a_dose() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=[*tablets("lorazepam", "1"), *DIAZEPAM_TABLETS],
        switch=Switch(),
        interval_days=21,
    )
    assert schedule.steps[0].start_date == START
    for before, after in pairwise(schedule.steps):
        assert (after.start_date - before.end_date).days == 1
    assert (schedule.end_date - schedule.steps[-1].end_date).days == 1
    assert schedule.total_days == sum(s.days for s in schedule.steps)
    assert {s.days for s in schedule.steps if s.phase == "taper"} == {21}


def test_several_drugs_without_a_switch_are_tapered_together() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", morning="5"), regimen("temazepam", night="20")],
        formulations=[*DIAZEPAM_TABLETS, *tablets("temazepam", "10", divisible="whole")],
        method=LinearMethod(Decimal(2)),  # mg DE when several drugs are tapered together
    )
    assert schedule.steps[0].dose_map() == {"diazepam": {M: 3}, "temazepam": {N: 20}}
    assert schedule.steps[-1].dose_map() == {"temazepam": {N: 10}}
    assert all(s.diazepam_equivalent < 15 for s in schedule.steps)


def test_target_end_point_stops_at_the_target_dose() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="20")],
        formulations=DIAZEPAM_TABLETS,
        target_daily_mg=Decimal(10),
    )
    assert schedule.steps[-1].dose_map() == {"diazepam": {N: 10}}
    assert "short_taper" not in codes(schedule)
    assert "target_not_exact" not in codes(schedule)


def test_a_target_that_cannot_be_made_is_reported() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="20")],
        formulations=tablets("diazepam", "2", divisible="whole"),
        target_daily_mg=Decimal("9.5"),
    )
    assert schedule.steps[-1].dose_map() == {"diazepam": {N: 10}}
    assert "target_not_exact" in codes(schedule, len(schedule.steps))


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"regimen": [regimen("xanax", night="1")]}, "unknown drug 'xanax'"),
        ({"regimen": [regimen("diazepam", night="310")]}, "above the plausible 300 mg"),
        ({"interval_days": 0}, "at least 1 day"),
        ({"formulations": tablets("lorazepam", "1")}, "no allowed formulation of diazepam"),
        ({"regimen": [regimen("diazepam", night="2.2")]}, "cannot be made"),
        ({"target_daily_mg": Decimal(20)}, "below the current dose"),
        ({"switch": Switch(to_drug="valium")}, "unknown drug 'valium'"),
        ({"period_days": 0}, "at least 1 day"),
        ({"regimen": [regimen("diazepam", night="2"), regimen("diazepam", morning="2")]}, "only once"),
        ({"interval_days": 85}, "at most 84 days"),
        ({"interval_days": 99999999999}, "at most 84 days"),
        ({"period_days": 91}, "at most 90 days"),
        ({"period_days": 99999999999}, "at most 90 days"),
        ({"method": LinearMethod(step_mg=Decimal(10))}, "not smaller than the whole daily dose"),
        ({"method": LinearMethod(step_mg=Decimal(1000))}, "not smaller than the whole daily dose"),
        ({"regimen": [regimen("diazepam", night="1e309")]}, "above the plausible 300 mg"),
        ({"start": dt.date(9999, 12, 1)}, "would end after the last date a calendar holds"),
    ],
)
def test_bad_input_raises_one_readable_line(arguments: dict, message: str) -> None:
    defaults = {"regimen": [regimen("diazepam", night="10")], "formulations": DIAZEPAM_TABLETS}
    with pytest.raises(EngineError, match=message) as error:
        plan(**{**defaults, **arguments})
    assert "\n" not in str(error.value)


def test_missing_drug_information_is_an_error() -> None:
    with pytest.raises(EngineError, match="no drug information for diazepam"):
        plan(regimen=[regimen("diazepam", night="10")], formulations=DIAZEPAM_TABLETS, drugs=[])


def test_plan_taper_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        plan_taper([regimen("diazepam", night="10")])  # type: ignore[call-arg]


def test_switch_stages_and_start_dates_have_clinical_bounds() -> None:
    with pytest.raises(EngineError, match="at most 28 days, not 999999999"):
        Switch(to_drug="diazepam", stage_days=999999999)
    today = dt.date(2027, 1, 4)
    check_start_date(dt.date(2026, 1, 4), today=today)
    check_start_date(dt.date(2029, 1, 3), today=today)
    for wrong in (dt.date(1, 1, 1), dt.date(2026, 1, 3), dt.date(2029, 1, 5), dt.date(9999, 12, 31)):
        with pytest.raises(EngineError, match="must lie between 2026-01-04 and 2029-01-03"):
            check_start_date(wrong, today=today)


def test_a_hold_or_an_edited_step_has_a_bound() -> None:
    schedule = plan(regimen=[regimen("diazepam", night="10")], formulations=DIAZEPAM_TABLETS)
    with pytest.raises(EngineError, match="at most 365 days"):
        insert_hold(schedule=schedule, after_step=1, days=366)
