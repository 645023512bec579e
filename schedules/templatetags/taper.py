"""Presentation of doses: milligrams without trailing zeros, rounded only for display."""

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django import template
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString

from schedules.plans.charts import ScorePoint, build_chart

register = template.Library()


@register.filter
def mg(value: Decimal | float | None, places: int = 3) -> str:
    """2.500 -> '2.5'; 40 -> '40'; None -> '—'. Rounds half up to `places` decimals for display."""
    if value is None:
        return "—"
    if type(value) is float:  # schedule dicts: the same few amounts on every step
        return _float_mg(value, int(places))
    return _mg(value, places)


@lru_cache(maxsize=4096)
def _float_mg(value: float, places: int) -> str:
    return _mg(value, places)


def _mg(value: Decimal | float, places: int) -> str:
    exact = Decimal(str(value))
    quantum = Decimal(1).scaleb(-int(places))
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    if not rounded and exact:
        # An amount above 0 is never shown as 0 (issue 14): two significant digits instead.
        rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1), rounding=ROUND_HALF_UP)
    return f"{rounded.normalize():f}"


@register.filter
def as_typed(value: object) -> str:
    """A form value as the user would type it: stored decimals without trailing zeros, typed text as is."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# Schedule dicts (engine.schedule_to_dict, the `manage.py taper --format json` contract) ----------
# Used by the shared step table and chart (templates/plans/_step_table.html, _chart.svg), on the
# web and in the printed plans alike.

SLOT_LABELS = {"morning": "Morning", "midday": "Midday", "evening": "Evening", "night": "Night"}
_LABELS = {label: html.escape(label) for label in SLOT_LABELS.values()}  # as attribute values
_EMPTY_CELLS = {
    label: f'<td class="dose dose--none" data-label="{_LABELS[label]}">–</td>' for label in _LABELS
}
PHASE_LABELS = {"switch": "Switch", "hold": "Hold", "taper": "Taper"}
_FRACTION_GLYPHS = {Decimal("0.25"): "¼", Decimal("0.5"): "½", Decimal("0.75"): "¾"}


@register.filter
def as_date(value: str | dt.date | None) -> dt.date | None:
    """An ISO date string from a schedule dict as a date, for the `date` filter."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


@register.filter
def count_text(count: float) -> str:
    """1.0 -> '1', 0.5 -> '½', 1.5 -> '1½', 2.25 -> '2¼': a tablet count as people write it."""
    return _count_text(count)


@lru_cache(maxsize=1024)  # a plan's steps use the same few counts
def _count_text(count: float) -> str:
    value = Decimal(str(count))
    whole, part = divmod(value, 1)
    if part == 0:
        return f"{whole:f}"
    glyph = _FRACTION_GLYPHS.get(part.normalize())
    if glyph is None:
        return mg(value)
    return f"{whole:f}{glyph}" if whole else glyph


@register.filter
def strength_text(unit: dict[str, Any]) -> str:
    """'2 mg tablet', or for a liquid the bottle strength as labelled: '2 mg/5 mL oral solution'."""
    return _strength_text(unit["strength_mg"], unit["form"], "volume_ml" in unit)


@lru_cache(maxsize=1024)  # a plan's steps use the same few products
def _strength_text(strength_mg: float | Decimal, form: str, liquid: bool) -> str:
    strength = Decimal(str(strength_mg))
    if not liquid:
        return f"{mg(strength)} mg {form}"
    per_5_ml = strength * 5
    # Oral solutions up to 1 mg/mL are labelled per 5 mL (diazepam 2 mg/5 mL, 5 mg/5 mL: formulations.csv).
    if strength <= 1 and per_5_ml == per_5_ml.to_integral_value():
        return f"{mg(per_5_ml)} mg/5 mL {form}"
    return f"{mg(strength)} mg/mL {form}"


@register.filter
def unit_text(unit: dict[str, Any]) -> str:
    """A count, a multiplication sign and the product ('1 x 2 mg tablet'), or '4 mL of 2 mg/5 mL oral solution'."""
    if "volume_ml" in unit:
        return f"{mg(unit['volume_ml'], 1)} mL of {strength_text(unit)}"
    return f"{count_text(unit['count'])} × {strength_text(unit)}"


