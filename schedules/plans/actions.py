"""Every change to a plan: plain functions that each take the acting user, lock the plan row,
check the ``lock_version`` the person saw, and save one new version with its reason.

Views never write plans themselves. The pure ``*_proposal`` functions work out what an edit would
give (rebuilt and re-checked by the engine) without saving, so a page can show the recomputed
warnings before the prescriber saves; the action then applies the same function under the lock.

A plan's ``lock_version`` equals the number of its latest version: a save made from an older
page raises ``PlanConflict`` naming the versions saved since.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from followup.overview import follow_ups
from schedules import engine
from schedules.engine.serialize import request_from_dict, request_to_dict, steps_from_list, steps_to_list
from schedules.models import Patient, Plan, PlanStep, PlanVersion
from schedules.models.text import refuse_hidden_characters_in_notes
from schedules.plans import dates, documents
from schedules.plans.dangers import acknowledged_keys, dangers_of, unacknowledged_dangers
from schedules.plans.options import confirmed
from schedules.plans.steps import next_dose_change, step_rows, taper_labels
from schedules.plans.today import schedule_of

Doses = Mapping[str, Mapping[engine.Slot, Decimal]]
# danger key ("code@step") -> the prescriber's reason for going ahead
Acknowledgements = Mapping[str, str]


class PlanError(Exception):
    """A change the plan's state does not allow. ``str(error)`` is one line a person can act on."""


class PlanConflict(PlanError):
    """The plan was saved by someone else since this person opened it."""

    def __init__(self, changes: Sequence[str]) -> None:
        self.changes = list(changes)
        super().__init__(
            "Someone else saved this plan while you were working on it: "
            + "; ".join(self.changes)
            + ". Nothing of yours was saved: review their change, then make yours again."
        )


@dataclass(frozen=True)
class Proposal:
    """What a new version would hold: its request, step inputs and the checked schedule."""

    request: engine.PlanRequest
    steps: tuple[engine.StepInput, ...]
    schedule: engine.Schedule

    @classmethod
    def of(cls, schedule: engine.Schedule) -> Proposal:
        return cls(request=schedule.request, steps=tuple(schedule.step_inputs()), schedule=schedule)

    @classmethod
    def checked(cls, request: engine.PlanRequest, steps: Sequence[engine.StepInput]) -> Proposal:
        return cls.of(engine.validate_schedule(request=request, steps=steps))

    @cached_property
    def schedule_dict(self) -> dict[str, Any]:
        return engine.schedule_to_dict(self.schedule)


# Proposals (pure: nothing saved) --------------------------------------------------------------


def plan_proposal(request: engine.PlanRequest) -> Proposal:
    return Proposal.of(engine.plan_from_request(request))


def _inputs(version: PlanVersion) -> tuple[engine.PlanRequest, list[engine.StepInput]]:
    return request_from_dict(version.request), steps_from_list(version.steps)


def _step_index(steps: Sequence[engine.StepInput], number: int) -> int:
    if not 1 <= number <= len(steps):
        raise engine.EngineError(f"there is no step {number} (the plan has steps 1-{len(steps)})")
    return number - 1


def edit_step_proposal(version: PlanVersion, *, step_number: int, doses: Doses, days: int) -> Proposal:
    """Step ``step_number`` with new doses at each time of day and a new length."""
    request, steps = _inputs(version)
    index = _step_index(steps, step_number)
    if days < 1:
        raise engine.EngineError(f"a step lasts at least 1 day, not {days}")
    old = steps[index]
    new_doses = {
        drug: {slot: mg for slot, mg in slots.items() if mg}
        for drug, slots in doses.items()
        if any(slots.values())
    }
    if not new_doses:
        raise engine.EngineError(f"step {step_number} needs a dose above 0 mg; remove the step instead")
    same_doses = _dose_key(new_doses) == _dose_key(old.doses)
    # Planning flags describe the doses the planner chose: a step whose doses changed loses them
    # (engine.validate_schedule) and is checked afresh.
    steps[index] = replace(old, doses=new_doses, days=days, flags=old.flags if same_doses else ())
    return Proposal.checked(request, steps)


def _dose_key(doses: Doses) -> set[tuple[str, str, Decimal]]:
    return {
        (drug, engine.Slot(slot).value, mg) for drug, slots in doses.items() for slot, mg in slots.items()
    }


def hold_proposal(version: PlanVersion, *, after_step: int, days: int) -> Proposal:
    """Keep the dose of step ``after_step`` (0: the starting regimen) for ``days`` more days."""
    return Proposal.of(engine.insert_hold(schedule=schedule_of(version), after_step=after_step, days=days))


