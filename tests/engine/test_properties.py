"""Property-based tests over random regimens, drugs, methods and formulations.

The strategies build realistic inputs: the drugs of a small inline equivalence table (including
estazolam, whose 1.5 mg = 10 mg diazepam has no finite decimal ratio), random subsets of real
tablet strengths with random divisibility, sometimes a capsule or a liquid, regimens made only of
doses the formulations can make, and every method, interval, switch and reduction order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from engine_builders import START, make_drugs, make_table
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from schedules.engine import (
    BandsMethod,
    DoseMaker,
    EngineError,
    Formulation,
    LinearMethod,
    Method,
    PercentMethod,
    RegimenItem,
    Schedule,
    Slot,
    Step,
    Switch,
    dose_makers,
    insert_hold,
    plan_taper,
    render_table,
    schedule_to_dict,
    validate_schedule,
)
from schedules.engine.doses import Measure

TABLE = make_table()
DRUGS = make_drugs()
# Real strengths (mg; liquids mg/mL) for the drugs of the inline table. Whether each may be split
# is drawn at random, so no test relies on the reference data's divisibility.
STRENGTHS = {
    "diazepam": (("2", "5", "10"), ("0.4", "1")),
    "lorazepam": (("0.5", "1", "2", "2.5"), ("2",)),
    "alprazolam": (("0.25", "0.5", "1", "2"), ("1",)),
    "clonazepam": (("0.25", "0.5", "1", "2"), ("0.1", "0.4")),
    "temazepam": (("10", "20"), ("2",)),
    "estazolam": (("1", "2"), ()),
    "oxazepam": (("10", "15", "30"), ()),
}
WINDOW = 14


def examples(full: int) -> int:
    """CI (CI=true, as .ci/run sets it) runs each property at its full count; a developer's run a
    third of it, at least 20."""
    return full if os.environ.get("CI") else max(20, full // 3)


PROPERTY_SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass(frozen=True)
class Case:
    regimen: list[RegimenItem]
    formulations: list[Formulation]
    method: Method
    interval_days: int
    switch: Switch | None
    slot_order: tuple[Slot, ...]


@st.composite
def formulation_sets(draw: st.DrawFn, drug: str) -> list[Formulation]:
    solid, liquids = STRENGTHS[drug]
    chosen = draw(st.lists(st.sampled_from(solid), min_size=1, max_size=len(solid), unique=True))
    result = [
        Formulation(
            drug=drug,
            form=draw(st.sampled_from(["tablet", "tablet", "tablet", "capsule"])),
            strength_mg=Decimal(strength),
            divisible=draw(st.sampled_from(["whole", "half", "quarter"])),
        )
        for strength in chosen
    ]
    with_liquid = draw(st.booleans())
    if liquids and with_liquid:
        result.append(Formulation(drug, "oral solution", Decimal(draw(st.sampled_from(liquids)))))
    return result


@st.composite
def regimen_items(draw: st.DrawFn, drug: str, maker: DoseMaker, budget_de: Fraction) -> RegimenItem:
    slots = draw(st.lists(st.sampled_from(list(Slot)), min_size=1, max_size=4, unique=True))
    per_slot = TABLE.from_diazepam(drug, budget_de / len(slots))
    choices = maker.between(Fraction(1, 10**6), per_slot + Fraction(1, 10**6))[:400]
    if not choices:
        choices = [maker.smallest()]
    return RegimenItem(drug, {slot: draw(st.sampled_from(choices)) for slot in slots})


@st.composite
def methods(draw: st.DrawFn) -> Method:
    kind = draw(st.sampled_from(["percent", "linear", "bands"]))
    if kind == "percent":
        return PercentMethod(Decimal(draw(st.integers(1, 50))))
    if kind == "linear":
        return LinearMethod(Decimal(draw(st.sampled_from(["0.1", "0.25", "0.5", "1", "2", "5"]))))
    return BandsMethod(draw(st.sampled_from(["slow", "fast"])))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    names = draw(st.lists(st.sampled_from(sorted(STRENGTHS)), min_size=1, max_size=2, unique=True))
    switch = None
    if draw(st.booleans()):
        switch = Switch(
            to_drug=draw(st.sampled_from(["diazepam", "clonazepam"])),
            stage_days=draw(st.integers(1, 14)),
            max_de_per_stage_mg=Decimal(draw(st.sampled_from([5, 10, 20]))),
        )
    formulations: list[Formulation] = []
    for name in dict.fromkeys([*names, *([switch.to_drug] if switch else [])]):
        formulations += draw(formulation_sets(name))
    makers = dose_makers(formulations)
    budget = Fraction(draw(st.integers(2, 150)))
    regimen = [draw(regimen_items(name, makers[name], budget)) for name in names]
    order = tuple(draw(st.permutations(list(Slot)))) if draw(st.booleans()) else tuple(Slot)
    return Case(regimen, formulations, draw(methods()), draw(st.integers(1, 28)), switch, order)


def plan_case(case: Case) -> Schedule:
    """The planned schedule; a switch the target's formulations cannot make is refused."""
    try:
        return _plan(case)
    except EngineError as error:
        if "cannot be switched" not in str(error) and "not smaller than the whole daily dose" not in str(
            error
        ):
            raise
        reject()


