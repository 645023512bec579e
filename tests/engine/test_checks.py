"""Guideline checks: every warning has a code, a severity, a message and a source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_builders import N, liquid, plan, regimen, tablets

from schedules.engine import (
    EngineError,
    LinearMethod,
    PatientFactors,
    PercentMethod,
    Schedule,
    ScheduleWarning,
    Switch,
    validate_schedule,
)

DIAZEPAM = [*tablets("diazepam", "2", "5", "10"), liquid("diazepam", "1")]


def warnings(schedule: Schedule, code: str) -> list[ScheduleWarning]:
    return [w for w in schedule.warnings if w.code == code]


def diazepam_plan(night: str = "20", **arguments: object) -> Schedule:
    return plan(regimen=[regimen("diazepam", night=night)], formulations=DIAZEPAM, **arguments)


def test_a_cut_over_25_percent_in_one_step_is_danger() -> None:
    schedule = diazepam_plan("8", method=LinearMethod(Decimal(3)), interval_days=14)
    found = warnings(schedule, "rate_over_25_percent_14_days")
    assert found[0].step == 1
    assert found[0].severity == "danger"
    assert found[0].message == (
        "From 8 to 5 mg diazepam-equivalent a day is a 37.5% cut; the guideline advises no more "
        "than 25% in any 14 days."
    )
    assert "Generally not more than 25% every 2 weeks" in found[0].source


def test_exactly_25_percent_every_14_days_is_allowed() -> None:
    schedule = diazepam_plan("20", method=LinearMethod(Decimal(5)), interval_days=14)
    found = warnings(schedule, "rate_over_25_percent_14_days")
    # 20 -> 15 passes; 15 -> 10, 10 -> 5 and 5 -> 0.5 (the last dose before stopping, issue 8;
    # before, the taper stopped from 5 mg) do not; the stop from 0.5 mg is the planned end point.
    assert [w.step for w in found] == [2, 3, 4]
    assert schedule.steps[-1].dose_map() == {"diazepam": {N: Decimal("0.5")}}
    assert [w.severity for w in warnings(schedule, "stop_from_last_dose")] == ["info"]


def test_two_small_cuts_within_14_days_add_up() -> None:
    # 15% a week: 20 -> 17 -> 14.5 mg, 27.5% within 14 days, caught on the second step only.
    schedule = diazepam_plan("20", method=PercentMethod(Decimal(15)), interval_days=7)
    found = warnings(schedule, "rate_over_25_percent_14_days")
    assert found[0].step == 2
    assert "From 20 to 14.5 mg" in found[0].message


def test_the_final_stop_from_the_smallest_dose_is_exempt() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="2")],
        formulations=tablets("diazepam", "2"),
        method=PercentMethod(Decimal(50)),
    )
    # 2 -> 1 mg is a 50% cut (flagged); stopping from 1 mg, the smallest dose, is exempt.
    assert [w.message for w in warnings(schedule, "rate_over_25_percent_14_days")] == [
        "From 2 to 1 mg diazepam-equivalent a day is a 50% cut; the guideline advises no more "
        "than 25% in any 14 days."
    ]
    assert [w.step for w in warnings(schedule, "stop_from_lowest_dose")] == [1]


def test_a_stop_from_above_the_smallest_dose_is_flagged() -> None:
    # Planning always ends at the last dose (issue 8); an edited schedule may stop earlier.
    planned = diazepam_plan("3", method=LinearMethod(Decimal(1)), interval_days=14)
    inputs = planned.step_inputs()[:1]  # keep 2 mg, then stop
    schedule = validate_schedule(request=planned.request, steps=inputs)
    stop = warnings(schedule, "rate_over_25_percent_14_days")[-1]
    assert stop.step == len(schedule.steps)
    assert stop.message.startswith("Stopping from 2 to 0 mg")
    assert not warnings(schedule, "stop_from_lowest_dose")
    assert not warnings(schedule, "stop_from_last_dose")


def test_every_stop_plan_ends_at_the_last_dose_before_stopping() -> None:
    # Issue 8: diazepam 5 mg at 5% a month with a liquid ran 5 years and ended at 0.04 mg.
    schedule = diazepam_plan("5", method=PercentMethod(Decimal(5)), interval_days=28)
    assert schedule.steps[-1].diazepam_equivalent >= Decimal("0.5")
    stop = warnings(schedule, "stop_from_last_dose")
    assert [(w.severity, w.step) for w in stop] == [("info", len(schedule.steps))]
    assert "NICE CKS" in stop[0].source and "Ashton" in stop[0].source
    assert not warnings(schedule, "rate_over_25_percent_14_days")  # one warning for the stop


def test_a_lower_last_dose_only_when_asked_citing_the_maudsley_guidelines() -> None:
    schedule = diazepam_plan("2", method=PercentMethod(Decimal(10)), last_dose_de_mg=Decimal("0.2"))
    assert schedule.steps[-1].diazepam_equivalent >= Decimal("0.2")
    assert schedule.steps[-1].diazepam_equivalent < Decimal("0.5")
    lower = warnings(schedule, "lower_last_dose")
    assert lower and "Maudsley" in lower[0].source
    assert not warnings(diazepam_plan("2"), "lower_last_dose")
    with pytest.raises(EngineError, match="at most 1 mg diazepam-equivalent, not 2 mg"):
        diazepam_plan("5", last_dose_de_mg=Decimal(2))


def test_a_plan_longer_than_18_months_is_a_warning() -> None:
    # Issue 8: alprazolam 6 mg/day, switched, 2.5% every 28 days ran 3,640 days with no warning.
    schedule = diazepam_plan("20", method=PercentMethod(Decimal("2.5")), interval_days=28)
    found = warnings(schedule, "long_taper")
    assert [(w.severity, w.step) for w in found] == [("warning", None)]
    assert "more than 18 months" in found[0].message
    assert not warnings(diazepam_plan("20", method=PercentMethod(Decimal(10))), "long_taper")


def test_first_reduction_above_10_percent_is_information() -> None:
    schedule = diazepam_plan(method=PercentMethod(Decimal(20)))
    found = warnings(schedule, "first_reduction_over_10_percent")
    assert [(w.step, w.severity) for w in found] == [(1, "info")]
    assert not warnings(diazepam_plan(method=PercentMethod(Decimal(10))), "first_reduction_over_10_percent")


def test_intervals_under_two_weeks_are_information_once() -> None:
    schedule = diazepam_plan(method=PercentMethod(Decimal(5)), interval_days=7)
    found = warnings(schedule, "interval_under_14_days")
    assert [(w.step, w.severity) for w in found] == [(2, "info")]
    assert not warnings(diazepam_plan(interval_days=14), "interval_under_14_days")


def test_starting_dose_above_40_mg_needs_specialist_advice() -> None:
    schedule = diazepam_plan("45")
    found = warnings(schedule, "high_starting_dose")
    assert found[0].step is None
    assert "specialist" in found[0].source
    assert not warnings(diazepam_plan("40"), "high_starting_dose")


def test_older_adult_switching_to_diazepam() -> None:
    arguments = {
        "regimen": [regimen("lorazepam", night="1")],
        "formulations": [*tablets("lorazepam", "1"), *DIAZEPAM],
        "switch": Switch(),
    }
    found = warnings(plan(**arguments, patient=PatientFactors(age=65)), "older_adult_long_acting")
    assert "consider lorazepam or oxazepam" in found[0].message
    assert not warnings(plan(**arguments, patient=PatientFactors(age=64)), "older_adult_long_acting")


def test_hepatic_impairment_with_a_long_lived_metabolite() -> None:
    schedule = diazepam_plan(patient=PatientFactors(hepatic_impairment=True))
    assert "diazepam" in warnings(schedule, "hepatic_long_acting_metabolite")[0].message
    lorazepam = plan(
        regimen=[regimen("lorazepam", night="1")],
        formulations=tablets("lorazepam", "0.5", "1"),
        patient=PatientFactors(hepatic_impairment=True),
    )
    assert not warnings(lorazepam, "hepatic_long_acting_metabolite")


@pytest.mark.parametrize(
    ("patient", "code"),
    [
        (PatientFactors(opioid_co_use=True), "cns_depressant_co_use"),
        (PatientFactors(cns_depressant_co_use=True), "cns_depressant_co_use"),
        (PatientFactors(pregnant=True), "pregnancy"),
    ],
)
def test_patient_factors(patient: PatientFactors, code: str) -> None:
    assert warnings(diazepam_plan(patient=patient), code)
    assert not warnings(diazepam_plan(), code)


def test_clonazepam_may_be_treating_epilepsy() -> None:
    arguments = {"regimen": [regimen("clonazepam", night="1")], "formulations": tablets("clonazepam", "0.5")}
    assert warnings(plan(**arguments), "may_treat_epilepsy")[0].severity == "warning"
    with_seizures = plan(**arguments, patient=PatientFactors(seizure_history=True))
    assert warnings(with_seizures, "may_treat_epilepsy")[0].severity == "danger"


def test_a_taper_shorter_than_8_weeks_is_flagged() -> None:
    schedule = diazepam_plan("10", method=LinearMethod(Decimal(5)), interval_days=14)
    assert schedule.total_days == 28  # 5 mg, then 0.5 mg (the last dose before stopping), then stop
    assert warnings(schedule, "short_taper")[0].severity == "warning"


def test_unverified_equivalence_and_ranges_are_shown() -> None:
    oxazepam = plan(
        regimen=[regimen("oxazepam", night="20")],
        formulations=tablets("oxazepam", "10", divisible="whole"),
    )
    assert "unverified" in warnings(oxazepam, "unverified_equivalence")[0].message
    estazolam = plan(
        regimen=[regimen("estazolam", night="2")],
        formulations=tablets("estazolam", "1"),
    )
    found = warnings(estazolam, "equivalence_range")
    assert found[0].message == (
        "The source gives estazolam 1-2 mg = 10 mg diazepam; the point value 1.5 mg was chosen."
    )


def test_every_warning_has_a_known_severity_and_a_source() -> None:
    schedule = plan(
        regimen=[regimen("clonazepam", night="2")],
        formulations=[
            *tablets("clonazepam", "2", divisible="whole"),
            *tablets("diazepam", "10", divisible="whole"),
        ],
        switch=Switch(),
        method=PercentMethod(Decimal(50)),
        interval_days=3,
        patient=PatientFactors(age=80, hepatic_impairment=True, opioid_co_use=True, pregnant=True),
    )
    assert len({w.code for w in schedule.warnings}) >= 10
    for warning in schedule.warnings:
        assert warning.severity in ("info", "warning", "danger")
        assert warning.source and warning.message
        assert "\n" not in warning.message


def test_warnings_come_in_step_order_schedule_wide_first() -> None:
    schedule = diazepam_plan("45", method=PercentMethod(Decimal(30)), interval_days=7)
    steps = [w.step for w in schedule.warnings]
    assert steps == sorted(steps, key=lambda s: (s is not None, s or 0))
    assert steps[0] is None
    assert N  # the night slot is used throughout


def test_switch_rounding_is_not_counted_as_a_taper_reduction() -> None:
    schedule = plan(
        regimen=[regimen("lorazepam", morning="0.5", night="0.5")],
        formulations=[
            *tablets("lorazepam", "0.5", divisible="whole"),
            *tablets("diazepam", "2", divisible="whole"),
        ],
        switch=Switch(),
        method=PercentMethod(Decimal(5)),
    )
    assert [w.code for w in schedule.warnings if w.step in (1, 2)] == ["switch_rounding", "switch_rounding"]
    assert not warnings(schedule, "interval_under_14_days")
    first_taper = next(s for s in schedule.steps if s.phase == "taper")
    assert first_taper.diazepam_equivalent < 8


def test_a_patient_already_on_the_smallest_dose_stops_at_once() -> None:
    schedule = plan(regimen=[regimen("diazepam", night="1")], formulations=tablets("diazepam", "2"))
    assert schedule.steps == ()
    assert schedule.end_date == schedule.start_date
    # An abrupt stop is never presented as a taper: one danger warning, suggesting a liquid.
    assert [(w.code, w.severity) for w in schedule.warnings] == [("abrupt_stop", "danger")]
    assert "smallest: diazepam 1 mg" in schedule.warnings[0].message
