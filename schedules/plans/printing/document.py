"""What a printed plan is made from: plain data, built from a saved plan version or an engine Schedule.

No request handling and no database here: a view or a command builds a ``PrintablePlan`` and the
renderer turns it into PDF bytes. The schedule is the ``engine.schedule_to_dict`` contract (the
same dict the plan pages and ``plan.json`` use); the equivalence table is the one the plan was
built with (a saved plan's frozen copy, never today's table).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from schedules import engine
from schedules.engine.types import format_de, format_mg

# Journal length: 12 weeks, because the 2025 Joint Clinical Practice Guideline (ASAM et al., J Gen
# Intern Med 2025, Rec 1) asks for a risk-benefit review at least every 3 months; the patient is
# given a new journal at that review.
JOURNAL_DAYS = 84
# The patient's schedule prints in full the steps of the period to that review (12 weeks, the same
# source), with a one-page overview of the rest; the print form offers other periods, 0 being
# every step.
DEFAULT_PERIOD_WEEKS = JOURNAL_DAYS // 7
PERIOD_WEEKS_CHOICES = (4, 8, DEFAULT_PERIOD_WEEKS, 26, 0)


class PaperSize(enum.StrEnum):
    A4 = "A4"
    LETTER = "Letter"

    @property
    def css_size(self) -> str:
        return "A4" if self is PaperSize.A4 else "letter"


@dataclass(frozen=True)
class ClinicDetails:
    """The clinic as the patient's schedule prints it: who to contact, how."""

    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    hours: str = ""
    # The emergency number where the clinic is (999 in the UK, 911 in the US and Canada).
    emergency_number: str = ""

    @property
    def contact_lines(self) -> tuple[str, ...]:
        lines = [
            self.address,
            f"Phone: {self.phone}" if self.phone else "",
            f"Email: {self.email}" if self.email else "",
        ]
        if self.hours:
            lines.append(f"Open: {self.hours}")
        return tuple(line for line in lines if line)


@dataclass(frozen=True)
class PatientIdentity:
    name: str
    date_of_birth: dt.date
    record_number: str


@dataclass(frozen=True)
class PlanIdentity:
    """Which saved plan and version this print is of; ``latest_version`` says if a newer one exists."""

    plan_id: int
    version: int
    status: str
    latest_version: int
    version_reason: str = ""
    version_saved_at: dt.datetime | None = None
    version_saved_by: str = ""

    @property
    def is_superseded(self) -> bool:
        return self.version < self.latest_version


@dataclass(frozen=True)
class PrintablePlan:
    """Everything both printed documents show.

    ``schedule``: the schedule dict. ``table``: the equivalence table used, with its citation.
    ``regimen``: the starting regimen. ``method_text``, ``switch_text`` and ``ending_text``: the
    method, pace, switch and end point in words. ``patient``/``plan``: None for a plan made on
    the command line (the header says so).
    """

    schedule: dict[str, Any]
    table: engine.EquivalenceTable
    regimen: tuple[engine.RegimenItem, ...]
    method_text: str
    switch_text: str
    ending_text: str
    printed_at: dt.datetime
    paper: PaperSize = PaperSize.A4
    period_days: int = 28
    clinic: ClinicDetails | None = None
    prescriber: str = ""
    patient: PatientIdentity | None = None
    plan: PlanIdentity | None = None
    journal_start: dt.date | None = None
    journal_days: int = 0
    # The patient's schedule: weeks from ``journal_start`` printed in full (0: every step).
    period_weeks: int = DEFAULT_PERIOD_WEEKS
    ends_with_stop: bool = True
    # The danger warnings the prescriber acknowledged, each with its reason, who and when
    # (PlanVersion.acknowledgements): printed on the clinician's plan.
    acknowledgements: tuple[dict[str, Any], ...] = ()
    # The options compared with the patient and the one chosen, with the reason
    # (PlanVersion.decision, issue 17): printed on the clinician's plan.
    decision: dict[str, Any] | None = None

    @property
    def starting_de_mg(self) -> str:
        total = sum(
            (self.table.to_diazepam(item.drug, mg) for item in self.regimen for mg in item.doses.values()),
            Fraction(0),
        )
        return format_de(total)

    @property
    def equivalences_used(self) -> list[dict[str, Any]]:
        """The table's values for every drug in the plan, as the table states them."""
        drugs = sorted(
            {item.drug for item in self.regimen}
            | {d["drug"] for s in self.schedule["steps"] for d in s["doses"]}
        )
        rows = []
        for drug in drugs:
            entry = self.table.entry(drug)
            rows.append(
                {
                    "drug": drug,
                    "dose_mg": format_mg(entry.dose_mg),
                    "range": (
                        f"{format_mg(entry.min_mg)}–{format_mg(entry.max_mg)} mg"
                        if entry.is_range and entry.min_mg is not None and entry.max_mg is not None
                        else ""
                    ),
                    "verified": entry.verified,
                    "note": entry.note,
                    "reference_mg": format_mg(self.table.reference_diazepam_mg),
                }
            )
        return rows