@register.filter
def units_text(dose: dict[str, Any]) -> str:
    """What to take for one dose, its units joined by ' + ' ('1 x 2 mg tablet + 1/2 x 5 mg tablet')."""
    return " + ".join(unit_text(unit) for unit in dose["units"])


@register.filter
def slot_cells(step: dict[str, Any]) -> list[dict[str, Any]]:
    """The step's doses by time of day, every time of day present (an empty list when none)."""
    cells: dict[str, list[dict[str, Any]]] = {slot: [] for slot in SLOT_LABELS}
    for dose in step["doses"]:
        cells[dose["slot"]].append(dose)
    return [{"slot": slot, "label": SLOT_LABELS[slot], "doses": doses} for slot, doses in cells.items()]


@register.filter
def used_slots(schedule: dict[str, Any]) -> list[str]:
    """The times of day at which any step of the schedule has a dose, in the order a day runs."""
    used = {dose["slot"] for step in schedule["steps"] for dose in step["doses"]}
    return [slot for slot in SLOT_LABELS if slot in used]


@register.filter
def phase_label(step: dict[str, Any]) -> str:
    return PHASE_LABELS["hold"] if step["hold"] else PHASE_LABELS.get(step["phase"], step["phase"])


@register.filter
def signed_percent(change: float) -> str:
    """-10.0 -> '-10%' (with a typographic minus sign), 5 -> '+5%', 0 -> '0%' (1 decimal at most)."""
    text = mg(abs(change), 1)
    if text == "0":
        return "0%"
    return f"{'+' if change > 0 else '−'}{text}%"


@register.filter
def for_step(warnings: list[dict[str, Any]], number: int) -> list[dict[str, Any]]:
    """The warnings about step ``number``."""
    return [warning for warning in warnings if warning["step"] == number]


