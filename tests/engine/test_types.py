"""Input types: formulations, equivalence tables, regimen validation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from engine_builders import make_table, regimen
from reference_data import load_table

from schedules.engine import EngineError, Formulation, RegimenItem, Slot, Switch


def test_slots_run_in_day_order_with_plain_values() -> None:
    assert [slot.value for slot in Slot] == ["morning", "midday", "evening", "night"]


@pytest.mark.parametrize(
    ("form", "divisible", "fractions"),
    [
        ("tablet", "whole", (1,)),
        ("tablet", "half", (1, Fraction(1, 2))),
        ("tablet", "quarter", (1, Fraction(1, 2), Fraction(1, 4))),
        ("capsule", "half", (1,)),
        ("orally disintegrating tablet", "quarter", (1,)),
        ("extended-release tablet", "half", (1,)),
    ],
)
def test_only_plain_tablets_split(form: str, divisible: str, fractions: tuple) -> None:
    formulation = Formulation(drug="x", form=form, strength_mg=Decimal(1), divisible=divisible)
    assert formulation.fractions == fractions


def test_modified_release_flag_prevents_splitting() -> None:
    formulation = Formulation("x", "tablet", Decimal(1), "half", modified_release=True)
    assert formulation.fractions == (1,)


@pytest.mark.parametrize("form", ["oral solution", "oral suspension", "syrup"])
def test_liquids_are_recognised_from_the_form(form: str) -> None:
    assert Formulation("diazepam", form, Decimal(1)).is_liquid


def test_formulation_normalises_names_and_rejects_nonsense() -> None:
    assert Formulation(" Diazepam ", "Tablet", Decimal(2)).drug == "diazepam"
    with pytest.raises(EngineError, match="above 0"):
        Formulation("diazepam", "tablet", Decimal(0))
    with pytest.raises(EngineError, match="whole, half or quarter"):
        Formulation("diazepam", "tablet", Decimal(2), "thirds")


def test_who_worked_example_lorazepam_4_mg_is_diazepam_40_mg() -> None:
    # WHO 2009 Table 8 [V]: "lorazepam 4 mg/day -> diazepam 40 mg/day" (stated per 5 mg diazepam).
    assert load_table("who-2009").to_diazepam("lorazepam", Decimal(4)) == 40


def test_who_worked_example_temazepam_60_mg_is_diazepam_30_mg() -> None:
    # WHO 2009 Table 8 [V]: "temazepam 60 mg/day -> diazepam 30 mg/day".
    assert load_table("who-2009").to_diazepam("temazepam", Decimal(60)) == 30


def test_ashton_lorazepam_4_mg_is_diazepam_40_mg() -> None:
    # Ashton table [V2]: lorazepam 1 mg = diazepam 10 mg.
    assert load_table("ashton").to_diazepam("lorazepam", Decimal(4)) == 40


def test_conversions_are_exact_for_values_without_a_finite_decimal() -> None:
    table = make_table()  # estazolam 1.5 mg = diazepam 10 mg
    de = table.to_diazepam("estazolam", Decimal(1))
    assert de == Fraction(20, 3)
    assert table.from_diazepam("estazolam", de) == 1


def test_unknown_drug_lists_the_known_ones() -> None:
    with pytest.raises(EngineError) as error:
        make_table().entry("xanax")
    message = str(error.value)
    assert "unknown drug 'xanax'" in message
    assert "alprazolam, clonazepam, diazepam" in message
    assert "\n" not in message


def test_regimen_drops_zero_slots_and_orders_the_day() -> None:
    item = RegimenItem("lorazepam", {Slot.NIGHT: Decimal(1), Slot.MORNING: Decimal("0.5"), Slot.MIDDAY: 0})  # type: ignore[dict-item]
    assert list(item.doses) == [Slot.MORNING, Slot.NIGHT]
    assert item.daily_mg == Decimal("1.5")


@pytest.mark.parametrize(
    ("doses", "message"),
    [({}, "needs a dose above 0"), ({"night": "0"}, "needs a dose above 0"), ({"night": "-1"}, "negative")],
)
def test_regimen_rejects_zero_and_negative_doses(doses: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        regimen("lorazepam", **doses)


def test_regimen_rejects_text_that_is_not_a_number() -> None:
    with pytest.raises(EngineError, match="must be a number"):
        RegimenItem("lorazepam", {Slot.NIGHT: "one"})  # type: ignore[dict-item]


def test_switch_validates_its_parameters() -> None:
    with pytest.raises(EngineError, match="at least 1 day"):
        Switch(stage_days=0)
    with pytest.raises(EngineError, match="more than 0 mg"):
        Switch(max_de_per_stage_mg=Decimal(0))
    with pytest.raises(EngineError, match="each of morning"):
        Switch(slot_order=(Slot.NIGHT,))