def period_start(schedule: dict[str, Any], *, today: dt.date) -> dt.date:
    """The first day of the step current on ``today``; the plan's start before it began or after it ended."""
    start = dt.date.fromisoformat(schedule["start_date"])
    for step in schedule["steps"]:
        if step["start_date"] <= today.isoformat() <= step["end_date"]:
            return dt.date.fromisoformat(step["start_date"])
    return start


def journal_length(schedule: dict[str, Any], *, start: dt.date, days: int = JOURNAL_DAYS) -> int:
    """Days from ``start`` to the last day of the plan, ``days`` at most."""
    last = dt.date.fromisoformat(schedule["steps"][-1]["end_date"]) if schedule["steps"] else start
    return max(min(days, (last - start).days + 1), 0)


def journal_window(
    schedule: dict[str, Any], *, today: dt.date, days: int = JOURNAL_DAYS
) -> tuple[dt.date, int]:
    """From the first day of the step current on ``today`` (or the plan's start), ``days`` long at most."""
    first = period_start(schedule, today=today)
    return first, journal_length(schedule, start=first, days=days)


def describe_request(request: engine.PlanRequest) -> tuple[str, str, str]:
    """The method and pace, the switch, and the end point of a plan request, in words."""
    interval = request.interval_days or request.method.default_interval_days
    method = f"{request.method.describe()} every {_days(interval)}"
    if request.switch is None:
        switch = "No switch."
    else:
        s = request.switch
        switch = (
            f"Switch to {s.to_drug} first, one time of day per stage "
            f"({', '.join(slot.value for slot in s.slot_order)}), stages of {_days(s.stage_days)}, "
            f"at most {format_mg(s.max_de_per_stage_mg)} mg diazepam equivalent moved per stage."
        )
    if request.ends_with_stop:
        ending = (
            "Taper to stop; the last dose before stopping is no lower than "
            f"{format_mg(request.last_dose_de_mg)} mg diazepam-equivalent a day."
        )
    else:
        ending = f"Taper to a target of {request.describe_target()}, then continue at that dose."
    return method, switch, ending


def _days(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def from_schedule(
    schedule: engine.Schedule,
    *,
    printed_at: dt.datetime,
    paper: PaperSize = PaperSize.A4,
    today: dt.date | None = None,
) -> PrintablePlan:
    """A plan planned on the command line: no patient, no clinic, no saved version."""
    data = engine.schedule_to_dict(schedule)
    method, switch, ending = describe_request(schedule.request)
    journal_start, journal_days = journal_window(data, today=today or printed_at.date())
    return PrintablePlan(
        schedule=data,
        table=schedule.table,
        regimen=schedule.request.regimen,
        method_text=method,
        switch_text=switch,
        ending_text=ending,
        printed_at=printed_at,
        paper=paper,
        period_days=schedule.request.period_days,
        journal_start=journal_start,
        journal_days=journal_days,
        ends_with_stop=schedule.request.ends_with_stop,
    )


def regimen_rows(
    regimen: tuple[engine.RegimenItem, ...], table: engine.EquivalenceTable
) -> list[dict[str, Any]]:
    """The starting regimen for the table: mg at each time of day, daily mg and its equivalent."""
    rows = []
    for item in regimen:
        de = sum((table.to_diazepam(item.drug, mg) for mg in item.doses.values()), Fraction(0))
        rows.append(
            {
                "drug": item.drug,
                "doses": [format_mg(item.doses[slot]) if slot in item.doses else "" for slot in engine.Slot],
                "daily_mg": format_mg(sum(item.doses.values(), Decimal(0))),
                "de_mg": format_de(de),
            }
        )
    return rows
