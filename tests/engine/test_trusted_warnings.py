"""Issue 14, warnings a clinician can trust: a step the cited method prescribes is a warning
citing both sources, a genuinely fast plan stays a danger, a stop at the end point is the end
point whatever the form, and an amount above 0 is never shown as 0. Each fails without its fix."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from engine_builders import liquid, plan, regimen, tablets

from schedules.engine import BandsMethod, LinearMethod, PercentMethod, Schedule, ScheduleWarning, Switch
from schedules.engine.types import format_de, round_de

UK_DIAZEPAM = tablets("diazepam", "2", "5", "10")  # halves (clinical-reference.md section 3, UK)


def rate(schedule: Schedule) -> dict[str, ScheduleWarning]:
    """The 25%-rule findings by the cut they describe ('3 to 2')."""
    return {
        w.message.split(" mg diazepam")[0].split("From ")[-1]: w
        for w in schedule.warnings
        if w.code == "rate_over_25_percent_14_days"
    }


def test_nhs_scotlands_lorazepam_schedule_is_at_most_a_warning_citing_both_sources() -> None:
    # Lorazepam 1 mg twice daily, switched to diazepam 20 mg, then 1 mg a fortnight.
    schedule = plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        formulations=[*tablets("lorazepam", "1"), *UK_DIAZEPAM],
        switch=Switch(),
        method=LinearMethod(Decimal(1)),
        interval_days=14,
    )
    found = rate(schedule)
    assert set(found) == {"3 to 2", "2 to 1"}
    for warning in found.values():
        assert warning.severity == "warning"
        assert "prescribes this step" in warning.message
        assert "25% every 2 weeks" in warning.source and "NHS Scotland" in warning.source
        assert "NICE CKS" in warning.source


def test_the_cks_slow_bands_2_to_1_mg_step_is_a_warning() -> None:
    schedule = plan(regimen=[regimen("diazepam", night="20")], formulations=UK_DIAZEPAM, method=BandsMethod())
    (warning,) = rate(schedule).values()
    assert warning.message.startswith("From 2 to 1 mg")
    assert warning.severity == "warning" and "NICE CKS" in warning.source


def test_a_genuinely_fast_plan_stays_a_danger() -> None:
    fast = plan(
        regimen=[regimen("diazepam", night="20")],
        formulations=UK_DIAZEPAM,
        method=PercentMethod(Decimal(50)),
        interval_days=7,
    )
    assert rate(fast)["20 to 10"].severity == "danger"
    assert all(w.severity == "danger" for w in rate(fast).values())
    # A fixed-mg step larger than the CKS band allows is no published schedule either.
    big = plan(
        regimen=[regimen("diazepam", night="20")],
        formulations=UK_DIAZEPAM,
        method=LinearMethod(Decimal(6)),
        interval_days=14,
    )
    assert rate(big) and all(w.severity == "danger" for w in rate(big).values())


def test_a_stop_from_the_end_point_is_the_end_point_whatever_the_form() -> None:
    # Clonazepam 0.5 mg at night with its 0.1 mg/mL oral solution (UK): the liquid's 0.1 mL
    # step makes 0.01 mg (0.2 mg DE), so the last dose at or above 0.5 mg DE is 0.03 mg (0.6).
    schedule = plan(
        regimen=[regimen("clonazepam", night="0.5")],
        formulations=[*tablets("clonazepam", "0.5"), liquid("clonazepam", "0.1")],
    )
    assert schedule.steps[-1].diazepam_equivalent == Fraction(6, 10)
    assert not rate(schedule)
    assert "100% cut" not in " ".join(w.message for w in schedule.warnings)
    (stop,) = [w for w in schedule.warnings if w.code == "stop_from_last_dose"]
    assert stop.severity == "info" and "smallest dose the allowed formulations make" in stop.message


def test_an_amount_above_0_is_never_shown_as_0() -> None:
    # Lorazepam 2 mg a day with an equivalence of 1000 mg = 10 mg diazepam: 0.02 mg DE.
    assert format_de(Fraction(2 * 10, 1000)) == "0.02"
    assert format_de(Fraction(2, 1000)) == "0.002"
    assert round_de(Fraction(1, 3000)) == Decimal("0.00033")
    assert format_de(Fraction(0)) == "0"
    assert format_de(Fraction(1234, 100)) == "12.34"
