"""Template helpers for the plan pages (schedule dicts, versions, acknowledgements)."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from schedules import engine
from schedules.engine.serialize import request_drugs
from schedules.engine.types import format_de, format_mg

register = template.Library()

SEVERITY_ORDER = ("danger", "warning", "info")


@register.filter
def severity_counts(warnings: list[dict[str, Any]]) -> str:
    """'1 danger, 2 warnings, 3 info', most severe first."""
    counts = Counter(warning["severity"] for warning in warnings)
    parts = []
    for severity in SEVERITY_ORDER:
        if counts[severity]:
            noun = severity if severity == "info" or counts[severity] == 1 else f"{severity}s"
            parts.append(f"{counts[severity]} {noun}")
    return ", ".join(parts)


@register.filter
def conversion_lines(request: engine.PlanRequest) -> list[str]:
    """'lorazepam 1 mg = diazepam 10 mg' for each drug the plan gives, as the table states it."""
    table = request.table
    drugs = {item.drug for item in request.regimen} | ({request.switch.to_drug} if request.switch else set())
    reference = format_mg(table.reference_diazepam_mg)
    lines = []
    for drug in sorted(drugs):
        if drug == "diazepam" or drug not in table.drugs:
            continue
        entry = table.entry(drug)
        text = f"{drug} {format_mg(entry.dose_mg)} mg = diazepam {reference} mg"
        if entry.is_range:
            text += f" (the source gives {format_mg(entry.min_mg or entry.dose_mg)}–{format_mg(entry.max_mg or entry.dose_mg)} mg)"
        if not entry.verified:
            text += " (unverified)"
        lines.append(text)
    return lines or [f"diazepam {reference} mg"]


@register.filter
def plan_drugs(request: dict[str, Any]) -> set[str]:
    """The drugs a saved request gives (its regimen and switch drug), other than diazepam."""
    return request_drugs(request) - {"diazepam"} or {"diazepam"}


@register.filter
def dispensing_periods(periods: list[dict[str, Any]]) -> SafeString:
    """Each dispensing period's section (templates/plans/_dispensing.html), made in Python: a long
    plan has dozens of periods, and the preview is rendered on every change. Every value is
    escaped here as autoescaping would."""
    sections = []
    for period in periods:
        start, end = (dt.date.fromisoformat(period[key]) for key in ("period_start", "period_end"))
        dates = html.escape(f"{_day(start)} to {_day(end)}")
        items = "".join(f"<li>{html.escape(_item_line(item))}</li>" for item in period["items"])
        sections.append(
            f'\n  <section class="dispensing-period" aria-label="Dispensing {dates}">'
            f'\n    <h4 class="h6 mb-1">{dates}</h4>'
            f'\n    <ul class="list-unstyled mb-2">{items or _NOTHING_TO_DISPENSE}</ul>\n  </section>'
        )
    return SafeString("".join(sections))


_NOTHING_TO_DISPENSE = '<li class="text-body-secondary">Nothing to dispense.</li>'


def _item_line(item: dict[str, Any]) -> str:
    """'Diazepam 10 mg tablet: 140', 'Diazepam 1 mg/mL oral solution: 16.8 mL'."""
    strength = format_mg(Decimal(str(item["strength_mg"])))
    if item.get("volume_ml") is not None:
        amount = format_mg(Decimal(str(item["volume_ml"])).quantize(Decimal("0.1")))
        return f"{item['drug'].capitalize()} {strength} mg/mL {item['form']}: {amount} mL"
    return f"{item['drug'].capitalize()} {strength} mg {item['form']}: {item['quantity']}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b} {day.year}"


@register.filter
def fraction_mg(value: Fraction) -> str:
    """An exact amount (a Fraction) for people: at most 2 decimals."""
    return format_de(value)


@register.simple_tag
def outcome_cells(figures: Any, plans_url: str, extra: str = "", row: str = "") -> SafeString:
    """A row's figures as table cells (``outcome_cell``, each made by format_html), in one tag
    rather than one each."""
    return SafeString("".join(outcome_cell(figure, plans_url, extra, row) for figure in figures))


@register.simple_tag
def outcome_cell(figure: Any, plans_url: str, extra: str = "", row: str = "") -> str:
    """One figure of an Outcomes table (schedules.plans.outcomes.Figure) as a table cell: a link to
    the plans behind it when it counts any, or is a median of any (``plans_url``: the list of plans
    with the page's query; ``extra``: the row's own query, e.g. its drug)."""
    behind = figure.count if figure.count is not None else figure.base
    if not (figure.measure and behind):
        return format_html('<td class="text-end">{}</td>', figure.value)
    href = f"{plans_url}&measure={figure.measure}"
    what = f"{row}, {figure.label}" if row else figure.label
    return format_html(
        '<td class="text-end"><a href="{}" aria-label="{}">{}</a></td>',
        f"{href}&{extra}" if extra else href,
        f"{what}: {figure.value}, list the plans",
        figure.value,
    )
