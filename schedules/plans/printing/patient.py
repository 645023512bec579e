"""The patient's take-home schedule in plain words: what to take when, and the day-by-day journal.

Pure functions of the schedule dict (``engine.schedule_to_dict``); the template only lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from schedules.plans.steps import Step
from schedules.plans.today import with_changes
from schedules.templatetags.taper import SLOT_LABELS, mg

# More pieces than this are not drawn: the words say it and a row of drawings would not help.
MAX_DRAWN_PIECES = 6
_PART_WORDS = {Decimal("0.25"): "a quarter", Decimal("0.5"): "a half", Decimal("0.75"): "three quarters"}
_PIECE_KINDS = {Decimal("0.25"): "quarter", Decimal("0.5"): "half", Decimal("0.75"): "three-quarters"}


@dataclass(frozen=True)
class Take:
    """One thing to take at one time of day, in words, with the pieces to draw (may be empty)."""

    text: str
    pieces: tuple[str, ...]  # "whole", "half", "quarter", "three-quarters"


@dataclass(frozen=True)
class SlotTakes:
    slot: str
    label: str
    takes: tuple[Take, ...]


@dataclass(frozen=True)
class PatientStep:
    number: int
    start: dt.date
    end: dt.date
    days: int
    slots: tuple[SlotTakes, ...]
    change_words: str


@dataclass(frozen=True)
class JournalDay:
    date: dt.date
    slots: tuple[bool, ...]  # a dose is due at each used time of day
    new_dose: bool  # the first day of a step that changes the dose
    hold_starts: bool  # the first day of a step that keeps it


def used_slots(schedule: dict[str, Any]) -> list[str]:
    used = {dose["slot"] for step in schedule["steps"] for dose in step["doses"]}
    return [slot for slot in SLOT_LABELS if slot in used]


def uses_liquid(schedule: dict[str, Any]) -> bool:
    """Whether any dose is measured in mL (the schedule then says what mL means)."""
    return any(
        "volume_ml" in unit for step in schedule["steps"] for dose in step["doses"] for unit in dose["units"]
    )


def count_words(count: float, form: str) -> str:
    """'1 tablet', '2 tablets', 'half a tablet', '1 and a half tablets', 'a quarter of a tablet'."""
    value = Decimal(str(count))
    whole, part = divmod(value, 1)
    plural = f"{form}s" if not form.endswith("s") else form
    if part == 0:
        return f"{whole:f} {form if whole == 1 else plural}"
    part_words = _PART_WORDS.get(part.normalize())
    if part_words is None:
        return f"{mg(value)} {plural}"
    if whole == 0:
        return f"half a {form}" if part_words == "a half" else f"{part_words} of a {form}"
    return f"{whole:f} and {part_words} {plural}"


def pieces(count: float) -> tuple[str, ...]:
    value = Decimal(str(count))
    whole, part = divmod(value, 1)
    drawn = ["whole"] * int(whole)
    if part:
        kind = _PIECE_KINDS.get(part.normalize())
        if kind is None:
            return ()
        drawn.append(kind)
    return tuple(drawn) if len(drawn) <= MAX_DRAWN_PIECES else ()


def bottle_words(strength_mg: float) -> str:
    """'2 mg in 5 mL' for a 0.4 mg/mL liquid; '5 mg in 1 mL' for a concentrate."""
    strength = Decimal(str(strength_mg))
    per_5 = strength * 5
    if strength <= 1 and per_5 == per_5.to_integral_value():
        return f"{mg(per_5)} mg in 5 mL"
    return f"{mg(strength)} mg in 1 mL"


def take(drug: str, unit: dict[str, Any]) -> Take:
    name = drug.lower()
    if "volume_ml" in unit:
        return Take(
            f"{mg(unit['volume_ml'], 1)} mL of {name} liquid ({bottle_words(unit['strength_mg'])})", ()
        )
    form = unit["form"]
    what = f"{count_words(unit['count'], form)} of {name} {mg(unit['strength_mg'])} mg"
    return Take(what, pieces(unit["count"]) if "tablet" in form else ())


def patient_steps(
    schedule: dict[str, Any], *, steps: list[dict[str, Any]] | None = None
) -> list[PatientStep]:
    """``steps`` (default: every step of ``schedule``) in words, at the times of day the plan uses."""
    slots = used_slots(schedule)
    result = []
    chosen = None if steps is None else {id(step) for step in steps}
    for step, changes in with_changes(schedule["steps"]):
        if chosen is not None and id(step) not in chosen:
            continue
        by_slot: dict[str, list[Take]] = {slot: [] for slot in slots}
        for dose in step["doses"]:
            by_slot[dose["slot"]].extend(take(dose["drug"], unit) for unit in dose["units"])
        result.append(
            PatientStep(
                number=step["number"],
                start=dt.date.fromisoformat(step["start_date"]),
                end=dt.date.fromisoformat(step["end_date"]),
                days=step["days"],
                slots=tuple(SlotTakes(slot, SLOT_LABELS[slot], tuple(by_slot[slot])) for slot in slots),
                change_words=_change_words(step, changes),
            )
        )
    return result


def _change_words(step: Step, changes: bool) -> str:
    """A hold is the same dose, whatever the step is called; a step back is a little more."""
    if not changes:
        return "A hold: keep taking the same dose."
    if step["phase"] == "switch":
        return "Changing over to the new medicine."
    if step["change_percent"] < 0:
        return "A little less."
    if step["change_percent"] > 0:
        return "A little more."
    return "The same amount, at different times of day."


def journal(schedule: dict[str, Any], *, start: dt.date, days: int) -> list[JournalDay]:
    """One row a day from ``start``: which times of day have a dose, and where a new dose (or a
    hold, the same dose) starts."""
    slots = used_slots(schedule)
    steps = list(with_changes(schedule["steps"]))
    rows = []
    index = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        iso = day.isoformat()
        while index < len(steps) and steps[index][0]["end_date"] < iso:
            index += 1
        if index == len(steps) or steps[index][0]["start_date"] > iso:
            continue
        step, changes = steps[index]
        due = {dose["slot"] for dose in step["doses"]}
        first_day = step["start_date"] == iso
        rows.append(
            JournalDay(
                date=day,
                slots=tuple(slot in due for slot in slots),
                new_dose=first_day and changes,
                hold_starts=first_day and not changes,
            )
        )
    return rows


def steps_in_period(
    schedule: dict[str, Any], *, start: dt.date, weeks: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The steps printed in full (every step that has a day in the ``weeks`` from ``start``; every
    step when ``weeks`` is 0) and the later steps, for the overview."""
    steps = schedule["steps"]
    if not weeks:
        return list(steps), []
    first, end = start.isoformat(), (start + dt.timedelta(weeks=weeks)).isoformat()
    full = [step for step in steps if step["end_date"] >= first and step["start_date"] < end]
    later = [step for step in steps if step["start_date"] >= end]
    return full, later


