"""Reading saved plans: what a patient takes today, what changed between two versions, whether
the tables a plan was built with have changed since, and the prescriber's dashboard.

Everything here reads a version's saved schedule (``engine.schedule_to_dict`` output) and frozen
request; nothing recomputes a saved plan from today's tables.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Model, Q, QuerySet, Window

from schedules.engine.serialize import request_drugs
from schedules.engine.types import format_mg
from schedules.models import Equivalence, Formulation, Patient, Plan, PlanStep, PlanVersion
from schedules.plans.dangers import acknowledged_keys
from schedules.plans.today import current_step, next_change, next_hold

Step = Mapping[str, Any]
Row = TypeVar("Row", bound=Model)
SLOT_ORDER = ("morning", "midday", "evening", "night")


# Today ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """Where a plan stands on a day: the step in force, the next change, the current and next
    dispensing periods."""

    day: dt.date
    step: Step | None
    next: Step | None  # the next change of dose (a hold is none)
    hold: Step | None  # the next step, when it keeps the dose
    paused: bool
    before_start: bool
    ended: bool
    periods: tuple[Mapping[str, Any], ...]


def today_of(plan: Plan, version: PlanVersion, today: dt.date) -> Today:
    """A paused plan keeps the dose in force on the day it was paused, with no next change or hold."""
    schedule = version.schedule
    paused = plan.status == Plan.Status.PAUSED and plan.paused_on is not None and today >= plan.paused_on
    day = plan.paused_on if paused and plan.paused_on is not None else today
    step = current_step(version, day)
    return Today(
        day=today,
        step=step,
        next=None if paused else next_change(schedule["steps"], today),
        hold=None if paused else next_hold(schedule["steps"], today),
        paused=paused,
        before_start=today < version.start_date,
        ended=today >= version.end_date,
        periods=tuple(_periods(schedule["dispensing"], today)),
    )


def _periods(periods: Sequence[Mapping[str, Any]], today: dt.date) -> list[Mapping[str, Any]]:
    """The dispensing period in force today (or the first, before the start) and the next one."""
    day = today.isoformat()
    for index, period in enumerate(periods):
        if period["period_end"] >= day:
            return list(periods[index : index + 2])
    return []


# Version comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    older: PlanVersion
    newer: PlanVersion
    changes: list[str] = field(default_factory=list)


def _signature(step: Step) -> tuple[Any, ...]:
    doses = tuple(sorted((d["drug"], d["slot"], d["mg"]) for d in step["doses"]))
    return (doses, step["hold"], step["phase"])


def _dose_text(step: Step) -> str:
    parts = [
        f"{d['slot']} {d['drug']} {_mg(d['mg'])} mg"
        for d in sorted(step["doses"], key=lambda d: (SLOT_ORDER.index(d["slot"]), d["drug"]))
    ]
    return ", ".join(parts) or "nothing"


def _mg(value: float) -> str:
    return format_mg(Decimal(str(value)))


def _describe_step(step: Step) -> str:
    kind = "hold" if step["hold"] else step["phase"]
    return (
        f"{kind} of {step['days']} day{'s' if step['days'] != 1 else ''} from {step['start_date']}: "
        f"{_dose_text(step)}"
    )


def _dose_changes(old: Step, new: Step) -> list[str]:
    before = {(d["drug"], d["slot"]): d["mg"] for d in old["doses"]}
    after = {(d["drug"], d["slot"]): d["mg"] for d in new["doses"]}
    changes = []
    for key in sorted(set(before) | set(after), key=lambda k: (SLOT_ORDER.index(k[1]), k[0])):
        drug, slot = key
        was, now = before.get(key), after.get(key)
        if was != now:
            was_text = f"{_mg(was)} mg" if was is not None else "nothing"
            now_text = f"{_mg(now)} mg" if now is not None else "nothing"
            changes.append(f"{slot} {drug} {was_text} → {now_text}")
    return changes


def compare_versions(older: PlanVersion, newer: PlanVersion) -> Comparison:
    """What changed from ``older`` to ``newer``, in words: steps added and removed, doses changed
    at which time of day, lengths changed, dates moved, status, end date and warnings."""
    changes: list[str] = []
    if older.status != newer.status:
        changes.append(f"Status: {older.get_status_display()} → {newer.get_status_display()}.")
    old_steps, new_steps = older.schedule["steps"], newer.schedule["steps"]
    matcher = difflib.SequenceMatcher(
        a=[_signature(s) for s in old_steps], b=[_signature(s) for s in new_steps], autojunk=False
    )
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            changes += _moved(old_steps[a1:a2], new_steps[b1:b2])
            continue
        paired = min(a2 - a1, b2 - b1) if tag == "replace" else 0
        for old, new in zip(old_steps[a1 : a1 + paired], new_steps[b1 : b1 + paired], strict=True):
            changes.append(_changed_step(old, new))
        for old in old_steps[a1 + paired : a2]:
            changes.append(f"Step {old['number']} removed ({_describe_step(old)}).")
        for new in new_steps[b1 + paired : b2]:
            changes.append(f"Step {new['number']} added ({_describe_step(new)}).")
    if older.schedule["end_date"] != newer.schedule["end_date"]:
        changes.append(f"End date: {older.schedule['end_date']} → {newer.schedule['end_date']}.")
    changes += _warning_changes(older.schedule["warnings"], newer.schedule["warnings"])
    old_acks = acknowledged_keys(older.acknowledgements, older.schedule)
    for key, ack in acknowledged_keys(newer.acknowledgements, newer.schedule).items():
        if key not in old_acks:
            changes.append(f"Danger acknowledged by {ack['by']}: {ack['message']} Reason: {ack['reason']}")
    if not changes:
        changes.append("No change to the steps, dates, doses or warnings.")
    return Comparison(older=older, newer=newer, changes=changes)


def _changed_step(old: Step, new: Step) -> str:
    parts = _dose_changes(old, new)
    if old["days"] != new["days"]:
        parts.append(f"{old['days']} → {new['days']} days")
    if old["start_date"] != new["start_date"]:
        parts.append(f"starts {new['start_date']} instead of {old['start_date']}")
    if old["hold"] != new["hold"] or old["phase"] != new["phase"]:
        parts.append(f"now a {'hold' if new['hold'] else new['phase']} step")
    label = (
        f"Step {old['number']}"
        if old["number"] == new["number"]
        else f"Step {old['number']} (now {new['number']})"
    )
    return f"{label}: {'; '.join(parts)}."


def _moved(old_steps: Sequence[Step], new_steps: Sequence[Step]) -> list[str]:
    """Steps with the same doses: length changes each, date moves collapsed into runs."""
    changes: list[str] = []
    run: list[tuple[Step, Step]] = []
    shift_of_run: int | None = None

    def flush() -> None:
        if run and shift_of_run:
            first, last = run[0], run[-1]
            which = (
                f"Step {first[0]['number']}"
                if len(run) == 1
                else f"Steps {first[0]['number']}–{last[0]['number']}"
            )
            renumbered = (
                f" (now {first[1]['number']}{'–' + str(last[1]['number']) if len(run) > 1 else ''})"
                if first[0]["number"] != first[1]["number"]
                else ""
            )
            direction = "later" if shift_of_run > 0 else "earlier"
            days = abs(shift_of_run)
            changes.append(f"{which}{renumbered} moved {days} day{'s' if days != 1 else ''} {direction}.")
        run.clear()

    for old, new in zip(old_steps, new_steps, strict=True):
        if old["days"] != new["days"]:
            flush()
            shift_of_run = None
            changes.append(_changed_step(old, new))
            continue
        shift = (dt.date.fromisoformat(new["start_date"]) - dt.date.fromisoformat(old["start_date"])).days
        if shift != shift_of_run:
            flush()
            shift_of_run = shift
        run.append((old, new))
    flush()
    return changes


def _warning_changes(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]]) -> list[str]:
    def key(w: Mapping[str, Any]) -> tuple[str, str]:
        return (w["severity"], w["message"])

    before, after = {key(w) for w in old}, {key(w) for w in new}
    return [
        *(f"New {severity}: {message}" for severity, message in sorted(after - before)),
        *(f"No longer warned ({severity}): {message}" for severity, message in sorted(before - after)),
    ]


# Stale tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChange:
    text: str
    who: str
    when: dt.datetime | None
    reason: str


def table_changes(version: PlanVersion) -> list[TableChange]:
    """How today's equivalence values and products differ from those the version froze, with who
    changed them, when and why (the history records' reason)."""
    request = version.request
    drugs = request_drugs(request) | {info["name"] for info in request["drugs"]}
    table = request["table"]
    frozen = {entry["drug"]: entry for entry in table["entries"] if entry["drug"] in drugs}
    reference = format_mg(Decimal(table["reference_diazepam_mg"]))
    changes: list[TableChange] = []
    current = Equivalence.objects.filter(table__key=table["key"], drug__name__in=drugs).select_related("drug")
    for equivalence in current:
        entry = frozen.get(equivalence.drug.name)
        if entry is None or Decimal(entry["dose_mg"]) == equivalence.dose_mg:
            continue
        record = equivalence.history.order_by("-history_date").select_related("history_user").first()
        changes.append(
            _change(
                f"{equivalence.drug.name} {format_mg(Decimal(entry['dose_mg']))} mg → "
                f"{format_mg(equivalence.dose_mg)} mg per {reference} mg diazepam, {table['name']}",
                record,
            )
        )
    ids = [f["id"] for f in request["formulations"] if isinstance(f.get("id"), int)]
    products = {product.pk: product for product in Formulation.objects.filter(pk__in=ids)}
    for frozen_product in request["formulations"]:
        product = products.get(frozen_product.get("id"))
        what = f"{frozen_product['drug']} {format_mg(Decimal(frozen_product['strength_mg']))} mg {frozen_product['form']}"
        if product is None:
            continue
        differences = []
        if product.strength_mg != Decimal(frozen_product["strength_mg"]):
            differences.append(f"strength now {format_mg(product.strength_mg)} mg")
        if not product.stocked:
            differences.append("no longer stocked")
        if product.divisible != frozen_product["divisible"] and _splits_less(
            product.divisible, frozen_product["divisible"]
        ):
            differences.append(f"now split only to {product.get_divisible_display().lower()}")
        if differences:
            record = product.history.order_by("-history_date").select_related("history_user").first()
            changes.append(_change(f"{what}: {', '.join(differences)}", record))
    return changes


def _splits_less(now: str, frozen: str) -> bool:
    order = list(Formulation.Divisible.values)
    return order.index(now) < order.index(frozen)


def _change(text: str, record: Any) -> TableChange:
    if record is None:
        return TableChange(text=text, who="", when=None, reason="")
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user is not None else "an unrecorded user"
    return TableChange(
        text=text, who=who, when=record.history_date, reason=record.history_change_reason or "no reason given"
    )


# Lists ---------------------------------------------------------------------------------------


def _with_versions(plans: Any) -> Any:
    return plans.select_related("patient", "patient__clinic", "current_version")


def patient_plans(patient: Patient) -> list[Plan]:
    """The patient's plans, the current one first."""
    plans = list(_with_versions(Plan.objects.filter(patient=patient)))
    return sorted(plans, key=lambda p: (not p.is_current, p.status != Plan.Status.DRAFT, -p.pk))


@dataclass(frozen=True)
class PatientBox:
    plan: Plan | None
    today: Today | None
    others: list[Plan]


def patient_box(patient: Patient, today: dt.date) -> PatientBox:
    """What the patient page shows of plans: the current plan with today's dose, and the rest."""
    plans = patient_plans(patient)
    current = next((p for p in plans if p.is_current and p.current_version is not None), None)
    others = [p for p in plans if p is not current]
    if current is None or current.current_version is None:
        return PatientBox(plan=None, today=None, others=others)
    return PatientBox(plan=current, today=today_of(current, current.current_version, today), others=others)


PAGE_SIZE = 50  # a list of its own shows a page of this many, with its count and the next page
PREVIEW_ROWS = 10  # the dashboard shows each list's first rows and its count, linking to the list
CHANGE_WINDOW_DAYS = 7  # the issue: active plans with a dose change in the next 7 days
ENDING_WINDOW_DAYS = 14  # the issue: plans ending in the next 14 days


# What a row of a list of plans shows of the plan and its patient (templates/plans/_dashboard_list.html,
# templates/followup/_dashboard_section.html): a page reads these columns only.
ROW_FIELDS = (
    "status",
    "current_version",
    "paused_on",
    "ends_on",
    "patient__family_name",
    "patient__given_name",
    "patient__record_number",
)


@dataclass(frozen=True)
class DashboardRow:
    plan: Plan
    step: PlanStep | None  # the next dose change, or the step in force when paused


@dataclass(frozen=True)
class Section:
    """One list: its first rows (``focused``: the page asked for), its total in
    ``page.paginator.count``."""

    key: str
    page: Page[Plan]
    rows: list[Any]
    focused: bool

    @property
    def more(self) -> bool:
        return not self.focused and self.page.has_next()


@dataclass(frozen=True)
class Dashboard:
    changing: Section | None
    ending: Section | None
    paused: Section | None
    drafts: Section | None


def page_of(rows: QuerySet[Row], number: str | None, size: int | None = None) -> Page[Row]:
    """The requested page (of ``size`` rows; PAGE_SIZE unless given) of an ordered query (the
    first for a missing or bad number, the last past the end), whatever the number of rows. One
    query: the page's rows, each with the list's count beside it (a window count); a count of
    its own only when that page is empty (past the end) or the query cannot carry one (distinct
    or grouped rows)."""
    paginator = Paginator(rows, size or PAGE_SIZE)
    wanted = _page_number(number)
    query = rows.query
    if wanted is not None and not (query.distinct or query.group_by is not None or query.combinator):
        bottom = (wanted - 1) * paginator.per_page
        fetched = list(rows.annotate(listed_count=Window(Count("pk")))[bottom : bottom + paginator.per_page])
        if fetched or wanted == 1:
            paginator.count = fetched[0].listed_count if fetched else 0  # type: ignore[attr-defined]
            return Page(fetched, wanted, paginator)
    return paginator.get_page(number)


# Beyond any list's length (and within every database's integers once made an offset): a larger
# number is left to the Paginator, which counts the rows and answers with the last page.
MOST_PAGES = 2**31 // PAGE_SIZE


def _page_number(number: str | None) -> int | None:
    """A page number as the Paginator reads one, when it is a number from 1 to MOST_PAGES."""
    try:
        wanted = int(number) if number is not None else 1
    except ValueError:
        return None
    return wanted if 1 <= wanted <= MOST_PAGES else None


def first_rows(rows: QuerySet[Row]) -> Page[Row]:
    """A list's first PREVIEW_ROWS with its count: the count first, then the rows only when there
    are some (on a page of lists, most are empty on most days, and a count costs less than a page)."""
    page = Paginator(rows, PREVIEW_ROWS).page(1)
    if not page.paginator.count:
        page.object_list = []
    return page


def listing(rows: QuerySet[Row], query: Mapping[str, str], key: str) -> tuple[Page[Row], bool] | None:
    """List ``key`` of a page of lists (the dashboard, the follow-up page): its first rows
    (``first_rows``); or, when the query asks for it alone (``?list=key``), the page asked for of
    PAGE_SIZE, and None for the other lists (not queried at all). With whether it is focused."""
    focus = query.get("list")
    if focus == key:
        return page_of(rows, query.get("page")), True
    if focus:
        return None
    return first_rows(rows), False


def dashboard(user: User, today: dt.date, query: Mapping[str, str]) -> Dashboard:
    """The user's clinics' plans that need attention, each list answered from the plans'
    indexed columns and step rows: the same queries at 20 plans and at 200,000, no schedule read
    and nothing written. ``query``: the request's query string (``list`` and ``page``, see
    ``listing``)."""
    plans = Plan.objects.visible_to(user).select_related("patient").only(*ROW_FIELDS)
    active = plans.filter(status=Plan.Status.ACTIVE)
    window_end = today + dt.timedelta(days=CHANGE_WINDOW_DAYS)
    # A column that has passed is at most today, so within the index's range; the query computes
    # the change that follows it (PlanQuerySet.with_next_change).
    changing = (
        active.filter(next_change_on__lte=window_end)
        .with_next_change(today)
        .filter(Q(next_change__range=(today + dt.timedelta(days=1), window_end)))
        .order_by(F("next_change"), "patient__family_name", "pk")
    )
    ending = active.filter(
        ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=ENDING_WINDOW_DAYS)
    ).order_by("ends_on", "patient__family_name", "pk")
    paused = plans.filter(status=Plan.Status.PAUSED).order_by("paused_on", "pk")
    drafts = (
        plans.filter(status=Plan.Status.DRAFT, current_version__isnull=False)
        .select_related("created_by")
        .only(
            *ROW_FIELDS,
            "created_at",
            "created_by__username",
            "created_by__first_name",
            "created_by__last_name",
        )
        .order_by("-created_at", "-pk")
    )
    found = {
        key: listing(rows, query, key)
        for key, rows in (("changing", changing), ("ending", ending), ("paused", paused), ("drafts", drafts))
    }
    days = {"changing": lambda plan: plan.next_change, "paused": lambda plan: plan.paused_on}
    shown_on = {
        plan.pk: (plan.current_version_id, days[key](plan))
        for key, shown in found.items()
        if shown and key in days
        for plan in shown[0]
    }
    steps = _steps_on(shown_on)
    if found["drafts"]:
        starts = dict(
            PlanStep.objects.filter(
                version_id__in=[plan.current_version_id for plan in found["drafts"][0]], number=1
            ).values_list("version_id", "start_date")
        )
        for plan in found["drafts"][0]:
            plan.starts_on = starts.get(plan.current_version_id or 0)  # type: ignore[attr-defined]

    def section(key: str) -> Section | None:
        shown = found[key]
        if shown is None:
            return None
        page, focused = shown
        rows = [DashboardRow(plan=p, step=steps.get(p.pk)) for p in page]
        return Section(key=key, page=page, rows=rows, focused=focused)

    return Dashboard(
        changing=section("changing"),
        ending=section("ending"),
        paused=section("paused"),
        drafts=section("drafts"),
    )


def _steps_on(wanted: Mapping[int, tuple[int | None, dt.date | None]]) -> dict[int, PlanStep]:
    """By plan id, the step of version ``wanted[plan][0]`` in force on ``wanted[plan][1]``: one
    query over the listed versions' steps around those days."""
    days = [day for _, day in wanted.values() if day is not None]
    if not days:
        return {}
    candidates = PlanStep.objects.filter(
        version_id__in={version for version, _ in wanted.values()},
        start_date__lte=max(days),
        end_date__gte=min(days),
    ).only("version_id", "number", "start_date", "end_date", "doses")
    by_version: dict[int, list[PlanStep]] = {}
    for step in candidates:
        by_version.setdefault(step.version_id, []).append(step)
    return {
        plan: step
        for plan, (version, day) in wanted.items()
        if day is not None
        for step in by_version.get(version or 0, [])
        if step.start_date <= day <= step.end_date
    }
