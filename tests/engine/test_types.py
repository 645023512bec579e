"""Input types: formulations, equivalence tables, regimen validation."""

from __future__ import annotations

from dataclasses import fields
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from engine_builders import liquid, make_table, plan, regimen, tablets
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_data import load_table

from schedules.engine import (
    DispensingItem,
    DispensingPeriod,
    Dose,
    EngineError,
    Formulation,
    PercentMethod,
    RegimenItem,
    Slot,
    Step,
    Switch,
    round_fraction,
)
from schedules.engine.types import format_mg, format_percent


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


def _rounded_by_division(value: Fraction, places: int) -> Decimal:
    """How amounts for people were always rounded: divided out to at least 28 significant digits,
    then rounded half-up (the definition the quicker integer rounding must keep)."""
    digits = len(str(abs(value.numerator) // value.denominator)) + places + 2
    with localcontext(prec=max(28, digits)):
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@st.composite
def near_half_way(draw: st.DrawFn) -> tuple[Fraction, int]:
    """A value on, or a hair either side of, a half-way point of ``places`` decimals."""
    places = draw(st.integers(0, 6))
    half_way = Fraction(2 * draw(st.integers(-(10**6), 10**6)) + 1, 2 * 10**places)
    hair = Fraction(draw(st.integers(-3, 3)), draw(st.integers(1, 10**30)))
    return half_way + hair, places


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.tuples(st.fractions(), st.integers(0, 8)),
        st.tuples(
            st.builds(Fraction, st.integers(-(10**40), 10**40), st.integers(1, 10**40)), st.integers(0, 8)
        ),
        near_half_way(),
    )
)
def test_rounding_for_people_is_the_28_digit_division_rounded_half_up(case: tuple[Fraction, int]) -> None:
    value, places = case
    expected = _rounded_by_division(value, places)
    assert repr(round_fraction(value, places=places)) == repr(expected)  # "-0.0", "1.80" alike
    if places == 1:
        assert format_percent(value / 100) == format_mg(expected)


def test_the_engine_makes_its_results_as_their_constructors_do() -> None:
    """The engine builds its steps, doses and dispensing without their dataclass ``__init__``
    (schedule.made): each must be the very object the constructor makes, every field given."""
    schedule = plan(
        regimen=[regimen("alprazolam", morning="1", night="2")],
        formulations=[
            *tablets("alprazolam", "0.25", "0.5", "1"),
            *tablets("diazepam", "2", "5"),
            liquid("diazepam", "1"),
        ],
        switch=Switch(),
        method=PercentMethod(Decimal(10)),
    )
    made = [
        *schedule.steps,
        *(dose for step in schedule.steps for dose in step.doses),
        *schedule.dispensing,
        *(item for period in schedule.dispensing for item in period.items),
    ]
    assert {type(value) for value in made} == {Step, Dose, DispensingPeriod, DispensingItem}
    for value in made:
        constructed = type(value)(**{f.name: getattr(value, f.name) for f in fields(value)})
        assert vars(value) == vars(constructed) and value == constructed
