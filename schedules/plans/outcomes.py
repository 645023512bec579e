"""What a clinic's tapering achieves: the Outcomes page's figures, and the plans behind each one.

Everything is read from indexed columns and step rows with a fixed number of aggregate queries,
whatever the number of plans; no saved schedule (a version's JSON) is ever loaded. One query reads
a few facts of each taper (``TaperFacts``); the figures and the drill-down lists are both computed
from those facts, so a number and the list behind it cannot disagree.

Definitions (the page and README say the same):

- A *taper* is a plan that has been activated (drafts are left out).
- It *started* on the first day of step 1 of its first activated version.
- It *ended* on the day the version that completed or stopped it was saved.
- *Completed*: its prescriber marked it completed (its end point or target reached).
- *Reached its end point by 6 (12) months*: completed within 182 (365) days of its start; the share
  counts only tapers started in the period whose start was at least that long ago.
- *Time to completion*: days from the start to the completion, of completed tapers started in the period.
- *Dose at the start*: the daily diazepam equivalent of step 1 of the first activated version.
  *Dose now*: that of the step in force today in the current version (for a paused taper, on the day
  it was paused; for an ended one, on the day it ended); none left after the last step is 0 mg.
- *Active at the end of a month*: started by then and not yet completed or stopped (a paused
  spell included). *Pauses* count the pauses begun in the month.
- *Check-ins due*: the dose changes in the period of the tapers' current versions (the default
  cadence asks for a check-in at each); *overdue*: a current taper whose next check-in or 3-monthly
  risk and benefit review (JCPG 2025 Recommendation 1) falls before today.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth

from followup.models import CheckIn
from schedules.models import Clinic, Plan, PlanStep, PlanVersion

SIX_MONTHS_DAYS = 182
TWELVE_MONTHS_DAYS = 365
HALVED = Decimal("0.5")
# Counts below this are written "fewer than 5" in the exported summary (a small count may identify).
SMALL_COUNT = 5

MEASURES = {
    "started": "Started",
    "active": "Active at the end of the month",
    "paused": "Pauses begun",
    "completed": "Completed",
    "stopped": "Stopped",
    "completed_6": "Reached the end point by 6 months",
    "completed_12": "Reached the end point by 12 months",
    "halved": "Dose fallen by at least 50%",
    "checkin_overdue": "Check-in overdue",
    "review_overdue": "Review overdue",
}


class ScopeError(ValueError):
    """A clinic the user may not see, or a range that is not one."""


@dataclass(frozen=True)
class Scope:
    """The clinics and the date range (both ends included) the figures are for."""

    clinics: tuple[Clinic, ...]
    start: dt.date
    end: dt.date
    today: dt.date


def clinics_for(user: AbstractUser) -> QuerySet[Clinic]:
    """The clinics whose outcomes the user may see: those they prescribe in, and those they manage."""
    prescribes = Q(members=user) if user.has_perm("schedules.change_plan") else Q(pk__in=[])
    return Clinic.objects.filter(prescribes | Q(managers__user=user)).distinct().order_by("name")


def may_see_outcomes(user: AbstractUser) -> bool:
    return clinics_for(user).exists()


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter ``day`` falls in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


# The facts of each taper -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaperFacts:
    plan_id: int
    status: str
    started_on: dt.date | None
    ended_on: dt.date | None
    start_mg: Decimal | None
    now_mg: Decimal | None
    next_checkin_on: dt.date | None
    next_review_on: dt.date | None

    @property
    def days_to_completion(self) -> int | None:
        if self.status != Plan.Status.COMPLETED or self.started_on is None or self.ended_on is None:
            return None
        return (self.ended_on - self.started_on).days

    def completed_within(self, days: int) -> bool:
        taken = self.days_to_completion
        return taken is not None and taken <= days

    @property
    def halved(self) -> bool:
        return (
            self.start_mg is not None
            and self.now_mg is not None
            and self.start_mg > 0
            and self.now_mg <= self.start_mg * HALVED
        )

    def active_at(self, day: dt.date) -> bool:
        return (
            self.started_on is not None
            and self.started_on <= day
            and (self.ended_on is None or self.ended_on > day)
        )


def tapers_of(clinics: Iterable[Clinic]) -> QuerySet[Plan]:
    return Plan.objects.filter(patient__clinic__in=list(clinics)).exclude(status=Plan.Status.DRAFT)


def taper_facts(plans: QuerySet[Plan], today: dt.date) -> list[TaperFacts]:
    """One query: each taper's start, end, doses and follow-up dates."""
    first_step = PlanStep.objects.filter(version__plan=OuterRef("pk"), number=1).exclude(
        version__status=Plan.Status.DRAFT
    )
    first_step = first_step.order_by("version__number")
    as_of = Case(
        When(status=Plan.Status.PAUSED, then=F("paused_on")),
        When(status__in=Plan.ENDED_STATUSES, then=TruncDate("current_version__created_at")),
        default=Value(today),
        output_field=DateField(),
    )
    in_force = PlanStep.objects.filter(
        version=OuterRef("current_version"), start_date__lte=OuterRef("as_of")
    ).order_by("-start_date")
    rows = (
        plans.annotate(
            started_on=Subquery(first_step.values("start_date")[:1]),
            start_mg=Subquery(first_step.values("diazepam_mg")[:1]),
            ended_on=Case(
                When(status__in=Plan.ENDED_STATUSES, then=TruncDate("current_version__created_at")),
                output_field=DateField(),
            ),
            as_of=as_of,
            in_force_mg=Subquery(in_force.values("diazepam_mg")[:1]),
        )
        .order_by()
        .values_list(
            "pk",
            "status",
            "started_on",
            "ended_on",
            "start_mg",
            "in_force_mg",
            "as_of",
            "ends_on",
            "next_checkin_on",
            "next_review_on",
        )
    )
    facts = []
    for pk, status, started, ended, start_mg, in_force_mg, day, ends_on, checkin, review in rows:
        if ends_on is not None and day is not None and day >= ends_on:
            now_mg: Decimal | None = Decimal(0)  # past the last step: no dose left
        elif in_force_mg is None:
            now_mg = start_mg  # before the first step: still on the dose the taper starts from
        else:
            now_mg = in_force_mg
        facts.append(TaperFacts(pk, status, started, ended, start_mg, now_mg, checkin, review))
    return facts