@register.filter
def plan_warnings(warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The warnings about the whole plan rather than one step."""
    return [warning for warning in warnings if warning["step"] is None]


@register.filter
def step_numbers(warnings: list[dict[str, Any]]) -> list[int]:
    """The steps that have a warning of their own, in order, each once."""
    return sorted({warning["step"] for warning in warnings if warning["step"] is not None})


@register.filter
def is_current(step: dict[str, Any], today: dt.date | str | None) -> bool:
    """Whether ``today`` falls within the step (no date, or an empty one, is never current)."""
    if not isinstance(today, dt.date):
        return False
    return step["start_date"] <= today.isoformat() <= step["end_date"]


@register.filter
def drug_name(name: str) -> str:
    return name[:1].upper() + name[1:]


@register.filter
def step_table_body(schedule: dict[str, Any], today: dt.date | str | None = None) -> SafeString:
    """The step table's ``<tbody>`` of each step (templates/plans/_step_table.html) as HTML: a
    long plan has over a hundred steps, and the preview is rendered on every change, so each row
    is one string here rather than a dozen template variables."""
    return SafeString("".join(_step_body(row) for row in step_rows(schedule, today)))


def _step_body(row: dict[str, Any]) -> str:
    """One step's ``<tbody>``: its row, and its warnings' row when it has any. The row's values
    are escaped already (``step_rows``); the warnings' are escaped here as autoescaping would."""
    warnings = ""
    if row["warnings"]:
        items = "".join(
            f'<li class="warning warning--{html.escape(warning["severity"])}">'
            f"{html.escape(warning['severity'][:1].upper() + warning['severity'][1:])}: "
            f"{html.escape(warning['message'])}<br>Source: {html.escape(warning['source'])}</li>"
            for warning in row["warnings"]
        )
        warnings = (
            f'\n    <tr class="step-warnings"><td colspan="9"><ul class="warning-list">{items}</ul></td></tr>'
        )
    return (
        f'\n  <tbody class="{row["classes"]}" id="step-{row["number"]}">'
        f'\n    <tr><th scope="row" class="step-number" data-label="Step">{row["head"]}</th>'
        f'<td class="step-dates" data-label="Dates">{row["when"]}</td>{row["cells"]}'
        f'<td class="num step-daily" data-label="Daily">{row["daily"]}</td>'
        f'<td class="num step-de" data-label="Diazepam equivalent">{row["de"]} mg</td>'
        f'<td class="num step-change" data-label="Change">{row["change"]}</td></tr>{warnings}'
        "\n  </tbody>"
    )


def step_rows(schedule: dict[str, Any], today: dt.date | str | None = None) -> list[dict[str, Any]]:
    """The step table's rows, each cell's text made once here (``step_table_body``).

    The same text as the filters above give one by one (``units_text``, ``mg``, ``signed_percent``,
    the ``date`` filter's "j M Y"), so the web page and the printed plan read the same. The four
    times of day are made here as ``<td>`` cells, and the lines of a cell joined with line breaks;
    every value is escaped here as autoescaping would, so a long plan costs a few variables per
    step, each output as it is, rather than a loop of filters per cell.
    """
    months = {number: str(name).title() for number, name in MONTHS_3.items()}

    def day_text(value: str) -> str:
        day = dt.date.fromisoformat(value)
        return f"{day.day} {months[day.month]} {day.year:04d}"

    lines: dict[tuple[Any, ...], str] = {}

    def dose_line(dose: dict[str, Any]) -> str:
        key = (dose["drug"], dose["mg"], *(tuple(unit.items()) for unit in dose["units"]))
        if key not in lines:
            text = f"{drug_name(dose['drug'])} {mg(dose['mg'])} mg: {units_text(dose)}"
            lines[key] = html.escape(text)
        return lines[key]

    def dose_cell(cell: dict[str, Any]) -> str:
        if not cell["doses"]:
            return _EMPTY_CELLS[cell["label"]]
        text = "<br>".join(dose_line(dose) for dose in cell["doses"])
        return f'<td class="dose" data-label="{_LABELS[cell["label"]]}">{text}</td>'

    by_step: dict[int, list[dict[str, Any]]] = {}
    for warning in schedule["warnings"]:
        if warning["step"] is not None:
            by_step.setdefault(warning["step"], []).append(warning)
    rows = []
    for step in schedule["steps"]:
        current = is_current(step, today)
        classes = f"step step--{step['phase']}"
        if step["hold"]:
            classes += " step--hold"
        if current:
            classes += " step--today"
        days = step["days"]
        number = str(step["number"])
        rows.append(
            {
                "number": _text(number),
                "classes": _text(classes),
                "head": _lines([number, phase_label(step), *(["Today"] if current else [])]),
                "when": _lines(
                    [
                        f"{day_text(step['start_date'])} to {day_text(step['end_date'])}",
                        f"({days} day{'' if days == 1 else 's'})",
                    ]
                ),
                "cells": SafeString("".join(dose_cell(cell) for cell in slot_cells(step))),
                "daily": _lines(
                    f"{drug_name(drug)} {mg(daily)} mg" for drug, daily in step["daily_mg"].items()
                ),
                "de": _text(mg(step["diazepam_equivalent_mg"], 2)),
                "change": _text(signed_percent(step["change_percent"])),
                "warnings": by_step.get(step["number"], []),
            }
        )
    return rows


# The step table's values are plain text escaped here, so SafeString marks them directly
# (mark_safe's checks for lazy text cost more than the escaping, on every value of every step).


def _lines(lines: Iterable[str]) -> SafeString:
    """Lines of text, escaped (as autoescaping would) and joined with line breaks."""
    return SafeString("<br>".join(html.escape(line) for line in lines))


def _text(text: str) -> SafeString:
    """``text`` escaped here as autoescaping would, so the template outputs it as it is."""
    return SafeString(html.escape(text))


@register.inclusion_tag("plans/_chart.svg")
def schedule_chart(
    schedule: dict[str, Any], today: dt.date | str | None = None, scores: Sequence[ScorePoint] = ()
) -> dict[str, Any]:
    """The chart of a schedule dict: `{% schedule_chart schedule today=today scores=scores %}`.

    ``today`` and ``scores`` may be missing from the caller's context (they resolve to "").
    """
    day = today if isinstance(today, dt.date) else None
    return {"chart": build_chart(schedule, today=day, scores=scores or ())}


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, key: str, number: int) -> str:
    """This page's query string with list ``key`` at page ``number`` (the other lists' pages and
    the search kept)."""
    query = context["request"].GET.copy()
    query[key] = str(number)
    return "?" + query.urlencode()
