"""Issue 14, several drugs at once: no drug is finished faster than the 25% rule without a
danger saying so, and a switch can move the other drugs onto the diazepam already taken."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from engine_builders import M, N, plan, regimen, tablets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.engine import PercentMethod, Schedule, Step, Switch

FORMULATIONS = [*tablets("diazepam", "2", "5", "10"), *tablets("lorazepam", "0.5", "1")]
FAST_CODES = {"rate_over_25_percent_14_days", "drug_rate_over_25_percent_14_days"}
END_CODES = {"stop_from_last_dose", "stop_from_lowest_dose", "abrupt_stop"}


def drug_cuts_over_25_percent(schedule: Schedule, drug: str) -> set[int | None]:
    """The steps (None: the final stop) on which ``drug``'s own daily DE falls below 75% of its
    highest on the 14 days before, day by day; switch stages and stops from the end point aside."""
    table = schedule.request.table
    pre = table.to_diazepam(drug, sum(schedule.request.initial_doses.get(drug, {}).values(), Decimal(0)))
    daily: list[tuple[Fraction, Step | None]] = [
        (table.to_diazepam(drug, step.daily_mg.get(drug, Decimal(0))), step)
        for step in schedule.steps
        for _ in range(step.days)
    ]
    daily.append((Fraction(0), None))
    last_dose = Fraction(schedule.request.last_dose_de_mg)
    found: set[int | None] = set()
    for day, (de, step) in enumerate(daily):
        window = [daily[d][0] if d >= 0 else pre for d in range(day - 14, day)]
        previous = window[-1]
        if de < max(window) * Fraction(3, 4) and not (step is not None and step.phase == "switch"):
            if not de and previous <= last_dose:
                continue
            found.add(step.number if step is not None else None)
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    diazepam=st.sampled_from(["2", "5", "10", "15", "20"]),
    lorazepam=st.sampled_from(["0.5", "1", "1.5", "2"]),
    percent=st.sampled_from([5, 10, 25, 50]),
    interval=st.sampled_from([7, 14, 28]),
    switch=st.booleans(),
)
def test_no_drug_is_finished_faster_than_the_25_percent_rule_without_a_danger(
    diazepam: str, lorazepam: str, percent: int, interval: int, switch: bool
) -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night=diazepam), regimen("lorazepam", morning=lorazepam)],
        formulations=FORMULATIONS,
        method=PercentMethod(Decimal(percent)),
        interval_days=interval,
        switch=Switch() if switch else None,
    )
    fast = {w.step for w in schedule.warnings if w.code in FAST_CODES and w.severity == "danger"}
    fast |= {w.step for w in schedule.warnings if w.code == "rate_over_25_percent_14_days"}
    final = schedule.steps[-1].number if schedule.steps else None
    ends = {w.step for w in schedule.warnings if w.code in END_CODES}
    for drug in ("diazepam", "lorazepam"):
        for step in drug_cuts_over_25_percent(schedule, drug):
            if step is None:  # the final stop of everything: the total's check
                assert final in fast or final in ends
            else:
                assert step in fast, (drug, step)


def test_a_drug_cut_fast_while_another_is_kept_is_a_danger_the_total_hides() -> None:
    # Lorazepam 1 mg (10 mg DE) is kept until last: diazepam's 2 -> 1 mg is 50% of diazepam
    # but only 1 mg of 12 mg DE in all, which the total's 25% rule does not see.
    schedule = plan(
        regimen=[regimen("diazepam", night="20"), regimen("lorazepam", morning="1")],
        formulations=[*tablets("diazepam", "2", "5", "10"), *tablets("lorazepam", "1", divisible="whole")],
    )
    dangers = [w for w in schedule.warnings if w.code == "drug_rate_over_25_percent_14_days"]
    assert dangers and all(w.severity == "danger" for w in dangers)
    (halved,) = [w for w in dangers if w.message.startswith("Cutting diazepam from 2 to 1 mg")]
    step = schedule.steps[halved.step - 1] if halved.step else None
    assert step is not None and step.diazepam_equivalent == 11 and step.change > Fraction(-1, 10)
    assert not [w for w in schedule.warnings if w.code == "rate_over_25_percent_14_days"]
    assert "move it onto the long-acting drug already taken" in dangers[0].message
    assert "NHS Lothian" in dangers[0].source


def test_a_switch_moves_lorazepam_onto_the_diazepam_already_taken_one_dose_at_a_time() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="20"), regimen("lorazepam", morning="1")],
        formulations=[*tablets("diazepam", "2", "5", "10"), *tablets("lorazepam", "1", divisible="whole")],
        switch=Switch(),
    )
    first = schedule.steps[0]
    assert first.phase == "switch"
    assert first.dose_map() == {"diazepam": {M: Decimal(10), N: Decimal(20)}}
    assert first.diazepam_equivalent == Fraction(30)
    assert not [w for w in schedule.warnings if w.code == "drug_rate_over_25_percent_14_days"]
