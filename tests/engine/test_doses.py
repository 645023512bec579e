"""Achievable doses: exact units from the allowed formulations, fewest pieces first."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_builders import liquid, tablets

from schedules.engine import DoseMaker, EngineError, Formulation, describe_units, dose_makers


def maker(*formulations: Formulation) -> DoseMaker:
    return DoseMaker(tuple(formulations))


def described(dose_maker: DoseMaker, mg: str) -> str:
    return describe_units(dose_maker.units(Decimal(mg)))


def test_units_list_whole_and_half_tablets() -> None:
    diazepam = maker(*tablets("diazepam", "2", "5", "10"))
    assert described(diazepam, "6") == "1 x 5 mg tablet + 1/2 x 2 mg tablet"
    assert described(diazepam, "10") == "1 x 10 mg tablet"
    assert described(diazepam, "2.5") == "1/2 x 5 mg tablet"


def test_fewest_pieces_then_fewest_strengths() -> None:
    lorazepam = maker(*tablets("lorazepam", "0.5", "1", "2"))
    # 1.5 mg: 1 x 1 mg + 1 x 0.5 mg and 1 1/2 x 1 mg are both two pieces; one strength wins.
    assert described(lorazepam, "1.5") == "1 1/2 x 1 mg tablet"
    # 4 mg: two whole 2 mg tablets beat anything with more pieces.
    assert described(lorazepam, "4") == "2 x 2 mg tablet"


def test_whole_tablets_preferred_over_split_ones_when_equally_few() -> None:
    lorazepam = maker(*tablets("lorazepam", "0.5", "1"))
    assert described(lorazepam, "0.5") == "1 x 0.5 mg tablet"


def test_quarters_only_where_allowed() -> None:
    quarters = maker(*tablets("alprazolam", "2", divisible="quarter"))
    halves = maker(*tablets("alprazolam", "2"))
    assert described(quarters, "0.5") == "1/4 x 2 mg tablet"
    assert not halves.is_achievable(Decimal("0.5"))


def test_capsules_are_never_split_whatever_the_data_says() -> None:
    capsule = maker(Formulation("temazepam", "capsule", Decimal(10), divisible="half"))
    assert not capsule.is_achievable(Decimal(5))
    assert capsule.is_achievable(Decimal(20))


def test_liquid_is_measured_in_tenths_of_a_millilitre() -> None:
    diazepam = maker(liquid("diazepam", "1"))
    assert described(diazepam, "0.3") == "0.3 mL of 1 mg/mL oral solution"
    assert not diazepam.is_achievable(Decimal("0.35"))


def test_tablets_preferred_to_liquid_when_they_can_make_the_dose() -> None:
    diazepam = maker(*tablets("diazepam", "2"), liquid("diazepam", "1"))
    assert described(diazepam, "2") == "1 x 2 mg tablet"
    # Issue 8: doses are made from tablets topped up with the liquid (before: 1.5 mL of liquid).
    assert described(diazepam, "1.5") == "1/2 x 2 mg tablet + 0.5 mL of 1 mg/mL oral solution"


def test_a_large_dose_is_tablets_topped_up_with_liquid_never_over_10_ml() -> None:
    # Issue 8: 16.2 mg was 40.5 mL of the most dilute liquid (diazepam 2 mg/5 mL).
    diazepam = maker(*tablets("diazepam", "2", "5", "10"), liquid("diazepam", "0.4"), liquid("diazepam", "1"))
    assert (
        described(diazepam, "16.2")
        == "1 1/2 x 10 mg tablet + 1/2 x 2 mg tablet + 0.2 mL of 1 mg/mL oral solution"
    )
    only_liquid = maker(liquid("diazepam", "0.4"))
    assert only_liquid.is_achievable(Decimal(4))  # 10 mL
    assert not only_liquid.is_achievable(Decimal("4.04"))  # 10.1 mL
    assert only_liquid.at_most(Decimal(16)) == 4


def test_one_liquid_strength_per_drug() -> None:
    # Several strengths allowed: the most dilute whose 10 mL covers the smallest tablet piece
    # (0.4 mg/mL in 0.1 mL steps is 0.04 mg, which divides the 1 mg half tablet evenly).
    diazepam = maker(*tablets("diazepam", "2"), liquid("diazepam", "0.4"), liquid("diazepam", "1"))
    assert diazepam.liquid is not None and diazepam.liquid.strength_mg == Decimal("0.4")
    assert described(diazepam, "0.4") == "1 mL of 0.4 mg/mL oral solution"
    assert not diazepam.is_achievable(Decimal("0.5"))  # 1.25 mL of 0.4 mg/mL; the 1 mg/mL is not used
    # No tablet to top up: the strongest, so the most fits under the volume limit.
    liquids = maker(liquid("diazepam", "0.4"), liquid("diazepam", "1"))
    assert liquids.liquid is not None and liquids.liquid.strength_mg == 1
    # 0.04 mg steps do not divide the 0.5 mg halves of 5 mg tablets: 1 mg/mL (0.1 mg steps) does.
    uk = maker(*tablets("diazepam", "2", "5"), liquid("diazepam", "0.4"), liquid("diazepam", "1"))
    assert uk.liquid is not None and uk.liquid.strength_mg == 1


def test_the_measuring_step_and_the_volume_limit_are_settings() -> None:
    coarse = DoseMaker((liquid("diazepam", "1"),), liquid_step_ml=Decimal("0.5"), max_liquid_ml=Decimal(5))
    assert coarse.is_achievable(Decimal("1.5")) and not coarse.is_achievable(Decimal("1.2"))
    assert not coarse.is_achievable(Decimal("5.5"))
    with pytest.raises(EngineError, match="measuring step must be above 0 mL"):
        DoseMaker((liquid("diazepam", "1"),), liquid_step_ml=Decimal(0))


def test_unachievable_dose_raises_one_clear_line() -> None:
    with pytest.raises(EngineError) as error:
        maker(*tablets("lorazepam", "0.5")).units(Decimal("0.3"))
    assert str(error.value) == (
        "lorazepam 0.3 mg cannot be made from the allowed formulations (0.5 mg tablet (halves))"
    )


def test_nearest_achievable_doses() -> None:
    diazepam = maker(*tablets("diazepam", "2", "5", divisible="whole"))  # 0, 2, 4, 5, 6, 7 ...
    assert diazepam.at_least(Fraction(3)) == 4
    assert diazepam.at_least(Fraction(4)) == 4
    assert diazepam.at_most(Fraction(3)) == 2
    assert diazepam.at_most(Fraction(1)) == 0
    assert diazepam.below(Decimal(4)) == 2
    assert diazepam.below(Decimal(5)) == 4
    assert diazepam.smallest() == 2
    assert diazepam.between(Fraction(2), Fraction(6)) == [2, 4, 5]


def test_nearest_doses_combine_tablets_and_liquid() -> None:
    diazepam = maker(*tablets("diazepam", "2", divisible="whole"), liquid("diazepam", "1"))
    assert diazepam.at_least(Fraction(33, 10)) == Decimal("3.3")
    assert diazepam.below(Decimal("0.1")) == 0
    assert diazepam.smallest() == Decimal("0.1")


def test_the_table_grows_for_large_doses() -> None:
    diazepam = maker(*tablets("diazepam", "2", "5", "10"))
    assert diazepam.at_least(Fraction(297, 2)) == Decimal("148.5")
    assert described(diazepam, "150") == "15 x 10 mg tablet"


def test_dose_makers_are_memoised_per_drug_and_formulation_set() -> None:
    formulations = [*tablets("diazepam", "2", "5"), *tablets("lorazepam", "1")]
    first = dose_makers(formulations)
    second = dose_makers(list(reversed(formulations)))
    assert set(first) == {"diazepam", "lorazepam"}
    assert first["diazepam"] is second["diazepam"]