# The figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first_day: dt.date
    started: int
    active: int
    paused: int
    completed: int
    stopped: int

    @property
    def key(self) -> str:
        return f"{self.first_day:%Y-%m}"


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``; ``None`` as a percentage when nothing is counted."""

    count: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.of) if self.of else None


@dataclass(frozen=True)
class Outcomes:
    scope: Scope
    months: tuple[Month, ...]
    started: int
    completed: int
    stopped: int
    stopped_through_checkin: int
    completed_6: Share
    completed_12: Share
    median_days_to_completion: float | None
    median_start_mg: Decimal | None
    median_now_mg: Decimal | None
    start_mg_quartiles: tuple[Decimal, Decimal] | None
    now_mg_quartiles: tuple[Decimal, Decimal] | None
    halved: Share
    checkins_done: int
    checkins_due: int
    checkin_overdue: int
    review_overdue: int
    current: int


def outcomes(scope: Scope) -> Outcomes:
    """The figures of the scope's tapers: four queries, whatever their number."""
    plans = tapers_of(scope.clinics)
    facts = taper_facts(plans, scope.today)
    in_period = [f for f in facts if f.started_on and scope.start <= f.started_on <= scope.end]
    pauses = Counter(
        dict(
            PlanVersion.objects.filter(
                plan__in=plans,
                change=PlanVersion.Change.PAUSED,
                created_at__date__range=(scope.start, scope.end),
            )
            .annotate(month=TruncMonth("created_at", output_field=DateField()))
            .values_list("month")
            .annotate(n=Count("pk"))
            .values_list("month", "n")
        )
    )
    ended_in = [f for f in facts if f.ended_on and scope.start <= f.ended_on <= scope.end]
    completed = [f for f in in_period if f.days_to_completion is not None]
    follow = _follow_up(plans, scope)
    starts = [f.start_mg for f in in_period if f.start_mg is not None]
    nows = [f.now_mg for f in in_period if f.now_mg is not None]
    return Outcomes(
        scope=scope,
        months=tuple(_months(scope, facts, pauses)),
        started=len(in_period),
        completed=sum(f.status == Plan.Status.COMPLETED for f in ended_in),
        stopped=sum(f.status == Plan.Status.STOPPED for f in ended_in),
        stopped_through_checkin=_stopped_through_checkin(plans, scope),
        completed_6=_share_within(in_period, SIX_MONTHS_DAYS, scope.today),
        completed_12=_share_within(in_period, TWELVE_MONTHS_DAYS, scope.today),
        median_days_to_completion=_median([f.days_to_completion or 0 for f in completed]),
        median_start_mg=_median_mg(starts),
        median_now_mg=_median_mg(nows),
        start_mg_quartiles=_quartiles(starts),
        now_mg_quartiles=_quartiles(nows),
        halved=Share(sum(f.halved for f in in_period), sum(f.start_mg is not None for f in in_period)),
        checkins_done=follow["done"],
        checkins_due=follow["due"],
        checkin_overdue=sum(_checkin_overdue(f, scope.today) for f in facts),
        review_overdue=sum(_review_overdue(f, scope.today) for f in facts),
        current=sum(f.status in Plan.CURRENT_STATUSES for f in facts),
    )


