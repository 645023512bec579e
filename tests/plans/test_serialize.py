"""Plan requests and step inputs survive a trip through JSON exactly, whatever their fields hold.

The strategies set every field of every class (a test checks that they do), so a field the
serializer dropped, or one added to a class without a strategy here, fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import engine
from schedules.engine.serialize import (
    SerializationError,
    request_from_dict,
    request_to_dict,
    steps_from_list,
    steps_to_list,
)

DRUGS = ("diazepam", "lorazepam", "alprazolam", "clonazepam")
slots = st.sampled_from(list(engine.Slot))
doses_mg = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100), places=3)
text = st.text(max_size=20)
optional_decimal = st.none() | doses_mg
slot_orders = st.permutations(list(engine.Slot)).map(tuple)

# class -> {field: strategy}: every init field of each class the request holds.
FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    engine.RegimenItem: {
        "drug": st.sampled_from(DRUGS),
        "doses": st.dictionaries(slots, doses_mg, min_size=1),
    },
    engine.EquivalenceEntry: {
        "drug": st.sampled_from(DRUGS),
        "dose_mg": doses_mg,
        "min_mg": optional_decimal,
        "max_mg": optional_decimal,
        "verified": st.booleans(),
        "note": text,
    },
    engine.DrugInfo: {
        "name": st.sampled_from(DRUGS),
        "has_long_lived_active_metabolite": st.booleans(),
        "may_treat_epilepsy": st.booleans(),
        "liquid_available": st.booleans(),
        "short_acting": st.booleans(),
    },
    engine.Formulation: {
        "drug": st.sampled_from(DRUGS),
        "form": st.sampled_from(["tablet", "capsule", "oral solution"]),
        "strength_mg": doses_mg,
        "divisible": st.sampled_from(["whole", "half", "quarter"]),
        "is_liquid": st.none() | st.booleans(),
        "modified_release": st.booleans(),
        "id": st.none() | st.integers(min_value=1, max_value=10**6) | text,
        "market": st.none() | st.sampled_from(["US", "UK", "CA"]),
    },
    engine.PatientFactors: {
        "age": st.none() | st.integers(min_value=0, max_value=120),
        **{
            name: st.booleans()
            for name in (
                "hepatic_impairment",
                "pregnant",
                "opioid_co_use",
                "cns_depressant_co_use",
                "seizure_history",
            )
        },
    },
    engine.Switch: {
        "to_drug": st.sampled_from(["diazepam", "clonazepam"]),
        "stage_days": st.integers(min_value=1, max_value=28),
        "max_de_per_stage_mg": doses_mg,
        "slot_order": slot_orders,
    },
    engine.PercentMethod: {"percent": st.decimals(min_value=1, max_value=50, places=1)},
    engine.LinearMethod: {"step_mg": doses_mg},
    engine.BandsMethod: {"pace": st.sampled_from(["slow", "fast"])},
    engine.ScheduleWarning: {
        "code": text,
        "severity": st.sampled_from(["info", "warning", "danger"]),
        "message": text,
        "source": text,
        "step": st.none() | st.integers(min_value=1, max_value=200),
    },
}


def builds(cls: type) -> st.SearchStrategy[Any]:
    return st.builds(cls, **FIELDS[cls])


FIELDS[engine.EquivalenceTable] = {
    "key": text,
    "name": text,
    "citation": text,
    "reference_diazepam_mg": st.sampled_from([Decimal(5), Decimal(10)]),
    "entries": st.lists(builds(engine.EquivalenceEntry), max_size=4).map(tuple),
}
FIELDS[engine.PlanRequest] = {
    "regimen": st.lists(builds(engine.RegimenItem), min_size=1, max_size=3).map(tuple),
    "table": builds(engine.EquivalenceTable),
    "drugs": st.lists(builds(engine.DrugInfo), max_size=3).map(tuple),
    "formulations": st.lists(builds(engine.Formulation), max_size=5).map(tuple),
    "method": builds(engine.PercentMethod) | builds(engine.LinearMethod) | builds(engine.BandsMethod),
    "start": st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    "interval_days": st.none() | st.integers(min_value=1, max_value=90),
    "switch": st.none() | builds(engine.Switch),
    "target_daily_mg": optional_decimal,
    "patient": builds(engine.PatientFactors),
    "slot_order": slot_orders,
    "period_days": st.integers(min_value=1, max_value=90),
    "market": st.none() | st.sampled_from(["US", "UK", "CA"]),
    "liquid_strengths": st.lists(st.tuples(st.sampled_from(DRUGS), doses_mg), max_size=2).map(tuple),
    "liquid_step_ml": st.sampled_from([Decimal("0.1"), Decimal("0.2"), Decimal("0.5")]),
    "max_liquid_ml": st.decimals(min_value=1, max_value=20, places=1),
    "last_dose_de_mg": st.decimals(min_value=Decimal("0.1"), max_value=1, places=2),
    "spread_cuts": st.none() | st.booleans(),
}
FIELDS[engine.StepInput] = {
    "days": st.integers(min_value=1, max_value=120),
    "doses": st.dictionaries(
        st.sampled_from(DRUGS), st.dictionaries(slots, doses_mg, min_size=1), min_size=1
    ),
    "hold": st.booleans(),
    "phase": st.sampled_from(["switch", "taper", "hold"]),
    "flags": st.lists(builds(engine.ScheduleWarning), max_size=3).map(tuple),
}


def through_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda cls: cls.__name__)
def test_the_strategies_set_every_field(cls: type) -> None:
    """A field added to an engine class needs a strategy here, so its round trip is tested."""
    assert set(FIELDS[cls]) == {field.name for field in dataclasses.fields(cls) if field.init}


@settings(max_examples=200, deadline=None)
@given(builds(engine.PlanRequest))
def test_a_request_round_trips_exactly(request: engine.PlanRequest) -> None:
    assert request_from_dict(through_json(request_to_dict(request))) == request


@settings(max_examples=200, deadline=None)
@given(st.lists(builds(engine.StepInput), max_size=5))
def test_steps_round_trip_exactly(steps: list[engine.StepInput]) -> None:
    assert steps_from_list(through_json(steps_to_list(steps))) == steps


def test_decimals_keep_their_exact_digits() -> None:
    item = engine.RegimenItem(drug="lorazepam", doses={engine.Slot.NIGHT: Decimal("0.125")})
    request = dataclasses.replace(sample_request(), regimen=(item,))
    data = request_to_dict(request)
    assert data["regimen"][0]["doses"] == {"night": "0.125"}


def sample_request() -> engine.PlanRequest:
    return engine.PlanRequest(
        regimen=(engine.RegimenItem(drug="lorazepam", doses={engine.Slot.NIGHT: Decimal(1)}),),
        table=engine.EquivalenceTable(
            key="t",
            name="T",
            citation="c",
            reference_diazepam_mg=Decimal(10),
            entries=(engine.EquivalenceEntry("lorazepam", Decimal(1)),),
        ),
        drugs=(engine.DrugInfo("lorazepam"),),
        formulations=(engine.Formulation(drug="lorazepam", form="tablet", strength_mg=Decimal(1)),),
        method=engine.BandsMethod("fast"),
        start=dt.date(2027, 1, 4),
    )


def test_data_saved_before_a_field_existed_loads_with_its_default() -> None:
    data = request_to_dict(sample_request())
    del data["period_days"]
    del data["patient"]["pregnant"]
    loaded = request_from_dict(data)
    assert loaded.period_days == 28
    assert loaded.patient.pregnant is False


def test_a_field_the_class_no_longer_has_is_refused_not_dropped() -> None:
    data = request_to_dict(sample_request())
    data["tapering_speed"] = "fast"
    with pytest.raises(SerializationError, match="tapering_speed"):
        request_from_dict(data)


def test_the_method_is_loaded_as_the_class_it_was_saved_as() -> None:
    data = request_to_dict(sample_request())
    assert data["method"] == {"type": "BandsMethod", "pace": "fast"}
    data["method"]["type"] = "NoSuchMethod"
    with pytest.raises(SerializationError, match="PercentMethod, LinearMethod, BandsMethod"):
        request_from_dict(data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("start",), "04/01/2027", "not a date"),
        (("period_days",), "28", "whole number"),
        (("regimen", 0, "doses", "night"), 1.0, "decimal written as text"),
        (("regimen", 0, "doses", "night"), "NaN", "finite"),
        (("regimen", 0, "doses", "noon"), "1", "not a Slot"),
    ],
)
def test_damaged_data_is_refused_with_a_message(path: tuple[Any, ...], value: Any, message: str) -> None:
    data = request_to_dict(sample_request())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if path[-1] == "noon":
        target.pop("night")
    target[path[-1]] = value
    with pytest.raises(SerializationError, match=message):
        request_from_dict(data)