def _plan(case: Case) -> Schedule:
    return plan_taper(
        regimen=case.regimen,
        table=TABLE,
        drugs=DRUGS,
        formulations=case.formulations,
        method=case.method,
        interval_days=case.interval_days,
        start=START,
        switch=case.switch,
        slot_order=case.slot_order,
    )


def start_de(schedule: Schedule) -> Fraction:
    return sum(
        (TABLE.to_diazepam(i.drug, mg) for i in schedule.request.regimen for mg in i.doses.values()),
        Fraction(0),
    )


def flagged(step: Step, code: str) -> bool:
    return any(flag.code == code for flag in step.flags)


# The properties --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cases())
def test_every_dose_is_made_exactly_from_allowed_formulations(case: Case) -> None:
    schedule = plan_case(case)
    allowed = set(case.formulations)
    for step in schedule.steps:
        assert step.doses, "steps list only days on which something is taken"
        for dose in step.doses:
            assert dose.mg > 0
            assert sum((unit.mg for unit in dose.units), Decimal(0)) == dose.mg
            for unit in dose.units:
                formulation = unit.formulation
                assert formulation in allowed and formulation.drug == dose.drug
                if formulation.is_liquid:
                    assert unit.count is None and unit.volume_ml is not None
                    assert (unit.volume_ml * 10) % 1 == 0  # 0.1 mL steps
                else:
                    assert unit.volume_ml is None and unit.count is not None
                    assert Fraction(unit.count) % min(formulation.fractions) == 0
        assert step.daily_mg == {
            drug: sum((d.mg for d in step.doses if d.drug == drug), Decimal(0)) for drug in step.daily_mg
        }


@PROPERTY_SETTINGS
@given(cases())
def test_the_diazepam_equivalent_never_rises_and_every_schedule_ends(case: Case) -> None:
    schedule = plan_case(case)
    before = start_de(schedule)
    for step in schedule.steps:
        assert step.diazepam_equivalent <= before
        if step.phase == "taper":
            assert step.diazepam_equivalent < before, "a taper step always lowers the dose"
        before = step.diazepam_equivalent
    assert not [w for w in schedule.warnings if w.code == "dose_increase"]
    phases = [step.phase for step in schedule.steps]
    assert phases == sorted(phases, key=lambda phase: phase != "switch"), "switch, then taper"


@PROPERTY_SETTINGS
@given(cases())
def test_each_taper_step_changes_one_time_of_day(case: Case) -> None:
    schedule = plan_case(case)
    before = schedule.request.initial_doses
    for step in schedule.steps:
        after = step.dose_map()
        changed = {
            (drug, slot)
            for drug in {*before, *after}
            for slot in {*before.get(drug, {}), *after.get(drug, {})}
            if before.get(drug, {}).get(slot, 0) != after.get(drug, {}).get(slot, 0)
        }
        if step.phase == "taper":
            assert len(changed) == 1, changed
        before = after


@PROPERTY_SETTINGS
@given(cases())
def test_no_unflagged_reduction_breaks_the_method_rate(case: Case) -> None:
    schedule = plan_case(case)
    before = start_de(schedule)
    for step in schedule.steps:
        if step.phase == "taper" and not flagged(step, "step_larger_than_asked"):
            assert step.diazepam_equivalent >= asked_de(case, before)
        before = step.diazepam_equivalent


# NICE CKS "Benzodiazepine and z-drug withdrawal", adapted from the Ashton Manual: reduce by 2-4 mg
# until 20 mg/day, then 1-2 mg until 10, 1 mg until 5, 0.5-1 mg until stopped (slow pace: the
# smaller cut every 2 weeks; fast: the larger every week). (band floor mg DE, slow cut, fast cut)
CKS_BANDS = ((20, "2", "4"), (10, "1", "2"), (5, "1", "1"), (0, "0.5", "1"))


def asked_de(case: Case, before: Fraction) -> Fraction:
    """The lowest diazepam equivalent the method's next step may reach from ``before``, worked out
    here from the method's definition and not by the engine's own ``next_target``."""
    method = case.method
    if isinstance(method, PercentMethod):
        return before * (100 - Fraction(method.percent)) / 100
    if isinstance(method, LinearMethod):
        return before - _basis(case)(method.step_mg)
    floor, slow, fast = next(band for band in CKS_BANDS if before > band[0])
    return max(before - Fraction(slow if method.pace == "slow" else fast), Fraction(floor))


