"""Options side by side (issue 17): the plan as set up and up to two alternatives, each planned
in full, with the figures a prescriber and a patient weigh together.

The one place the alternatives are proposed and their figures worked out: the builder, the
patient's options sheet and ``manage.py taper --compare`` all call ``compare``, so they show the
same options with the same numbers. Each option is planned with ``planning.planned``, exactly as
the plan would be saved, so it keeps the patient's factors (age, hepatic impairment, pregnancy,
co-use), the clinic's market and products, the end point and the target (converted to the
option's drug).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from schedules import engine
from schedules.engine.types import format_mg
from schedules.plans.charts import OverlayChart, build_overlay
from schedules.plans.planning import PlanChoices, Reference, planned, target_in

# The pace range of the 2025 Joint Clinical Practice Guideline's algorithm (clinical-reference.md,
# JCPG-ALG): "Typical initial dose reduction: 5-10% every 2-4 weeks". Its two ends are the
# builder's presets jcpg-slow (5% every 4 weeks) and jcpg-standard (10% every 2 weeks).
SLOWEST = engine.PRESETS["jcpg-slow"]
FASTEST = engine.PRESETS["jcpg-standard"]
# NICE CKS bands: the slow and fast paces (engine presets cks-bands-slow, cks-bands-fast).
BAND_PRESETS = {"slow": engine.PRESETS["cks-bands-slow"], "fast": engine.PRESETS["cks-bands-fast"]}
# A switch to diazepam is not proposed at 65 or over (JCPG 2025, Table 8 footnote: its long-lived
# metabolites accumulate) nor with hepatic impairment (SPS: prefer an agent without active
# metabolites), as the builder does not suggest one (schedules.plans.forms.switch_suggestion).
OLDER_ADULT_AGE = 65
# JCPG 2025: "Generally not more than 25% every 2 weeks" (engine.checks, the 25%-in-14-days rule).
RULE_CUT = Fraction(1, 4)
KEPT_IN_WINDOW = 1 - RULE_CUT
RULE_WINDOW_DAYS = 14
MAX_ALTERNATIVES = 2
LETTERS = "ABC"
RATE_CODES = ("rate_over_25_percent_14_days", "drug_rate_over_25_percent_14_days")


class OptionsError(engine.EngineError):
    """The plan as set up cannot be compared (it cannot be planned)."""


@dataclass(frozen=True)
class Cut:
    """The largest reduction from one step to the next (the final stop excluded)."""

    percent: Decimal
    de_mg: Decimal
    step: int
    on: date


@dataclass(frozen=True)
class Summary:
    """What the prescriber and the patient weigh, for one option."""

    total_days: int
    start_date: date
    end_date: date
    ends_with_stop: bool
    steps: int
    start_de_mg: Decimal
    largest_cut: Cut | None
    days_over_rule: int
    dangers: int
    warnings: int
    products: tuple[str, ...]
    most_pieces_a_day: int
    first_period_days: int
    first_period: tuple[str, ...]

    @property
    def weeks(self) -> int:
        return (self.total_days + 6) // 7

    def as_dict(self) -> dict[str, Any]:
        cut = self.largest_cut
        return {
            "total_days": self.total_days,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "ends_with_stop": self.ends_with_stop,
            "steps": self.steps,
            "largest_cut": None
            if cut is None
            else {
                "percent": float(cut.percent),
                "diazepam_equivalent_mg": float(cut.de_mg),
                "step": cut.step,
                "date": cut.on.isoformat(),
            },
            "days_over_25_percent_in_14_days": self.days_over_rule,
            "dangers": self.dangers,
            "warnings": self.warnings,
            "products": list(self.products),
            "most_pieces_a_day": self.most_pieces_a_day,
            "first_period_days": self.first_period_days,
            "first_period": list(self.first_period),
        }


@dataclass(frozen=True)
class Option:
    """One option: ``key`` says how it differs from the plan as set up ("as-set" for that one)."""

    letter: str
    key: str
    label: str
    choices: PlanChoices
    schedule: engine.Schedule
    summary: Summary

    @property
    def settings(self) -> str:
        return describe_settings(self.choices)

    @cached_property
    def fingerprint(self) -> str:
        return _digest(
            self.schedule.start_date.isoformat(),
            [
                (
                    step.start_date.isoformat(),
                    step.end_date.isoformat(),
                    [(dose.drug, dose.slot.value, float(dose.mg)) for dose in step.doses],
                )
                for step in self.schedule.steps
            ],
        )

    @cached_property
    def chart_series(self) -> dict[str, Any]:
        """What the chart draws of the schedule: the schedule dict's dates and daily diazepam
        equivalents only (engine.schedule_to_dict's rounding), without making the whole dict."""
        schedule = self.schedule
        return {
            "start_date": schedule.start_date.isoformat(),
            "end_date": schedule.end_date.isoformat(),
            "steps": [
                {
                    "start_date": step.start_date.isoformat(),
                    "end_date": step.end_date.isoformat(),
                    "diazepam_equivalent_mg": float(step.diazepam_equivalent_mg),
                }
                for step in schedule.steps
            ],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "letter": self.letter,
            "key": self.key,
            "label": self.label,
            "settings": self.settings,
            "fingerprint": self.fingerprint,
            **self.summary.as_dict(),
        }


def fingerprint(schedule: Mapping[str, Any]) -> str:
    """A short digest of a schedule dict's dates and doses: the same plan gives the same one as its
    option's ``Option.fingerprint`` (the decision record says whether the saved plan is the option
    chosen, or was changed after)."""
    return _digest(
        schedule["start_date"],
        [
            (step["start_date"], step["end_date"], [(d["drug"], d["slot"], d["mg"]) for d in step["doses"]])
            for step in schedule["steps"]
        ],
    )


def _digest(start: str, steps: Sequence[tuple[str, str, Sequence[tuple[str, str, float]]]]) -> str:
    body = json.dumps([start, steps])
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def compare(
    choices: PlanChoices, reference: Reference | None = None, *, own: PlanChoices | None = None
) -> list[Option]:
    """The plan as set up (option A), then up to two alternatives (B, C), each planned in full.

    ``own``: settings the prescriber kept to compare (the builder's "Keep these settings as an
    option"), shown as option B before the app's alternatives; not offered when it cannot be
    planned or gives the same plan as option A.

    The alternatives, in order, take the first two that can be planned and differ from the
    options before them: a pace at the other end of the guideline's range (JCPG 2025: 5-10% every
    2-4 weeks; or the other NICE CKS band pace); with or without a switch to diazepam (none proposed
    at 65 or over or with hepatic impairment); tablets only or with an oral liquid top-up; the
    other end of the pace range. OptionsError when the plan as set up cannot be planned.
    """
    reference = reference or Reference()
    try:
        base = planned(choices, reference)
    except engine.EngineError as error:
        raise OptionsError(str(error)) from None
    options = [_option(0, "as-set", "As set up", choices, base)]
    seen = {options[0].fingerprint}
    kept = [("own", "Set up by you", own)] if own is not None else []
    for key, label, alternative in [*kept, *_candidates(choices, base, reference)]:
        if len(options) > MAX_ALTERNATIVES:
            break
        try:
            schedule = planned(alternative, reference)
        except engine.EngineError:
            continue  # this alternative cannot be made with the market's products: not offered
        option = _option(len(options), key, label, alternative, schedule)
        if option.fingerprint in seen:
            continue
        seen.add(option.fingerprint)
        options.append(option)
    return options


def _option(index: int, key: str, label: str, choices: PlanChoices, schedule: engine.Schedule) -> Option:
    return Option(
        letter=LETTERS[index],
        key=key,
        label=label,
        choices=choices,
        schedule=schedule,
        summary=summarise(schedule),
    )


def option_by_key(options: Sequence[Option], key: str) -> Option | None:
    return next((option for option in options if option.key == key), None)


# The alternatives ------------------------------------------------------------------------------


def _candidates(
    choices: PlanChoices, base: engine.Schedule, reference: Reference
) -> list[tuple[str, str, PlanChoices]]:
    paces = _paces(choices)
    candidates = paces[:1]
    switch = _switch_alternative(choices, base, reference)
    if switch is not None:
        candidates.append(switch)
    liquid = _liquid_alternative(choices, reference)
    if liquid is not None:
        candidates.append(liquid)
    return [*candidates, *paces[1:]]


def _interval(choices: PlanChoices) -> int:
    return choices.interval_days or choices.method.default_interval_days


def _paces(choices: PlanChoices) -> list[tuple[str, str, PlanChoices]]:
    """Slower then faster, within the guideline's range, where the plan's pace is not already there."""
    method = choices.method
    if isinstance(method, engine.BandsMethod):
        other = BAND_PRESETS["fast" if method.pace == "slow" else "slow"]
        key = "faster" if method.pace == "slow" else "slower"
        return [(key, f"{key.capitalize()}: {_preset_words(other)}", _with_preset(choices, other))]
    if not isinstance(method, engine.PercentMethod):
        return []
    rate = Fraction(method.percent) / _interval(choices)
    found = []
    for key, preset in (("slower", SLOWEST), ("faster", FASTEST)):
        assert isinstance(preset.method, engine.PercentMethod)
        pace = Fraction(preset.method.percent) / preset.interval_days
        if (key == "slower" and pace < rate) or (key == "faster" and pace > rate):
            label = f"{key.capitalize()}: {_preset_words(preset)} (the {'slow' if key == 'slower' else 'fast'} end of the 2025 Joint Guideline's range)"
            found.append((key, label, _with_preset(choices, preset)))
    return found


def _with_preset(choices: PlanChoices, preset: engine.Preset) -> PlanChoices:
    return replace(choices, method=preset.method, interval_days=preset.interval_days)


def _preset_words(preset: engine.Preset) -> str:
    return f"{preset.method.describe()} every {_every(preset.interval_days)}"


def _every(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return "week" if weeks == 1 else f"{weeks} weeks"
    return "day" if days == 1 else f"{days} days"


def _switch_alternative(
    choices: PlanChoices, base: engine.Schedule, reference: Reference
) -> tuple[str, str, PlanChoices] | None:
    taken = [item.drug for item in choices.regimen]
    if choices.switch_to is not None:
        drug = taken[0] if len(taken) == 1 else None
        names = " and ".join(taken)
        return (
            "no-switch",
            f"No switch: taper {names} directly",
            replace(
                choices,
                switch_to=None,
                strengths=None,
                liquid_strength=None,
                target_daily_mg=target_in(base, drug),
            ),
        )
    patient = choices.patient
    if taken == ["diazepam"] or (patient.age is not None and patient.age >= OLDER_ADULT_AGE):
        return None
    if patient.hepatic_impairment:
        return None
    label = (
        "Switch: move the other drugs onto the diazepam already taken first"
        if "diazepam" in taken
        else "Switch to diazepam first, then taper diazepam"
    )
    return (
        "switch",
        label,
        replace(
            choices,
            switch_to="diazepam",
            strengths=None,
            liquid_strength=None,
            target_daily_mg=target_in(base, "diazepam"),
        ),
    )


def _liquid_alternative(choices: PlanChoices, reference: Reference) -> tuple[str, str, PlanChoices] | None:
    if choices.liquid:
        return (
            "tablets",
            "Tablets only (no oral liquid)",
            replace(choices, liquid=False, liquid_strength=None),
        )
    tapered = choices.switch_to or (choices.regimen[0].drug if len(choices.regimen) == 1 else None)
    if tapered is None:
        return None
    drug = reference.drugs.get(tapered)
    market_liquids = [
        product
        for product in reference.products(choices.market)
        if drug is not None and product.drug_id == drug.pk and product.is_liquid and product.stocked
    ]
    if not market_liquids:
        return None
    return ("liquid", f"Tablets topped up with {tapered} oral liquid", replace(choices, liquid=True))


# The figures -------------------------------------------------------------------------------------


def summarise(schedule: engine.Schedule) -> Summary:
    steps = schedule.steps
    table = schedule.table
    start_de = sum(
        (table.to_diazepam(item.drug, mg) for item in schedule.request.regimen for mg in item.doses.values()),
        Fraction(0),
    )
    first = schedule.dispensing[0] if schedule.dispensing else None
    return Summary(
        total_days=schedule.total_days,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        ends_with_stop=schedule.request.ends_with_stop,
        steps=len(steps),
        start_de_mg=engine.round_de(start_de),
        largest_cut=_largest_cut(steps, start_de),
        days_over_rule=_days_over_rule(steps, start_de),
        dangers=sum(1 for w in schedule.warnings if w.severity == "danger"),
        warnings=sum(1 for w in schedule.warnings if w.severity == "warning"),
        products=_products(steps),
        most_pieces_a_day=max((_pieces(step) for step in steps), default=0),
        first_period_days=((first.end_date - first.start_date).days + 1) if first else 0,
        first_period=tuple(_dispensed(item) for item in first.items) if first else (),
    )


def _in_units(start_de: Fraction, steps: Sequence[engine.Step]) -> list[int]:
    """The regimen's and each step's daily diazepam equivalent as whole multiples of one common
    unit (exact: the least common multiple of their denominators), so that comparing them is
    integer arithmetic."""
    values = [start_de, *(step.diazepam_equivalent for step in steps)]
    scale = math.lcm(*(value.denominator for value in values))
    return [value.numerator * (scale // value.denominator) for value in values]


def _largest_cut(steps: Sequence[engine.Step], start_de: Fraction) -> Cut | None:
    """The largest cut as a share of the dose before it (the larger in mg where two are equal)."""
    units = _in_units(start_de, steps)
    best: tuple[int, int, int] | None = None  # (drop, dose before, step index), in units
    for index in range(len(steps)):
        before, after = units[index], units[index + 1]
        drop = before - after
        # drop / before > best_drop / best_before, compared without dividing
        if drop > 0 and (
            best is None
            or drop * best[1] > best[0] * before
            or (drop * best[1] == best[0] * before and drop > best[0])
        ):
            best = (drop, before, index)
    if best is None:
        return None
    step = steps[best[2]]
    before_de = start_de if best[2] == 0 else steps[best[2] - 1].diazepam_equivalent
    drop_de = before_de - step.diazepam_equivalent
    return Cut(
        percent=engine.round_fraction(drop_de / before_de * 100, places=1),
        de_mg=engine.round_de(drop_de),
        step=step.number,
        on=step.start_date,
    )


def _days_over_rule(steps: Sequence[engine.Step], start_de: Fraction) -> int:
    """Days on which the daily diazepam equivalent is more than 25% below the highest of the 14 days
    before (the regimen before the start counts for the days before it), while something is taken:
    the final stop from the last dose is the planned end point, not counted.

    Worked out per stretch of days rather than per day: within a step the highest of the window
    changes only when an earlier step's last day leaves it (14 days after that day)."""
    units = _in_units(start_de, steps)
    kept, whole = KEPT_IN_WINDOW.numerator, KEPT_IN_WINDOW.denominator
    # (first day, last day, daily DE in units) of the regimen before the start and of each step
    stretches: list[tuple[int, int, int]] = [(-RULE_WINDOW_DAYS, -1, units[0])]
    day = 0
    over = 0
    for step, de in zip(steps, units[1:], strict=True):
        first, last = day, day + step.days - 1
        # a stretch that ended 14 days or more before this step is in none of its windows
        stretches = [stretch for stretch in stretches if stretch[1] >= first - RULE_WINDOW_DAYS]
        leaving = sorted({end + RULE_WINDOW_DAYS + 1 for _, end, _ in stretches} | {first})
        starts = [d for d in leaving if first <= d <= last]
        for index, piece_start in enumerate(starts):
            piece_end = starts[index + 1] - 1 if index + 1 < len(starts) else last
            highest = max(
                (value for _, end, value in stretches if end >= piece_start - RULE_WINDOW_DAYS), default=0
            )
            if de * whole < highest * kept:
                over += piece_end - piece_start + 1
        stretches.append((first, last, de))
        day = last + 1
    return over


def _products(steps: Sequence[engine.Step]) -> tuple[str, ...]:
    found: dict[tuple[str, str, Decimal], str] = {}
    for step in steps:
        for dose in step.doses:
            for unit in dose.units:
                product = unit.formulation
                key = (product.drug, product.form, product.strength_mg)
                if key not in found:
                    found[key] = f"{product.drug} {product.describe()}"
    return tuple(found[key] for key in sorted(found))


def _pieces(step: engine.Step) -> int:
    """Things handled in a day: each whole tablet, each part tablet, each measure of liquid."""
    total = 0
    for dose in step.doses:
        for unit in dose.units:
            if unit.volume_ml is not None:
                total += 1
            else:
                assert unit.count is not None
                whole, part = divmod(unit.count, 1)
                total += int(whole) + (1 if part else 0)
    return total


def _dispensed(item: engine.DispensingItem) -> str:
    product = item.formulation
    if item.volume_ml is not None:
        return f"{format_mg(item.volume_ml)} mL of {product.drug} {product.describe()}"
    return f"{item.quantity} x {product.drug} {product.describe()}"


def describe_settings(choices: PlanChoices) -> str:
    """'10% of the current dose every 2 weeks; switch to diazepam first; tablets only'."""
    parts = [f"{choices.method.describe()} every {_every(_interval(choices))}"]
    parts.append(f"switch to {choices.switch_to} first" if choices.switch_to else "no switch")
    parts.append("tablets with an oral liquid top-up" if choices.liquid else "tablets only")
    if choices.target_daily_mg is not None:
        drug = choices.switch_to or (choices.regimen[0].drug if len(choices.regimen) == 1 else None)
        unit = f"mg {drug}" if drug else "mg diazepam-equivalent"
        parts.append(f"ends on {format_mg(choices.target_daily_mg)} {unit} a day")
    return "; ".join(parts)


def overlay(options: Sequence[Option], *, compact: bool = False) -> OverlayChart:
    """The options on one chart (schedules.plans.charts), for the builder and (``compact``) the
    options sheet."""
    return build_overlay(
        [(option.letter, option.label, option.chart_series) for option in options], compact=compact
    )


# The shared decision -----------------------------------------------------------------------------


def decision_record(options: Sequence[Option], chosen: Option, reason: str) -> dict[str, Any]:
    """What the saved version keeps of the choice: every option shown with its figures, which
    one was chosen and why."""
    return {
        "options": [option.as_dict() for option in options],
        "chosen": chosen.letter,
        "chosen_label": chosen.label,
        "chosen_fingerprint": chosen.fingerprint,
        "reason": reason.strip(),
    }


def confirmed(record: Mapping[str, Any], schedule: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` with ``saved_as_chosen``: whether the plan saved (a schedule dict) is the option
    chosen, or its settings were changed after the choice (said on the plan page and the PDF)."""
    return {**record, "saved_as_chosen": record.get("chosen_fingerprint") == fingerprint(schedule)}


# For the command line ------------------------------------------------------------------------------


def render_comparison(options: Sequence[Option]) -> str:
    """The options side by side as plain text (``manage.py taper --compare``): one column per
    option for the figures, then each option's settings, products and first dispensing."""
    rows: list[tuple[str, list[str]]] = [
        ("", [f"Option {option.letter}" for option in options]),
        ("Days", [str(option.summary.total_days) for option in options]),
        (
            "Nothing taken from" if options[0].summary.ends_with_stop else "Target from",
            [option.summary.end_date.isoformat() for option in options],
        ),
        ("Steps", [str(option.summary.steps) for option in options]),
        ("Largest cut", [_cut_text(option.summary.largest_cut) for option in options]),
        ("Days over 25% in 14 days", [str(option.summary.days_over_rule) for option in options]),
        ("Dangers", [str(option.summary.dangers) for option in options]),
        ("Warnings", [str(option.summary.warnings) for option in options]),
        ("Products", [str(len(option.summary.products)) for option in options]),
        ("Most pieces a day", [str(option.summary.most_pieces_a_day) for option in options]),
    ]
    label_width = max(len(label) for label, _ in rows)
    widths = [max(len(cells[i]) for _, cells in rows) for i in range(len(options))]
    lines = [
        "  ".join(
            [
                label.ljust(label_width),
                *(cell.rjust(width) for cell, width in zip(cells, widths, strict=True)),
            ]
        )
        for label, cells in rows
    ]
    for option in options:
        summary = option.summary
        lines += [
            "",
            f"Option {option.letter}: {option.label}",
            f"  settings: {option.settings}",
            f"  products: {', '.join(summary.products)}",
            f"  dispensed in the first {summary.first_period_days} days: {'; '.join(summary.first_period) or 'nothing'}",
        ]
    return "\n".join(lines) + "\n"


def _cut_text(cut: Cut | None) -> str:
    if cut is None:
        return "none"
    return f"{format_mg(cut.percent)}% ({format_mg(cut.de_mg)} mg DE) step {cut.step}"
