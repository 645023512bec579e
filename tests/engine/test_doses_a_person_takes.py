"""Issue 14, doses a person can take: at most two tablet strengths plus the liquid in one dose,
and a dose that moved to the liquid stays on it. Each fails without its fix."""

from __future__ import annotations

from decimal import Decimal

from engine_builders import liquid, plan, regimen, tablets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.engine import PercentMethod, Schedule
from schedules.engine.doses import DoseMaker

UK_DIAZEPAM = [*tablets("diazepam", "2", "5", "10"), liquid("diazepam", "1")]


def solid_strengths(schedule: Schedule) -> list[set[Decimal]]:
    return [
        {unit.formulation.strength_mg for unit in dose.units if not unit.formulation.is_liquid}
        for step in schedule.steps
        for dose in step.doses
    ]


def test_diazepam_20_mg_twice_daily_never_takes_three_tablet_strengths_in_a_dose() -> None:
    # Issue 14: one dose was 10 mg + 1/2 x 5 mg + 2 mg tablets + 0.1 mL (four products).
    schedule = plan(
        regimen=[regimen("diazepam", morning="20", night="20")],
        formulations=UK_DIAZEPAM,
        method=PercentMethod(Decimal(10)),
    )
    assert all(len(strengths) <= 2 for strengths in solid_strengths(schedule))
    assert any(len(strengths) == 2 for strengths in solid_strengths(schedule))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strengths=st.lists(
        st.sampled_from(["0.25", "0.5", "1", "2", "2.5", "5", "10"]), min_size=3, max_size=4, unique=True
    ),
    tenths=st.integers(min_value=1, max_value=400),
    with_liquid=st.booleans(),
)
def test_every_dose_uses_at_most_two_tablet_strengths(
    strengths: list[str], tenths: int, with_liquid: bool
) -> None:
    formulations = tablets("drug", *strengths) + ([liquid("drug", "1")] if with_liquid else [])
    maker = DoseMaker(tuple(formulations))
    mg = maker.at_least(Decimal(tenths) / 10)
    units = maker.units(mg)
    assert sum(unit.mg for unit in units) == mg
    assert len({unit.formulation for unit in units if not unit.formulation.is_liquid}) <= 2


def test_a_dose_that_moved_to_the_liquid_stays_on_it() -> None:
    # Issue 14: lorazepam 1 mg three times a day with its 2 mg/mL liquid (US): doses went
    # tablets, liquid, tablets again from step to step; then a night dose of 0.3 mL went back
    # to 1/2 x 0.5 mg + 0.1 mL before 0.2 mL. A dose keeps the liquid, and a dose measured
    # wholly with the liquid stays wholly on it.
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", midday="1", night="1")],
        formulations=[*tablets("lorazepam", "0.5", "1", "2"), liquid("lorazepam", "2")],
        method=PercentMethod(Decimal(10)),
        spread_cuts=True,
    )
    on_liquid: set[object] = set()
    only_liquid: set[object] = set()
    for step in schedule.steps:
        for dose in step.doses:
            measured = [unit.formulation.is_liquid for unit in dose.units]
            assert any(measured) or dose.slot not in on_liquid, (step.number, dose.slot, dose.units)
            assert all(measured) or dose.slot not in only_liquid, (step.number, dose.slot, dose.units)
            if any(measured):
                on_liquid.add(dose.slot)
            if all(measured):
                only_liquid.add(dose.slot)
    assert only_liquid  # the plan did move doses wholly to the liquid