def remove_step_proposal(version: PlanVersion, *, step_number: int) -> Proposal:
    request, steps = _inputs(version)
    index = _step_index(steps, step_number)
    if len(steps) == 1:
        raise engine.EngineError("a plan keeps one step at least: stop the plan instead")
    del steps[index]
    if index < len(steps):
        # The next step's planning flags described the cut from the removed step.
        steps[index] = replace(steps[index], flags=())
    return Proposal.checked(request, steps)


def replan_proposal(version: PlanVersion, *, step_number: int, request: engine.PlanRequest) -> Proposal:
    """From step ``step_number`` on, plan with ``request``'s parameters, table and products;
    the steps before it and the plan's starting regimen and start date are kept."""
    old_request, steps = _inputs(version)
    _step_index(steps, step_number)
    base = replace(request, regimen=old_request.regimen, start=old_request.start)
    kept = engine.validate_schedule(request=base, steps=steps)
    return Proposal.of(engine.replan_from(schedule=kept, step_number=step_number))


def resume_proposal(version: PlanVersion, *, paused_on: dt.date, on: dt.date) -> Proposal:
    """The patient stayed on the dose of ``paused_on`` until ``on``: that step lasts longer by
    the pause and every later step moves later by as many days. The plan never moves by more than
    the pause lasted while the plan was running (a pause from before the first day counts from it)."""
    if on < paused_on:
        raise engine.EngineError(f"resume on or after the pause began ({paused_on.isoformat()})")
    request, steps = _inputs(version)
    paused_from = max(paused_on, request.start)
    gap = (on - paused_from).days
    if gap <= 0:
        return Proposal.checked(request, steps)
    if paused_on < request.start:
        return Proposal.checked(replace(request, start=request.start + dt.timedelta(days=gap)), steps)
    day = request.start
    for index, step in enumerate(steps):
        if day <= paused_on < day + dt.timedelta(days=step.days):
            steps[index] = replace(step, days=step.days + gap)
            return Proposal.checked(request, steps)
        day += dt.timedelta(days=step.days)
    raise engine.EngineError("the plan had ended before the pause began")


def step_back_proposal(version: PlanVersion, *, step_number: int, on: dt.date, days: int) -> Proposal:
    """From ``on`` (a day of step ``step_number``), ``days`` days back at the dose of the step before
    it (the starting regimen for step 1), then step ``step_number``'s reduction again; the steps
    before it are kept and every later step moves later."""
    request, steps = _inputs(version)
    index = _step_index(steps, step_number)
    if days < 1:
        raise engine.EngineError(f"a step back lasts at least 1 day, not {days}")
    start = request.start + dt.timedelta(days=sum(step.days for step in steps[:index]))
    current = steps[index]
    if not start <= on < start + dt.timedelta(days=current.days):
        raise engine.EngineError(f"step {step_number} is not in force on {on.isoformat()}")
    previous = steps[index - 1].doses if index else request.initial_doses
    already = (on - start).days
    back = engine.StepInput(days=days, doses=previous, hold=True, phase="hold")
    steps[index : index + 1] = [*([replace(current, days=already)] if already else []), back, current]
    return Proposal.checked(request, steps)


def same_proposal(version: PlanVersion) -> Proposal:
    request, steps = _inputs(version)
    return Proposal.checked(request, steps)


# Actions (each saves one new version under the plan's row lock) ------------------------------


def create_plan(
    user: User,
    *,
    patient: Patient,
    choices: Mapping[str, Any],
    request: engine.PlanRequest,
    reason: str,
    activate: bool = False,
    acknowledgements: Acknowledgements | None = None,
    schedule: engine.Schedule | None = None,
    decision: Mapping[str, Any] | None = None,
) -> Plan:
    """A new plan for ``patient`` planned from ``request``: a draft, or active when ``activate``.

    ``schedule``: the schedule already planned from ``request`` (the builder's, with its suggested
    alternative, ``planning.planned``); planned afresh when None. ``decision``: the options shown
    and the one chosen with its reason (``options.decision_record``), checked against the plan
    saved (``options.confirmed``) and kept with this version and the versions after it."""
    _check_may_change(user, patient)
    if schedule is not None and schedule.request != request:
        raise PlanError("the schedule was not planned from this request")
    proposal = Proposal.of(schedule) if schedule is not None else plan_proposal(request)
    with transaction.atomic():
        # Lock the patient so two plans cannot both be activated for them at once, and so the
        # plan takes the clinic the patient is in now (a move waits for this to commit).
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        plan = Plan.objects.create(
            patient=patient, clinic_id=locked.clinic_id, created_by=user, status=Plan.Status.DRAFT
        )
        _write(
            user,
            plan,
            proposal,
            change=PlanVersion.Change.CREATED,
            reason=reason,
            status=Plan.Status.ACTIVE if activate else Plan.Status.DRAFT,
            choices=choices,
            acknowledgements=acknowledgements,
            decision={**confirmed(decision, proposal.schedule_dict), "version": 1} if decision else None,
        )
    return plan