@PROPERTY_SETTINGS
@given(cases())
def test_every_cut_over_25_percent_in_14_days_is_flagged(case: Case) -> None:
    schedule = plan_case(case)
    daily = [step.diazepam_equivalent for step in schedule.steps for _ in range(step.days)]
    owner: list[int | None] = [s.number for s in schedule.steps for _ in range(s.days)]
    daily.append(Fraction(0))  # the first day with nothing taken
    owner.append(schedule.steps[-1].number if schedule.steps else None)
    pre = start_de(schedule)
    breaking = set()
    for day, de in enumerate(daily):
        window = [daily[d] if d >= 0 else pre for d in range(day - WINDOW, day)]
        if de < max(window) * Fraction(3, 4):
            breaking.add((owner[day], day == len(daily) - 1))
    rate = {w.step for w in schedule.warnings if w.code == "rate_over_25_percent_14_days"}
    exempt = {w.step for w in schedule.warnings if w.code in {"stop_from_lowest_dose", "stop_from_last_dose"}}
    # With no step at all the stop is abrupt, which is flagged as a danger of its own.
    exempt |= {None for w in schedule.warnings if w.code == "abrupt_stop"}
    for step, is_stop in breaking:
        assert step in rate or (is_stop and step in exempt)
    assert rate <= {step for step, _ in breaking}


@PROPERTY_SETTINGS
@given(cases())
def test_dates_are_contiguous(case: Case) -> None:
    schedule = plan_case(case)
    day = START
    for number, step in enumerate(schedule.steps, start=1):
        assert step.number == number
        assert step.start_date == day
        assert step.end_date == day + dt.timedelta(days=step.days - 1)
        day = step.end_date + dt.timedelta(days=1)
    assert schedule.end_date == day
    assert schedule.total_days == sum(step.days for step in schedule.steps)
    if schedule.dispensing:
        assert schedule.dispensing[0].start_date == START
        assert schedule.dispensing[-1].end_date == day - dt.timedelta(days=1)


@PROPERTY_SETTINGS
@given(cases())
def test_the_switch_keeps_the_diazepam_equivalent_within_the_granularity(case: Case) -> None:
    schedule = plan_case(case)
    if case.switch is None:
        return
    target = case.switch.to_drug
    makers = dose_makers(case.formulations)
    granularity = TABLE.to_diazepam(target, _largest_gap(makers[target]))
    limit = Fraction(case.switch.max_de_per_stage_mg)
    before_de = start_de(schedule)
    before_source = before_de - _drug_de(schedule.request.initial_doses, target)
    for step in (s for s in schedule.steps if s.phase == "switch"):
        lost = before_de - step.diazepam_equivalent
        assert 0 <= lost < granularity
        assert not lost or flagged(step, "switch_rounding")
        source = step.diazepam_equivalent - _drug_de(step.dose_map(), target)
        assert before_source - source <= limit or flagged(step, "switch_stage_over_limit")
        before_de, before_source = step.diazepam_equivalent, source
    taper = [s for s in schedule.steps if s.phase == "taper"]
    assert all(set(s.daily_mg) == {target} for s in taper)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.data())
def test_edits_rebuild_the_same_schedule_and_holds_keep_the_dose(case: Case, data: st.DataObject) -> None:
    schedule = plan_case(case)
    assert validate_schedule(request=schedule.request, steps=schedule.step_inputs()) == schedule
    after = data.draw(st.integers(0, len(schedule.steps)))
    held = insert_hold(schedule=schedule, after_step=after, days=data.draw(st.integers(1, 28)))
    assert held.steps[after].change == 0
    assert [s.dose_map() for s in held.steps if not s.hold] == [s.dose_map() for s in schedule.steps]
    json.dumps(schedule_to_dict(held))
    assert render_table(held)


def _basis(case: Case) -> Callable[[Decimal], Fraction]:
    tapered = case.switch.to_drug if case.switch else None
    if tapered is None and len(case.regimen) == 1:
        tapered = case.regimen[0].drug
    if tapered is None:
        return Fraction
    return lambda mg: TABLE.to_diazepam(tapered, mg)


def _drug_de(doses: Mapping[str, Mapping[Slot, Decimal]], drug: str) -> Fraction:
    return sum((TABLE.to_diazepam(drug, mg) for mg in doses.get(drug, {}).values()), Fraction(0))


def _largest_gap(maker: DoseMaker) -> Fraction:
    """An upper bound on the gap between neighbouring achievable doses (see the switch test)."""
    # Multiples of the smallest solid piece are always achievable; the one liquid fills the gaps
    # in measuring steps when its largest dose (10 mL) spans a piece.
    pieces = [Fraction(f.strength_mg) * min(f.fractions) for f in maker.formulations if not f.is_liquid]
    bounds = [min(pieces)] if pieces else []
    if maker.liquid is not None:
        strength = Fraction(maker.liquid.strength_mg)
        if not pieces or strength * maker.max_liquid_ml >= min(pieces):
            bounds.append(strength * maker.liquid_step_ml)
    return min(bounds)


