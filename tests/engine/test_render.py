"""The JSON contract and the plain-text table."""

from __future__ import annotations

import json
from decimal import Decimal

from engine_builders import liquid, plan, regimen, tablets
from reference_data import load_table

from schedules.engine import PercentMethod, Switch, render_table, schedule_to_dict


def lorazepam_switch():
    return plan(
        regimen=[regimen("lorazepam", morning="1", night="1")],
        table=load_table("ashton"),
        formulations=[
            *tablets("lorazepam", "1"),
            *tablets("diazepam", "2", "5", "10"),
            liquid("diazepam", "1"),
        ],
        switch=Switch(),
    )


def test_json_contract_shape() -> None:
    data = schedule_to_dict(lorazepam_switch())
    assert list(data) == [
        "table",
        "market",
        "target",
        "start_date",
        "end_date",
        "total_days",
        "steps",
        "warnings",
        "dispensing",
    ]
    assert data["table"]["key"] == "ashton"
    assert data["start_date"] == "2027-01-04"
    step = data["steps"][0]
    assert list(step) == [
        "number", "start_date", "end_date", "days", "hold", "phase", "doses",
        "daily_mg", "diazepam_equivalent_mg", "change_percent",
    ]  # fmt: skip
    assert step["doses"][0] == {
        "drug": "lorazepam",
        "slot": "morning",
        "mg": 1.0,
        "units": [{"form": "tablet", "strength_mg": 1.0, "count": 1.0}],
    }
    assert step["daily_mg"] == {"lorazepam": 1.0, "diazepam": 10.0}
    assert step["diazepam_equivalent_mg"] == 20.0
    assert step["change_percent"] == 0.0
    period = data["dispensing"][0]
    assert list(period) == ["period_start", "period_end", "items"]
    assert {"drug", "form", "strength_mg", "quantity"} <= set(period["items"][0])
    json.dumps(data)  # only JSON types


def test_json_warnings_carry_code_severity_step_message_source() -> None:
    data = schedule_to_dict(lorazepam_switch())
    assert data["warnings"]
    for warning in data["warnings"]:
        assert list(warning) == ["code", "severity", "step", "message", "source"]


def test_json_liquid_units_give_volume() -> None:
    schedule = plan(
        regimen=[regimen("diazepam", night="0.5")],
        formulations=[liquid("diazepam", "1")],
        method=PercentMethod(Decimal(20)),
        last_dose_de_mg=Decimal("0.1"),  # below the 0.5 mg default, so 0.5 mg is tapered at all
    )
    data = schedule_to_dict(schedule)
    assert data["steps"][0]["doses"][0]["units"] == [
        {"form": "oral solution", "strength_mg": 1.0, "volume_ml": 0.4}
    ]
    assert data["steps"][0]["change_percent"] == -20.0
    assert data["dispensing"][0]["items"][0]["volume_ml"] == 9.8


def test_json_end_date_is_the_first_day_without_a_dose() -> None:
    data = schedule_to_dict(lorazepam_switch())
    last = data["steps"][-1]
    assert data["end_date"] > last["end_date"]
    assert data["total_days"] == sum(step["days"] for step in data["steps"])


def test_table_shows_doses_warnings_and_dispensing() -> None:
    text = render_table(lorazepam_switch())
    assert text.startswith("Taper schedule using the Ashton benzodiazepine equivalence table\n")
    assert "Morning" in text and "Night" in text
    assert "10 mg (1 x 10 mg)" in text
    assert "Warnings:" in text and "Source: " in text
    assert "Dispensing (28-day periods):" in text
    assert "diazepam 10 mg tablet:" in text
