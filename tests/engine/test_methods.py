"""Methods: where the next step aims, and the named presets."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.engine import PRESETS, BandsMethod, EngineError, LinearMethod, PercentMethod


def identity(mg: Decimal) -> Fraction:
    return Fraction(mg)


def test_percent_cuts_a_share_of_the_current_dose() -> None:
    method = PercentMethod(Decimal(10))
    assert method.next_target(current_de=Fraction(20), to_diazepam=identity) == 18
    assert method.next_target(current_de=Fraction(18), to_diazepam=identity) == Fraction(162, 10)


@pytest.mark.parametrize("percent", ["0.5", "51", "-10"])
def test_percent_outside_1_to_50_is_rejected(percent: str) -> None:
    with pytest.raises(EngineError, match="between 1 and 50"):
        PercentMethod(Decimal(percent))


def test_linear_cuts_a_fixed_amount_in_the_tapered_drug() -> None:
    method = LinearMethod(Decimal("0.5"))
    lorazepam = lambda mg: Fraction(mg) * 10  # noqa: E731 - lorazepam 1 mg = diazepam 10 mg
    assert method.next_target(current_de=Fraction(30), to_diazepam=lorazepam) == 25
    with pytest.raises(EngineError, match="above 0"):
        LinearMethod(Decimal(0))


@pytest.mark.parametrize(
    ("pace", "current", "target"),
    [
        ("fast", 40, 36),
        ("slow", 40, 38),
        ("fast", 21, 20),  # clamped at the band edge, not 17
        ("fast", 20, 18),
        ("slow", 20, 19),
        ("fast", 10, 9),
        ("slow", 6, 5),
        ("fast", 5, 4),
        ("slow", 5, Fraction(9, 2)),
        ("slow", Fraction(1, 2), 0),
        ("fast", 60, 56),  # above 40 mg the first band still applies
    ],
)
def test_cks_bands(pace: str, current: int | Fraction, target: int | Fraction) -> None:
    method = BandsMethod(pace)
    assert method.next_target(current_de=Fraction(current), to_diazepam=identity) == target


def test_bands_pace_sets_the_interval() -> None:
    assert BandsMethod("slow").default_interval_days == 14
    assert BandsMethod("fast").default_interval_days == 7
    with pytest.raises(EngineError, match="slow or fast"):
        BandsMethod("brisk")


def test_presets_name_their_guideline() -> None:
    standard = PRESETS["jcpg-standard"]
    assert standard.label == "2025 Joint Guideline, standard"
    assert standard.method == PercentMethod(Decimal(10))
    assert standard.interval_days == 14
    slow = PRESETS["jcpg-slow"]
    assert (slow.method, slow.interval_days) == (PercentMethod(Decimal(5)), 28)
    # Each preset cites the guideline its key names: the 2025 Joint Guideline or NICE CKS.
    cited = {key: "J Gen Intern Med 2025" if key.startswith("jcpg-") else "NICE CKS" for key in PRESETS}
    assert {key: cited[key] in p.source for key, p in PRESETS.items()} == dict.fromkeys(PRESETS, True)
    assert PRESETS["cks-bands-fast"].method == BandsMethod("fast")


@settings(max_examples=200, deadline=None)
@given(
    method=st.one_of(
        st.builds(PercentMethod, st.integers(1, 50).map(Decimal)),
        st.builds(LinearMethod, st.sampled_from(["0.1", "0.25", "0.5", "1", "2.5"]).map(Decimal)),
        st.builds(BandsMethod, st.sampled_from(["slow", "fast"])),
    ),
    unit=st.fractions(min_value=Fraction(1, 10**6), max_value=10),
    current=st.integers(1, 10**6),
)
def test_a_method_aims_at_the_same_dose_in_any_unit(
    method: PercentMethod | LinearMethod | BandsMethod, unit: Fraction, current: int
) -> None:
    """Planning asks in whole units of a plan's own small amount of DE (``aim``): the answer is
    the target in mg, in those units."""
    lorazepam = lambda mg: Fraction(mg) * 10  # noqa: E731 - lorazepam 1 mg = diazepam 10 mg
    if isinstance(method, BandsMethod) and current * unit <= 0:
        return
    numerator, denominator = method.aim(unit=unit, to_diazepam=lorazepam)(current)
    assert denominator > 0
    expected = method.next_target(current_de=current * unit, to_diazepam=lorazepam)
    assert Fraction(numerator, denominator) * unit == expected