def save_version(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    reason: str,
    change: str,
    make: Callable[[PlanVersion], Proposal],
    choices: Mapping[str, Any] | None = None,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    """The one way a version is added to an existing plan: ``make`` turns the latest version
    into the proposal to save, under the lock, so it always starts from what is saved."""
    with _locked(user, plan, lock_version) as locked:
        _check_open(locked)
        version = _latest(locked)
        return _write(
            user,
            locked,
            make(version),
            change=change,
            reason=reason,
            status=locked.status,
            choices=choices,
            acknowledgements=acknowledgements,
            paused_on=locked.paused_on,  # a paused plan stays paused from the same day
        )


def edit_step(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    step_number: int,
    doses: Doses,
    days: int,
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.EDITED_STEP,
        make=lambda version: edit_step_proposal(version, step_number=step_number, doses=doses, days=days),
        acknowledgements=acknowledgements,
    )


def insert_hold(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    after_step: int,
    days: int,
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.HOLD,
        make=lambda version: hold_proposal(version, after_step=after_step, days=days),
        acknowledgements=acknowledgements,
    )


def remove_step(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    step_number: int,
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.REMOVED_STEP,
        make=lambda version: remove_step_proposal(version, step_number=step_number),
        acknowledgements=acknowledgements,
    )


def replan_from(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    step_number: int,
    request: engine.PlanRequest,
    choices: Mapping[str, Any],
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.REPLANNED,
        make=lambda version: replan_proposal(version, step_number=step_number, request=request),
        choices=choices,
        acknowledgements=acknowledgements,
    )


def step_back(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    step_number: int,
    on: dt.date,
    days: int,
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.EDITED_STEP,
        make=lambda version: step_back_proposal(version, step_number=step_number, on=on, days=days),
        acknowledgements=acknowledgements,
    )


def acknowledge_dangers(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    acknowledgements: Acknowledgements,
    reason: str = "",
) -> PlanVersion:
    """Record the prescriber's reason for going ahead despite each danger warning."""

    def make(version: PlanVersion) -> Proposal:
        # Under the lock, after the version check: a colleague who acknowledged first is named.
        if not any(text.strip() for text in acknowledgements.values()):
            raise PlanError("Give a reason for each danger warning you acknowledge.")
        return same_proposal(version)

    return save_version(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason.strip() or "Danger warnings acknowledged",
        change=PlanVersion.Change.ACKNOWLEDGED,
        make=make,
        acknowledgements=acknowledgements,
    )


def activate(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    reason: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    """A draft becomes the plan the patient follows; every danger must be acknowledged, and an
    active or paused plan of the same patient must be completed or stopped first."""
    return _change_status(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.ACTIVATED,
        allowed_from=(Plan.Status.DRAFT,),
        status=Plan.Status.ACTIVE,
        acknowledgements=acknowledgements,
    )


def pause(
    user: User, *, plan: Plan, lock_version: int, on: dt.date, reason: str, today: dt.date | None = None
) -> PlanVersion:
    """From ``on`` the patient stays on the dose in force that day until the plan is resumed;
    ``on`` lies in ``dates.pause_window`` (``today``: the local date unless given)."""
    with _locked(user, plan, lock_version) as locked:
        _check_status(locked, (Plan.Status.ACTIVE,), "paused")
        version = _latest(locked)
        _check_date(dates.pause_window(version, today=today or timezone.localdate()), on)
        return _write(
            user,
            locked,
            same_proposal(version),
            change=PlanVersion.Change.PAUSED,
            reason=reason,
            status=Plan.Status.PAUSED,
            paused_on=on,
        )


def resume(
    user: User, *, plan: Plan, lock_version: int, on: dt.date, reason: str, today: dt.date | None = None
) -> PlanVersion:
    """Carry on from ``on`` (in ``dates.resume_window``): the dose held during the pause continues
    until then, and every later step moves later by the days paused."""
    with _locked(user, plan, lock_version) as locked:
        _check_status(locked, (Plan.Status.PAUSED,), "resumed")
        assert locked.paused_on is not None  # a constraint: a paused plan has its date
        version = _latest(locked)
        _check_date(dates.resume_window(locked, version, today=today or timezone.localdate()), on)
        proposal = resume_proposal(version, paused_on=locked.paused_on, on=on)
        return _write(
            user,
            locked,
            proposal,
            change=PlanVersion.Change.RESUMED,
            reason=reason,
            status=Plan.Status.ACTIVE,
        )


def complete(user: User, *, plan: Plan, lock_version: int, reason: str) -> PlanVersion:
    return _change_status(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.COMPLETED,
        allowed_from=Plan.CURRENT_STATUSES,
        status=Plan.Status.COMPLETED,
    )


def stop(user: User, *, plan: Plan, lock_version: int, reason: str) -> PlanVersion:
    return _change_status(
        user,
        plan=plan,
        lock_version=lock_version,
        reason=reason,
        change=PlanVersion.Change.STOPPED,
        allowed_from=(Plan.Status.DRAFT, *Plan.CURRENT_STATUSES),
        status=Plan.Status.STOPPED,
    )


# Internals -----------------------------------------------------------------------------------


def _check_may_change(user: User, patient: Patient) -> None:
    if not user.has_perm("schedules.change_plan"):
        raise PermissionDenied("Only prescribers change plans.")
    if not Patient.objects.visible_to(user).filter(pk=patient.pk).exists():
        raise PermissionDenied("This patient is not in your clinics.")


@contextmanager
def _locked(user: User, plan: Plan, lock_version: int) -> Iterator[Plan]:
    """The plan row, locked for the rest of the transaction, if nobody saved it since
    ``lock_version``."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
        _check_may_change(user, locked.patient)
        if locked.lock_version != lock_version:
            newer = locked.versions.filter(number__gt=lock_version).select_related("created_by")
            raise PlanConflict([_describe(version) for version in newer.order_by("number")])
        yield locked


def _describe(version: PlanVersion) -> str:
    who = version.created_by.get_full_name() or version.created_by.get_username()
    when = timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M")
    return f"version {version.number} by {who} at {when}: {version.get_change_display()} ({version.reason})"


def _latest(plan: Plan) -> PlanVersion:
    return PlanVersion.objects.get(plan=plan, number=plan.lock_version)


def _check_open(plan: Plan) -> None:
    if plan.is_ended:
        raise PlanError(f"This plan is {plan.get_status_display().lower()}: start a new plan to change it.")


def _check_date(window: dates.DateWindow, day: dt.date) -> None:
    try:
        window.check(day)
    except dates.DateOutOfWindow as error:
        raise PlanError(str(error)) from None


def _check_status(plan: Plan, allowed: Sequence[str], what: str) -> None:
    if plan.status not in allowed:
        raise PlanError(f"A {plan.get_status_display().lower()} plan cannot be {what}.")


def _change_status(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    reason: str,
    change: str,
    allowed_from: Sequence[str],
    status: str,
    acknowledgements: Acknowledgements | None = None,
) -> PlanVersion:
    with _locked(user, plan, lock_version) as locked:
        _check_status(locked, allowed_from, Plan.Status(status).label.lower())
        return _write(
            user,
            locked,
            same_proposal(_latest(locked)),
            change=change,
            reason=reason,
            status=status,
            acknowledgements=acknowledgements,
        )


def _write(
    user: User,
    plan: Plan,
    proposal: Proposal,
    *,
    change: str,
    reason: str,
    status: str,
    choices: Mapping[str, Any] | None = None,
    acknowledgements: Acknowledgements | None = None,
    paused_on: dt.date | None = None,
    decision: Mapping[str, Any] | None = None,
) -> PlanVersion:
    """Save ``proposal`` as the plan's next version and the plan's new state (in the caller's
    transaction, with the plan row locked or new)."""
    reason = reason.strip()
    if not reason:
        raise PlanError("Give the reason for this change.")
    _refuse_hidden_characters(reason, acknowledgements or {})
    previous = PlanVersion.objects.filter(plan=plan, number=plan.lock_version).first()
    schedule = proposal.schedule_dict
    request = request_to_dict(proposal.request)
    acknowledged = _acknowledgements(user, schedule, previous, acknowledgements or {})
    if status in Plan.CURRENT_STATUSES:
        others = Plan.objects.filter(patient=plan.patient, status__in=Plan.CURRENT_STATUSES).exclude(
            pk=plan.pk
        )
        other = others.first()
        if other is not None:
            raise PlanError(
                f"This patient already has an {other.get_status_display().lower()} plan (plan {other.pk}): "
                "complete or stop it first, with a reason."
            )
        missing = unacknowledged_dangers(schedule, acknowledged)
        if missing:
            listed = " ".join(f"{w['message']}" for w in missing)
            raise PlanError(f"Acknowledge each danger warning with a reason first. {listed}")
    version = PlanVersion.objects.create(
        plan=plan,
        number=plan.lock_version + 1,
        change=change,
        status=status,
        reason=reason,
        created_by=user,
        choices=dict(choices) if choices is not None else (previous.choices if previous else {}),
        request=request,
        schedule=schedule,
        steps=steps_to_list(proposal.steps),
        acknowledgements=acknowledged,
        # The shared decision stays with the plan: each later version keeps the record it was made from.
        decision=dict(decision) if decision is not None else (previous.decision if previous else None),
    )
    rows = [PlanStep(version=version, **row) for row in step_rows(schedule)]
    PlanStep.objects.bulk_create(rows)
    if status != Plan.Status.DRAFT and plan.started_on is None:  # the taper starts: its first activation
        plan.started_on, plan.start_mg = rows[0].start_date, rows[0].diazepam_mg
        plan.drug, plan.method = taper_labels(request)
    plan.lock_version = version.number
    plan.current_version = version
    plan.status = status
    plan.ends_on = version.end_date
    plan.next_change_on = (
        next_dose_change(schedule, after=timezone.localdate()) if status == Plan.Status.ACTIVE else None
    )
    plan.paused_on = paused_on if status == Plan.Status.PAUSED else None
    plan.ended_on = timezone.localdate(version.created_at) if status in Plan.ENDED_STATUSES else None
    plan.status_reason = reason if status in Plan.ENDED_STATUSES else ""
    # simple-history keeps at most 100 characters of a reason (PostgreSQL refuses more); the version
    # keeps it whole.
    history_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    plan._change_reason = history_reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise PlanError(
            "This patient already has an active or paused plan: complete or stop it first, with a reason."
        ) from None
    record_follow_up_dates(plan)
    # The version's printed documents are made by a worker once it is saved for good.
    transaction.on_commit(partial(documents.queue_version_documents, version.pk))
    return version


def record_follow_up_dates(plan: Plan) -> None:
    """Keep the plan's follow-up columns (next check-in, next review, whether its last check-in
    suggests a hold) in step with its version, check-ins, cadence and patient: called in the
    transaction of every write that changes one of them."""
    fresh = Plan.objects.select_related("current_version", "patient", "followup_settings").get(pk=plan.pk)
    state = follow_ups([fresh], today=timezone.localdate())[0] if fresh.is_current else None
    plan.next_checkin_on = state.next_checkin if state else None
    plan.next_review_on = state.next_review if state else None
    plan.hold_suggested = bool(state and state.hold_suggestion)
    # Derived columns, not a change to the plan: no history record, no lock_version step.
    Plan.objects.filter(pk=plan.pk).update(
        next_checkin_on=plan.next_checkin_on,
        next_review_on=plan.next_review_on,
        hold_suggested=plan.hold_suggested,
    )


def _refuse_hidden_characters(reason: str, acknowledgements: Acknowledgements) -> None:
    """A direction override or an escape makes a reason read differently on the page and the print
    (issue 16): refused here too, for reasons that reach a version without a form (check-ins)."""
    given = [("The reason for this change", reason)]
    given += [(f"The reason given for danger {key}", text) for key, text in acknowledgements.items()]
    for what, text in given:
        try:
            refuse_hidden_characters_in_notes(text)
        except ValidationError as error:
            raise PlanError(f"{what}: {error.messages[0]}") from None


def _acknowledgements(
    user: User,
    schedule: Mapping[str, Any],
    previous: PlanVersion | None,
    given: Acknowledgements,
) -> list[dict[str, Any]]:
    """The previous version's acknowledgements of a danger ``schedule`` still has (the same danger
    by its key, wherever its step now is), and the new ones given by danger key (an empty reason
    acknowledges nothing). Each is saved with its key and the danger's step and words now."""
    earlier = acknowledged_keys(previous.acknowledgements, previous.schedule) if previous else {}
    now = timezone.now().isoformat()
    who = user.get_full_name() or user.get_username()
    kept: list[dict[str, Any]] = []
    for warning in dangers_of(schedule):
        key = warning["key"]
        placed = {"code": warning["code"], "step": warning["step"], "message": warning["message"], "key": key}
        if key in earlier:
            kept.append({**earlier[key], **placed})
            continue
        text = given.get(key, "").strip()
        if text:
            kept.append({**placed, "reason": text, "by": who, "by_id": user.pk, "at": now})
    return kept
