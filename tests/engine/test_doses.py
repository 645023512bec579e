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
    assert described(diazepam, "1.5") == "1.5 mL of 1 mg/mL oral solution"


def test_most_dilute_liquid_that_makes_the_dose() -> None:
    diazepam = maker(liquid("diazepam", "0.4"), liquid("diazepam", "1"))
    assert described(diazepam, "0.4") == "1 mL of 0.4 mg/mL oral solution"
    assert described(diazepam, "0.5") == "0.5 mL of 1 mg/mL oral solution"


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
