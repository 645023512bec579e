"""Presenting a schedule: the stable JSON contract and a plain-text table for people.

This is the only place exact values are rounded: mg as exact floats, diazepam equivalents to
2 decimals, change to 1 decimal.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .doses import Unit
from .schedule import DispensingItem, DispensingPeriod, Dose, Schedule, ScheduleWarning, Step
from .types import Slot, format_de, format_mg, format_percent


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """The schedule as the command line's JSON contract (plain dicts, lists, str and float)."""
    return {
        "table": {"key": schedule.table.key, "name": schedule.table.name},
        "market": schedule.request.market,
        "target": _target_dict(schedule),
        "start_date": schedule.start_date.isoformat(),
        "end_date": schedule.end_date.isoformat(),
        "total_days": schedule.total_days,
        "steps": [_step_dict(step) for step in schedule.steps],
        "warnings": [_warning_dict(warning) for warning in schedule.warnings],
        "dispensing": [_period_dict(period) for period in schedule.dispensing],
    }


def _target_dict(schedule: Schedule) -> dict[str, Any] | None:
    """The end dose asked for, with the drug it is in (None: in mg diazepam-equivalent)."""
    request = schedule.request
    if request.target_daily_mg is None:
        return None
    drug = request.target_drug
    de = request.table.to_diazepam(drug, request.target_daily_mg) if drug else request.target_daily_mg
    return {
        "daily_mg": float(request.target_daily_mg),
        "drug": drug,
        "unit": "mg" if drug else "mg diazepam-equivalent",
        "diazepam_equivalent_mg": float(format_de(Fraction(de))),
        "text": request.describe_target(),
    }


def _step_dict(step: Step) -> dict[str, Any]:
    return {
        "number": step.number,
        "start_date": step.start_date.isoformat(),
        "end_date": step.end_date.isoformat(),
        "days": step.days,
        "hold": step.hold,
        "phase": step.phase,
        "doses": [_dose_dict(dose) for dose in step.doses],
        "daily_mg": {drug: float(mg) for drug, mg in step.daily_mg.items()},
        "diazepam_equivalent_mg": float(step.diazepam_equivalent_mg),
        "change_percent": float(step.change_percent) + 0.0,
    }


def _dose_dict(dose: Dose) -> dict[str, Any]:
    return {
        "drug": dose.drug,
        "slot": _SLOT_NAMES[dose.slot],
        "mg": float(dose.mg),
        "units": [_unit_dict(unit) for unit in dose.units],
    }


# Each time of day's plain name (an enum's ``value`` is looked up through a descriptor).
_SLOT_NAMES = {slot: slot.value for slot in Slot}


def _unit_dict(unit: Unit) -> dict[str, Any]:
    formulation = unit.formulation
    result: dict[str, Any] = {"form": formulation.form, "strength_mg": float(formulation.strength_mg)}
    if unit.volume_ml is not None:
        result["volume_ml"] = float(unit.volume_ml)
    else:
        assert unit.count is not None
        result["count"] = float(unit.count)
    return result


def warning_to_dict(warning: ScheduleWarning) -> dict[str, Any]:
    """One warning as in the JSON contract's "warnings" list."""
    return _warning_dict(warning)


def _warning_dict(warning: ScheduleWarning) -> dict[str, Any]:
    return {
        "code": warning.code,
        "severity": warning.severity,
        "step": warning.step,
        "message": warning.message,
        "source": warning.source,
    }


def _period_dict(period: DispensingPeriod) -> dict[str, Any]:
    return {
        "period_start": period.start_date.isoformat(),
        "period_end": period.end_date.isoformat(),
        "items": [_item_dict(item) for item in period.items],
    }


def _item_dict(item: DispensingItem) -> dict[str, Any]:
    formulation = item.formulation
    result: dict[str, Any] = {
        "drug": item.drug,
        "form": formulation.form,
        "strength_mg": float(formulation.strength_mg),
    }
    if item.volume_ml is not None:
        result["volume_ml"] = float(item.volume_ml)
    else:
        result["quantity"] = item.quantity
    return result


# Plain-text table ----------------------------------------------------------------------------

_HEADER = [
    "Step",
    "Dates",
    "Days",
    "Drug",
    *(s.value.capitalize() for s in Slot),
    "Daily",
    "DE/day",
    "Change",
]


def render_table(schedule: Schedule) -> str:
    """A readable plain-text schedule: the steps, then warnings with sources, then dispensing."""
    market = schedule.request.market
    lines = [
        f"Taper schedule using the {schedule.table.name}"
        + (f", with products of the {market} market" if market else ""),
        f"Starts {schedule.start_date.isoformat()}; {_ending(schedule)} "
        f"({_count(schedule.total_days, 'day')}, {_count(len(schedule.steps), 'step')})",
        "Doses in mg per time of day; tablets as count x strength, liquids in mL.",
        "",
        *_grid([_HEADER, *(row for step in schedule.steps for row in _step_rows(step))]),
        "",
        *_warning_lines(schedule.warnings),
        "",
        *_dispensing_lines(schedule.dispensing, schedule.request.period_days),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _ending(schedule: Schedule) -> str:
    if schedule.request.ends_with_stop:
        return f"nothing taken from {schedule.end_date.isoformat()}"
    return (
        f"target dose ({schedule.request.describe_target()}) continues from {schedule.end_date.isoformat()}"
    )


def _step_rows(step: Step) -> list[list[str]]:
    rows = []
    for index, drug in enumerate(step.daily_mg):
        cells = {dose.slot: _dose_cell(dose) for dose in step.doses if dose.drug == drug}
        first = index == 0
        label = f"{step.number}{' (hold)' if step.hold else _PHASE_LABELS.get(step.phase, '')}"
        rows.append(
            [
                label if first else "",
                f"{step.start_date.isoformat()} to {step.end_date.isoformat()}" if first else "",
                str(step.days) if first else "",
                drug,
                *(cells.get(slot, "-") for slot in Slot),
                f"{format_mg(step.daily_mg[drug])} mg",
                f"{format_de(step.diazepam_equivalent)} mg" if first else "",
                f"{_signed(step.change)}%" if first else "",
            ]
        )
    return rows


_PHASE_LABELS = {"switch": " (switch)"}


def _dose_cell(dose: Dose) -> str:
    units = " + ".join(unit.short() for unit in dose.units)
    return f"{format_mg(dose.mg)} mg ({units})"


def _signed(change: Fraction) -> str:
    text = format_percent(change)
    return f"+{text}" if change > 0 else text


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def _warning_lines(warnings: tuple[ScheduleWarning, ...]) -> list[str]:
    if not warnings:
        return ["Warnings: none"]
    lines = ["Warnings:"]
    for warning in warnings:
        where = f"step {warning.step}" if warning.step is not None else "schedule"
        lines.append(f"  [{warning.severity}] {where}, {warning.code}: {warning.message}")
        lines.append(f"      Source: {warning.source}")
    return lines


def _dispensing_lines(periods: tuple[DispensingPeriod, ...], period_days: int) -> list[str]:
    lines = [f"Dispensing ({period_days}-day periods):"]
    for period in periods:
        items = "; ".join(_item_text(item) for item in period.items)
        lines.append(f"  {period.start_date.isoformat()} to {period.end_date.isoformat()}: {items}")
    return lines


def _item_text(item: DispensingItem) -> str:
    what = f"{item.drug} {item.formulation.describe()}"
    if item.volume_ml is not None:
        return f"{what}: {format_mg(item.volume_ml)} mL"
    return f"{what}: {item.quantity}"
