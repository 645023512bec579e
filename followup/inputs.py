"""What a check-in form gives the check-in workflow: plain values, already validated and converted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .models import Scale


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    hold_days: int | None = None
    slow_interval_days: int | None = None
    slow_percent: Decimal | None = None
    step_back_days: int | None = None
    refer_to: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CheckInInput:
    date: dt.date
    how: str
    scale: Scale
    responses: Mapping[int, int]
    total_score: int
    sleep: str
    decision: DecisionInput
    missed_doses: bool = False
    extra_doses: bool = False
    other_times: bool = False
    journal_days_missed: int | None = None
    journal_symptom_days: int | None = None
    cravings: bool = False
    alcohol: bool = False
    opioids: bool = False
    other_sedatives: bool = False
    note: str = ""
    review_done: bool = False