# Issue 8's invariants -------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cases())
def test_one_liquid_strength_per_drug_per_plan_and_no_dose_over_the_volume_limit(case: Case) -> None:
    schedule = plan_case(case)
    strengths: dict[str, set[Decimal]] = {}
    for step in schedule.steps:
        for dose in step.doses:
            for unit in dose.units:
                if unit.formulation.is_liquid:
                    strengths.setdefault(dose.drug, set()).add(unit.formulation.strength_mg)
                    assert unit.volume_ml is not None
                    assert unit.volume_ml <= schedule.request.max_liquid_ml
    assert all(len(found) == 1 for found in strengths.values()), strengths
    for period in schedule.dispensing:
        liquids = [item.drug for item in period.items if item.formulation.is_liquid]
        assert len(liquids) == len(set(liquids))


@PROPERTY_SETTINGS
@given(cases())
def test_a_dose_measured_wholly_with_the_liquid_stays_wholly_on_it(case: Case) -> None:
    """Issue 14: once a time of day's dose is all liquid, each later dose of that drug and time
    of day is all liquid too, unless the liquid alone cannot make it (not whole syringe
    measures, or over the volume limit)."""
    schedule = plan_case(case)
    step_ml, most_ml = schedule.request.liquid_step_ml, schedule.request.max_liquid_ml
    only_liquid: dict[tuple[str, Slot], Decimal] = {}  # the liquid's strength
    for step in schedule.steps:
        for dose in step.doses:
            place = (dose.drug, dose.slot)
            liquid = [unit.formulation for unit in dose.units if unit.formulation.is_liquid]
            if len(liquid) == len(dose.units):
                only_liquid[place] = liquid[0].strength_mg
            elif place in only_liquid:
                volume = dose.mg / only_liquid[place]
                assert volume % step_ml or volume > most_ml, (step.number, dose)


@PROPERTY_SETTINGS
@given(cases(), st.lists(st.sampled_from(["US", "UK", "CA"]), min_size=1, max_size=3))
def test_markets_are_never_mixed(case: Case, markets: list[str]) -> None:
    marked = [
        replace(formulation, market=markets[index % len(markets)])
        for index, formulation in enumerate(case.formulations)
    ]
    used = {formulation.market for formulation in marked}
    mixed = Case(case.regimen, marked, case.method, case.interval_days, case.switch, case.slot_order)
    if len(used) > 1:
        try:
            _plan(mixed)
        except EngineError as error:
            assert "more than one market" in str(error)
        else:
            raise AssertionError("a plan with products of two markets was made")
        return
    schedule = plan_case(mixed)
    assert {
        unit.formulation.market for step in schedule.steps for d in step.doses for unit in d.units
    } <= used


@PROPERTY_SETTINGS
@given(cases())
def test_every_plan_ends_at_or_above_the_last_dose_before_its_stop(case: Case) -> None:
    schedule = plan_case(case)
    last_dose = Fraction(schedule.request.last_dose_de_mg)
    # The taper starts from what the switch left: a switch rounds the new drug's dose down (never
    # up) when its products cannot make the exact equivalent, and flags each such loss.
    switched = [step for step in schedule.steps if step.phase == "switch"]
    taper_start = switched[-1].diazepam_equivalent if switched else start_de(schedule)
    if taper_start < start_de(schedule):
        assert any(w.code == "switch_rounding" for w in schedule.warnings)
    if schedule.steps and schedule.request.ends_with_stop:
        assert schedule.steps[-1].diazepam_equivalent >= min(last_dose, taper_start)
    for step in schedule.steps:
        assert step.diazepam_equivalent > 0


@PROPERTY_SETTINGS
@given(
    st.sampled_from(sorted(STRENGTHS)).flatmap(formulation_sets),
    st.integers(1, 3000),
    st.sampled_from(Measure),
)
# 2171 one-piece capsules: the pieces were once combined by recursion, which ran out of stack.
@example([Formulation("clonazepam", "capsule", Decimal(1))], 2171, Measure.ANY)
def test_a_dose_kept_as_it_was_is_measured_as_it_was(
    formulations: list[Formulation], near: int, keep_liquid: Measure
) -> None:
    """Planning updates which doses are measured with the liquid only where a dose changed
    (planner._taper): asked again with its own answer, a dose's answer is the same."""
    maker = dose_makers(formulations)[formulations[0].drug]
    grid = maker.at_least_grid(near)
    if grid is None:
        reject()
    measured = maker.measure(grid, keep_liquid=keep_liquid)
    assert maker.measure(grid, keep_liquid=measured) == measured