@dataclass(frozen=True)
class OverviewRow:
    """A block of later steps: its dates, the daily dose at its start and at its end, its changes."""

    start: dt.date
    end: dt.date
    first_dose: str
    last_dose: str
    changes: int


# The overview fits one page: blocks of the review period, doubled while there would be more rows.
OVERVIEW_MAX_ROWS = 18


def overview(later: list[dict[str, Any]], *, block_weeks: int) -> list[OverviewRow]:
    """The later steps in blocks of ``block_weeks`` (or a multiple, to keep to one page)."""
    if not later:
        return []
    first = dt.date.fromisoformat(later[0]["start_date"])
    last = dt.date.fromisoformat(later[-1]["end_date"])
    weeks = max(block_weeks, 1)
    while ((last - first).days // 7) // weeks + 1 > OVERVIEW_MAX_ROWS:
        weeks *= 2
    blocks: dict[int, list[dict[str, Any]]] = {}
    for step in later:
        index = (dt.date.fromisoformat(step["start_date"]) - first).days // (weeks * 7)
        blocks.setdefault(index, []).append(step)
    return [
        OverviewRow(
            start=dt.date.fromisoformat(steps[0]["start_date"]),
            end=dt.date.fromisoformat(steps[-1]["end_date"]),
            first_dose=daily_words(steps[0]),
            last_dose=daily_words(steps[-1]),
            changes=len(steps),
        )
        for steps in blocks.values()
    ]


def daily_words(step: dict[str, Any]) -> str:
    """'diazepam 4.5 mg a day' (each drug taken in the step)."""
    return (
        " and ".join(f"{drug.lower()} {mg(value)} mg" for drug, value in step["daily_mg"].items()) + " a day"
    )