def _months(scope: Scope, facts: Sequence[TaperFacts], pauses: Counter[dt.date]) -> Iterable[Month]:
    first = scope.start.replace(day=1)
    while first <= scope.end:
        low, last = _bounds(scope, first)
        yield Month(
            first_day=first,
            started=sum(bool(f.started_on and low <= f.started_on <= last) for f in facts),
            active=sum(f.active_at(last) for f in facts),
            paused=pauses.get(first, 0),
            completed=sum(_ended_between(f, Plan.Status.COMPLETED, low, last) for f in facts),
            stopped=sum(_ended_between(f, Plan.Status.STOPPED, low, last) for f in facts),
        )
        first = _next_month(first)


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _bounds(scope: Scope, month: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days a figure counts: a month of the period (ending with it), or the whole period."""
    if month is None:
        return scope.start, scope.end
    return max(month, scope.start), min(_next_month(month) - dt.timedelta(days=1), scope.end)


def _ended_between(facts: TaperFacts, status: str, first: dt.date, last: dt.date) -> bool:
    return facts.status == status and facts.ended_on is not None and first <= facts.ended_on <= last


def _followed_for(facts: TaperFacts, days: int, today: dt.date) -> bool:
    return facts.started_on is not None and (today - facts.started_on).days >= days


def _share_within(in_period: Sequence[TaperFacts], days: int, today: dt.date) -> Share:
    followed = [f for f in in_period if _followed_for(f, days, today)]
    return Share(sum(f.completed_within(days) for f in followed), len(followed))


def _checkin_overdue(facts: TaperFacts, today: dt.date) -> bool:
    return facts.status in Plan.CURRENT_STATUSES and bool(
        facts.next_checkin_on and facts.next_checkin_on < today
    )


def _review_overdue(facts: TaperFacts, today: dt.date) -> bool:
    return facts.status in Plan.CURRENT_STATUSES and bool(
        facts.next_review_on and facts.next_review_on < today
    )


def _median(values: Sequence[int]) -> float | None:
    return statistics.median(values) if values else None


def _median_mg(values: Sequence[Decimal]) -> Decimal | None:
    return Decimal(statistics.median(values)).quantize(Decimal("0.1")) if values else None


def _quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal] | None:
    """The lower and upper quartiles (inclusive method), when there are at least two values."""
    if len(values) < 2:
        return None
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return Decimal(low).quantize(Decimal("0.1")), Decimal(high).quantize(Decimal("0.1"))


def _follow_up(plans: QuerySet[Plan], scope: Scope) -> dict[str, int]:
    done = CheckIn.objects.filter(plan__in=plans, date__range=(scope.start, scope.end)).count()
    due = PlanStep.objects.filter(
        version__in=plans.values("current_version"),
        changes_dose=True,
        number__gt=1,
        start_date__range=(scope.start, scope.end),
    ).count()
    return {"done": done, "due": due}


def _stopped_through_checkin(plans: QuerySet[Plan], scope: Scope) -> int:
    """Stopped in the period by a check-in's decision (the rest were stopped from the plan page)."""
    return PlanVersion.objects.filter(
        plan__in=plans.filter(status=Plan.Status.STOPPED),
        change=PlanVersion.Change.STOPPED,
        created_at__date__range=(scope.start, scope.end),
        checkin__isnull=False,
    ).count()


# The plans behind a number ---------------------------------------------------------------------------


def plans_behind(user: AbstractUser, scope: Scope, measure: str, month: dt.date | None) -> QuerySet[Plan]:
    """The plans a figure counts, among those the user may open (``Plan.objects.visible_to``)."""
    if measure not in MEASURES:
        raise ScopeError("There is no such figure.")
    plans = tapers_of(scope.clinics)
    if measure == "paused":
        start, end = _bounds(scope, month)
        ids = set(
            PlanVersion.objects.filter(
                plan__in=plans, change=PlanVersion.Change.PAUSED, created_at__date__range=(start, end)
            ).values_list("plan_id", flat=True)
        )
    else:
        ids = {f.plan_id for f in taper_facts(plans, scope.today) if _counts(f, scope, measure, month)}
    return (
        Plan.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("patient__clinic", "current_version")
        .order_by("patient__family_name", "patient__given_name", "pk")
    )


def _counts(facts: TaperFacts, scope: Scope, measure: str, month: dt.date | None) -> bool:
    first, last = _bounds(scope, month)
    started = facts.started_on is not None and first <= facts.started_on <= last
    tests = {
        "started": lambda: started,
        "active": lambda: facts.active_at(last),
        "completed": lambda: _ended_between(facts, Plan.Status.COMPLETED, first, last),
        "stopped": lambda: _ended_between(facts, Plan.Status.STOPPED, first, last),
        "completed_6": lambda: (
            started
            and _followed_for(facts, SIX_MONTHS_DAYS, scope.today)
            and facts.completed_within(SIX_MONTHS_DAYS)
        ),
        "completed_12": lambda: (
            started
            and _followed_for(facts, TWELVE_MONTHS_DAYS, scope.today)
            and facts.completed_within(TWELVE_MONTHS_DAYS)
        ),
        "halved": lambda: started and facts.halved,
        "checkin_overdue": lambda: _checkin_overdue(facts, scope.today),
        "review_overdue": lambda: _review_overdue(facts, scope.today),
    }
    return tests[measure]()


# The tables, for the page and the CSV ------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One line of the summary: what it counts, its value as written, and the figure behind it."""

    label: str
    value: str
    measure: str | None = None
    count: int | None = None


def summary(result: Outcomes) -> tuple[Figure, ...]:
    def share(item: Share) -> str:
        return (
            "no taper followed that long"
            if item.percent is None
            else f"{item.percent}% ({item.count} of {item.of})"
        )

    def mg(median: Decimal | None, quartiles: tuple[Decimal, Decimal] | None) -> str:
        if median is None:
            return "none"
        spread = f" (quartiles {quartiles[0]}–{quartiles[1]} mg)" if quartiles else ""
        return f"{median} mg{spread}"

    days = result.median_days_to_completion
    return (
        Figure("Tapers started", str(result.started), "started", result.started),
        Figure("Completed in the period", str(result.completed), "completed", result.completed),
        Figure("Stopped in the period", str(result.stopped), "stopped", result.stopped),
        Figure(
            "of which stopped by a check-in's decision",
            str(result.stopped_through_checkin),
            None,
            result.stopped_through_checkin,
        ),
        Figure(
            "Reached the end point by 6 months",
            share(result.completed_6),
            "completed_6",
            result.completed_6.count,
        ),
        Figure(
            "Reached the end point by 12 months",
            share(result.completed_12),
            "completed_12",
            result.completed_12.count,
        ),
        Figure("Median time to completion", "none completed" if days is None else f"{days:g} days"),
        Figure(
            "Daily diazepam equivalent at the start (median)",
            mg(result.median_start_mg, result.start_mg_quartiles),
        ),
        Figure("Daily diazepam equivalent now (median)", mg(result.median_now_mg, result.now_mg_quartiles)),
        Figure("Dose fallen by at least 50%", share(result.halved), "halved", result.halved.count),
        Figure("Check-ins recorded in the period", str(result.checkins_done), None, result.checkins_done),
        Figure(
            "Check-ins due (dose changes in the period)", str(result.checkins_due), None, result.checkins_due
        ),
        Figure(
            "Current tapers with a check-in overdue today",
            str(result.checkin_overdue),
            "checkin_overdue",
            result.checkin_overdue,
        ),
        Figure(
            "Current tapers with a review overdue today",
            str(result.review_overdue),
            "review_overdue",
            result.review_overdue,
        ),
    )


MONTH_COLUMNS = ("started", "active", "paused", "completed", "stopped")


def month_table(result: Outcomes) -> list[tuple[Month, list[tuple[str, int]]]]:
    return [(month, [(key, getattr(month, key)) for key in MONTH_COLUMNS]) for month in result.months]


def chart_months(result: Outcomes) -> list[tuple[str, dict[str, int]]]:
    return [(month.key, {key: getattr(month, key) for key in MONTH_COLUMNS}) for month in result.months]


def chart_description(result: Outcomes) -> str:
    parts = [
        f"{month.first_day:%B %Y}: "
        + ", ".join(f"{MEASURES[k].lower()} {getattr(month, k)}" for k in MONTH_COLUMNS)
        for month in result.months
    ]
    return "Tapers by month. " + "; ".join(parts) + "."


def small(count: int) -> str:
    """A count as the exported summary writes it: under 5 (but not none) as "fewer than 5"."""
    return f"fewer than {SMALL_COUNT}" if 0 < count < SMALL_COUNT else str(count)


def as_csv(result: Outcomes, clinic_names: str) -> bytes:
    """The summary and the table by month, counts under 5 written "fewer than 5"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("clinics", clinic_names))
    writer.writerow(("period", result.scope.start.isoformat(), result.scope.end.isoformat()))
    writer.writerow(())
    writer.writerow(("figure", "value"))
    for figure in summary(result):
        writer.writerow((figure.label, _exported(figure)))
    writer.writerow(())
    writer.writerow(("month", *(MEASURES[key].lower() for key in MONTH_COLUMNS)))
    for month, cells in month_table(result):
        writer.writerow((month.key, *(small(value) for _, value in cells)))
    return buffer.getvalue().encode("utf-8")


def _exported(figure: Figure) -> str:
    """A share or a count small enough to identify is written without its small numbers."""
    if figure.count is None or not 0 < figure.count < SMALL_COUNT:
        return figure.value
    return (
        small(figure.count)
        if figure.value == str(figure.count)
        else f"{small(figure.count)} (share withheld)"
    )
