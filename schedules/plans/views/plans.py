"""Taper plans: build with a live preview, follow day by day, adjust in new versions.

Every plan is fetched through ``plan_for`` (the user's clinics only); every write goes through
``schedules.plans.actions``. An adjustment is reviewed first: its form is posted once to show
the recomputed steps and warnings, and saved only from that review.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

import audit
from audit.models import Action
from followup.scores import plan_scores
from schedules import engine
from schedules.engine.serialize import request_drugs, request_from_dict
from schedules.models import Patient, Plan, PlanVersion
from schedules.patients.access import AuthenticatedHttpRequest, patient_for
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers
from schedules.plans import dates, options
from schedules.plans.forms import (
    AcknowledgementForm,
    ChangeForm,
    CompareForm,
    DateChangeForm,
    DecisionForm,
    HoldForm,
    PlanBuilderForm,
    ReasonForm,
    ReplanStepForm,
    StepEditForm,
)
from schedules.plans.planning import PlanChoices, compare_tables, planned
from schedules.plans.printing.sources import options_sheet_pdf
from schedules.plans.review import compare_versions, table_changes, today_of


class HtmxHttpRequest(AuthenticatedHttpRequest):
    """A request through django-htmx's middleware: ``htmx`` says whether htmx sent it."""

    htmx: HtmxDetails


CHANGE_PLAN = "schedules.change_plan"


def plan_for(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    """The one way a view fetches a plan: through the user's patients, else 404."""
    plans = Plan.objects.visible_to(request.user).select_related(
        "patient", "patient__clinic", "current_version", "current_version__created_by"
    )
    plan = get_object_or_404(plans, pk=plan_id)
    if plan.current_version is None:
        raise Http404("This plan has no saved version.")
    return plan


def _version(plan: Plan) -> PlanVersion:
    assert plan.current_version is not None  # plan_for refuses a plan without one
    return plan.current_version


# Where an engine message belongs in the builder: beside the field it is about.
_FIELD_WORDS = (
    ("tablets here", "strengths"),
    ("strength", "strengths"),
    ("oral liquid", "liquid"),
    ("start date", "start"),
    ("interval", "interval_days"),
    ("switch stage", "switch_stage_days"),
    ("leave out the switch", "switch_to"),
    ("target", "target_daily_mg"),
    ("period", "period_days"),
    ("percent", "percent"),
    ("the step", "step_mg"),
)


# "step 1, night: lorazepam 0.3 mg cannot be made ...": beside that drug's dose at that time of day.
_DOSE_MESSAGE = re.compile(r"^step \d+, (?P<slot>\w+): (?P<drug>[\w-]+) ")


def _engine_error(form: Any, error: Exception) -> None:
    message = str(error)
    dose = _DOSE_MESSAGE.match(message)
    if dose and f"{dose['drug']}:{dose['slot']}" in form.fields:
        form.add_error(f"{dose['drug']}:{dose['slot']}", message[:1].upper() + message[1:])
        return
    for words, name in _FIELD_WORDS:
        if words in message and name in form.fields:
            form.add_error(name, message[:1].upper() + message[1:])
            return
    form.add_error(None, message[:1].upper() + message[1:])


def _initial_data(form: PlanBuilderForm, initial: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The builder's starting values as submitted data, so the first page already shows a preview."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value
    data.update({k: v for k, v in (initial or {}).items() if k in form.fields})
    if not data.get("liquid"):
        data.pop("liquid", None)
    return {k: v for k, v in data.items() if v is not None}


def _preview(form: PlanBuilderForm) -> tuple[engine.PlanRequest | None, actions.Proposal | None]:
    if not form.is_valid():
        return None, None
    try:
        schedule = planned(form.choices, form.reference)
        return schedule.request, actions.Proposal.of(schedule)
    except engine.EngineError as error:
        _engine_error(form, error)
        return None, None


def _comparison_of_tables(form: PlanBuilderForm) -> engine.TableComparison | None:
    """The regimen in every loaded table, the chosen one first (issue 8: shown beside the plan)."""
    if not form.is_valid():
        return None
    try:
        return compare_tables(form.choices.regimen, used=form.cleaned_data["table"], reference=form.reference)
    except engine.EngineError:
        return None


def _page_context(proposal: actions.Proposal | None, today: dt.date) -> dict[str, Any]:
    if proposal is None:
        return {"schedule": None}
    return {"schedule": proposal.schedule_dict, "today": today}


@permission_required(CHANGE_PLAN, raise_exception=True)
def plan_new(request: HtmxHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request, patient_id)
    if request.method == "GET":
        audit.record(request, Action.VIEW_PATIENT, patient=patient, detail="plan builder")
    today = timezone.localdate()
    if request.method == "POST":
        form = PlanBuilderForm(request.POST, patient=patient, today=today)
    else:
        blank = PlanBuilderForm(patient=patient, today=today)
        form = PlanBuilderForm(_initial_data(blank), patient=patient, today=today, reference=blank.reference)
    # The reason field is part of the preview: a preview shown without it (the inputs had an error)
    # posts none, and the default comes back rather than an empty field.
    action = request.POST.get("action", "preview")
    saving = action in ("save-draft", "save-active")
    posted_reason = request.POST if "reason" in request.POST or saving else None
    change = ReasonForm(posted_reason, initial={"reason": "New taper plan"})
    posted = DecisionForm(request.POST or None)
    if action == "keep" and form.is_valid():
        posted = DecisionForm({**request.POST.dict(), "kept": DecisionForm.sign_kept(form.posted_data())})
    kept = _kept_choices(form, posted)
    compared = _options(form, kept) if action in ("compare", "choose", "options-sheet") else None
    decision = DecisionForm(posted.data if posted.is_bound else None, keys=_keys(compared))
    if action == "choose" and compared is not None:
        form, decision, compared = _choose(form, decision, compared)
    if action == "options-sheet" and compared is not None:
        return _options_sheet(request, patient, compared)
    if action == "compare" and request.htmx:
        return render(request, "plans/_options.html", _options_context(patient, form, compared, decision))
    _, proposal = _preview(form)
    activating = action == "save-active"
    dangers = plan_dangers.unacknowledged_dangers(proposal.schedule_dict, []) if proposal else []
    ack_form = AcknowledgementForm(request.POST or None, dangers=dangers, required=activating)
    context = {
        "patient": patient,
        "form": form,
        "change": change,
        "ack_form": ack_form,
        "proposal": proposal,
        "tables": _comparison_of_tables(form) if proposal else None,
        "record": _record_of(decision),
        "kept_settings": options.describe_settings(kept) if kept else "",
        **_options_context(patient, form, compared, decision),
        **_page_context(proposal, today),
    }
    if request.htmx:
        return render(request, "plans/_preview.html", context)
    if request.method == "POST" and saving and proposal is not None:
        saved = _create(request, form, change, ack_form, patient, proposal, decision, activate=activating)
        if saved is not None:
            return redirect("schedules:plan_detail", plan_id=saved.pk)
    return render(request, "plans/plan_new.html", context)


def _kept_choices(form: PlanBuilderForm, decision: DecisionForm) -> PlanChoices | None:
    """The settings the prescriber kept as an option of their own (the builder's inputs, signed),
    for this patient as they are now; None when none were kept or they no longer make a plan."""
    if not decision.is_bound or not decision.is_valid() or not decision.cleaned_data.get("kept"):
        return None
    kept = PlanBuilderForm(
        decision.cleaned_data["kept"], patient=form.patient, today=form.today, reference=form.reference
    )
    return kept.choices if kept.is_valid() else None


def _options(form: PlanBuilderForm, own: PlanChoices | None = None) -> list[options.Option] | None:
    """The plan as set up, the settings kept by the prescriber and the alternatives
    (schedules.plans.options), or None with the error beside its field."""
    if not form.is_valid():
        return None
    try:
        return options.compare(form.choices, form.reference, own=own)
    except engine.EngineError as error:
        _engine_error(form, error)
        return None


def _options_sheet(
    request: AuthenticatedHttpRequest, patient: Patient, compared: list[options.Option]
) -> HttpResponse:
    """The patient's options sheet (PDF) to take home before deciding: made on request, since the
    options are not saved anywhere until one is chosen."""
    audit.record(request, Action.PRINT, patient=patient, detail=f"options sheet, {len(compared)} options")
    content = options_sheet_pdf(patient, compared, prescriber=request.user, printed_at=timezone.localtime())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="taper-options.pdf"'
    return response


def _keys(compared: list[options.Option] | None) -> list[tuple[str, str]]:
    return [(option.key, f"Option {option.letter}") for option in compared or []]


def _choose(
    form: PlanBuilderForm, decision: DecisionForm, compared: list[options.Option]
) -> tuple[PlanBuilderForm, DecisionForm, list[options.Option] | None]:
    """The chosen option's settings put into the builder, and the signed record of the choice;
    the comparison again with the error beside the field when no option or reason was given."""
    if not decision.is_valid() or not decision.check_choice():
        return form, decision, compared
    chosen = options.option_by_key(compared, decision.cleaned_data["option"])
    assert chosen is not None  # the field's choices are the keys compared
    record = options.decision_record(compared, chosen, decision.cleaned_data["decision_reason"])
    taken = PlanBuilderForm(
        form.data_for(chosen.choices), patient=form.patient, today=form.today, reference=form.reference
    )
    return (
        taken,
        DecisionForm({"record": DecisionForm.sign(record), "kept": decision.data.get("kept", "")}),
        None,
    )


def _record_of(decision: DecisionForm) -> dict[str, Any] | None:
    """The choice made earlier on this page (the signed record posted back), if any."""
    if not decision.is_bound or not decision.is_valid():
        return None
    record: dict[str, Any] | None = decision.cleaned_data.get("record")
    return record


def _options_context(
    patient: Patient, form: PlanBuilderForm, compared: list[options.Option] | None, decision: DecisionForm
) -> dict[str, Any]:
    return {
        "patient": patient,
        "form": form,
        "compared": compared,
        "overlay": options.overlay(compared) if compared else None,
        "decision": decision,
    }


def _create(
    request: AuthenticatedHttpRequest,
    form: PlanBuilderForm,
    change: ReasonForm,
    ack_form: AcknowledgementForm,
    patient: Patient,
    proposal: actions.Proposal,
    decision: DecisionForm,
    *,
    activate: bool,
) -> Plan | None:
    if not change.is_valid() or not change.require_reason() or not ack_form.is_valid():
        return None
    if not decision.is_valid():
        return None
    try:
        plan = actions.create_plan(
            request.user,
            patient=patient,
            choices=form.choices_data,
            request=proposal.request,
            schedule=proposal.schedule,
            reason=change.cleaned_data["reason"],
            activate=activate,
            acknowledgements=ack_form.acknowledgements,
            decision=decision.cleaned_data.get("record"),
        )
    except (actions.PlanError, engine.EngineError) as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, f"Plan saved as {'active' if activate else 'a draft'} (version 1).")
    return plan


@require_GET
def plan_detail(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    version = _version(plan)
    audit.record(
        request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail=f"version {version.number}"
    )
    today = timezone.localdate()
    versions = list(
        plan.versions.defer("request", "schedule", "steps", "choices")
        .select_related("created_by")
        .order_by("-number")
    )
    numbers = [v.number for v in versions]
    compare = CompareForm(
        initial={"a": numbers[1] if len(numbers) > 1 else numbers[0], "b": numbers[0]}, numbers=numbers
    )
    context = {
        "plan": plan,
        "patient": plan.patient,
        "version": version,
        "schedule": version.schedule,
        "today": today,
        "state": today_of(plan, version, today),
        "versions": versions,
        "compare": compare,
        "unacknowledged": plan_dangers.unacknowledged_dangers(version.schedule, version.acknowledgements),
        "table_changes": table_changes(version) if not plan.is_ended else [],
        "can_change": request.user.has_perm(CHANGE_PLAN) and not plan.is_ended,
        "scores": plan_scores(plan),  # check-in scores on the chart (followup)
        "tables": _saved_comparison(version),
    }
    return render(request, "plans/plan_detail.html", context)


def _saved_comparison(version: PlanVersion) -> engine.TableComparison:
    """The plan's own conversion beside every other loaded table's, as in the builder."""
    request = request_from_dict(version.request)
    return compare_tables(request.regimen, frozen=request.table)


@require_GET
def plan_json(request: AuthenticatedHttpRequest, plan_id: int) -> JsonResponse:
    """The saved plan in the ``taper --format json`` contract, plus who and which version."""
    plan = plan_for(request, plan_id)
    version = _version(plan)
    audit.record(
        request, Action.EXPORT, patient=plan.patient, plan=plan, detail=f"JSON, version {version.number}"
    )
    body = {
        "plan_id": plan.pk,
        "version": version.number,
        "status": plan.status,
        "patient": {"record_number": plan.patient.record_number},
        **version.schedule,
        "decision": version.decision,  # the options compared and the one chosen (issue 17), or null
    }
    return JsonResponse(body, json_dumps_params={"indent": 2})


@require_GET
def version_compare(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    audit.record(request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail="versions compared")
    numbers = list(plan.versions.order_by("-number").values_list("number", flat=True))
    form = CompareForm(request.GET, numbers=numbers)
    if not form.is_valid():
        raise Http404("Choose two versions of this plan.")
    first, second = sorted((form.cleaned_data["a"], form.cleaned_data["b"]))
    found = {
        v.number: v for v in plan.versions.filter(number__in=(first, second)).select_related("created_by")
    }
    comparison = compare_versions(found[first], found[second])
    return render(
        request,
        "plans/version_compare.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "comparison": comparison,
            "pair": [comparison.older, comparison.newer],
            "form": form,
        },
    )


# Adjustments ---------------------------------------------------------------------------------


def _adjust(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    form: ChangeForm,
    *,
    title: str,
    propose: Callable[[PlanVersion], actions.Proposal] | None,
    save: Callable[[str, dict[str, str]], PlanVersion],
    extra: Mapping[str, Any] | None = None,
    template: str = "plans/adjust.html",
    acknowledge: bool | None = None,
) -> HttpResponse:
    """Review then save one change: the first post shows the recomputed plan and its warnings,
    the save (from that review) makes the new version."""
    version = _version(plan)
    audit.record(request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail=title.lower())
    today = timezone.localdate()
    proposal = None
    if request.method == "POST" and form.is_valid():
        try:
            proposal = propose(version) if propose else actions.same_proposal(version)
        except engine.EngineError as error:
            _engine_error(form, error)
    schedule = proposal.schedule_dict if proposal else None
    saving = request.POST.get("action") == "save"
    # A plan being followed (or about to be) takes no danger unacknowledged.
    must_acknowledge = plan.is_current if acknowledge is None else acknowledge
    dangers = (
        plan_dangers.unacknowledged_dangers(schedule, version.acknowledgements, saved_with=version.schedule)
        if schedule and must_acknowledge
        else []
    )
    ack_form = AcknowledgementForm(request.POST or None, dangers=dangers, required=saving)
    if saving and proposal is not None and form.require_reason() and ack_form.is_valid():
        try:
            saved = save(form.cleaned_data["reason"], ack_form.acknowledgements)
        except (actions.PlanError, engine.EngineError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Saved as version {saved.number}: {saved.get_change_display().lower()}."
            )
            return redirect("schedules:plan_detail", plan_id=plan.pk)
    context = {
        "plan": plan,
        "patient": plan.patient,
        "version": version,
        "form": form,
        "ack_form": ack_form,
        "title": title,
        "proposal": proposal,
        "comparison": _comparison(version, proposal),
        **_page_context(proposal, today),
        **(extra or {}),
    }
    return render(request, template, context)


def _comparison(version: PlanVersion, proposal: actions.Proposal | None) -> list[str]:
    if proposal is None:
        return []
    preview = PlanVersion(
        plan=version.plan, number=version.number + 1, status=version.status, schedule=proposal.schedule_dict
    )
    return compare_versions(version, preview).changes


def _step(plan: Plan, number: str | None) -> Mapping[str, Any]:
    """The step numbered ``number`` (1 to the last); anything else, 0 and -1 included, is a 404."""
    steps = _version(plan).schedule["steps"]
    try:
        index = int(number or "") - 1
    except ValueError:
        raise Http404("No such step in this plan.") from None
    if not 0 <= index < len(steps):
        raise Http404("No such step in this plan.")
    return steps[index]


def _lock(request: AuthenticatedHttpRequest, plan: Plan) -> dict[str, int]:
    """The version the person sees now: their save is refused if someone saves in between."""
    return {"lock_version": plan.lock_version}


@permission_required(CHANGE_PLAN, raise_exception=True)
def step_edit(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    step = _step(plan, request.POST.get("step") or request.GET.get("step"))
    form = StepEditForm(
        request.POST or None, initial=_lock(request, plan), step=step, drugs=_drugs_of(plan, step)
    )

    def propose(version: PlanVersion) -> actions.Proposal:
        return actions.edit_step_proposal(
            version, step_number=step["number"], doses=form.doses, days=form.cleaned_data["days"]
        )

    def save(reason: str, acks: dict[str, str]) -> PlanVersion:
        return actions.edit_step(
            request.user,
            plan=plan,
            lock_version=form.cleaned_data["lock_version"],
            step_number=step["number"],
            doses=form.doses,
            days=form.cleaned_data["days"],
            reason=reason,
            acknowledgements=acks,
        )

    return _adjust(
        request,
        plan,
        form,
        title=f"Edit step {step['number']}",
        propose=propose,
        save=save,
        extra={"step": step},
        template="plans/step_edit.html",
    )


def _drugs_of(plan: Plan, step: Mapping[str, Any]) -> list[str]:
    """Every drug a step may give: the step's own, the plan's regimen and its switch drug."""
    request = _version(plan).request
    return sorted({dose["drug"] for dose in step["doses"]} | request_drugs(request))


@permission_required(CHANGE_PLAN, raise_exception=True)
def hold_insert(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    steps = _version(plan).schedule["steps"]
    initial = {**_lock(request, plan), "after_step": request.GET.get("step", 1)}
    form = HoldForm(request.POST or None, initial=initial, steps=steps)

    def propose(version: PlanVersion) -> actions.Proposal:
        return actions.hold_proposal(
            version, after_step=form.cleaned_data["after_step"], days=form.cleaned_data["days"]
        )

    def save(reason: str, acks: dict[str, str]) -> PlanVersion:
        return actions.insert_hold(
            request.user,
            plan=plan,
            lock_version=form.cleaned_data["lock_version"],
            after_step=form.cleaned_data["after_step"],
            days=form.cleaned_data["days"],
            reason=reason,
            acknowledgements=acks,
        )

    return _adjust(request, plan, form, title="Insert a hold", propose=propose, save=save)


@permission_required(CHANGE_PLAN, raise_exception=True)
def step_remove(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    step = _step(plan, request.POST.get("step") or request.GET.get("step"))
    form = ChangeForm(request.POST or None, initial=_lock(request, plan))

    def save(reason: str, acks: dict[str, str]) -> PlanVersion:
        return actions.remove_step(
            request.user,
            plan=plan,
            lock_version=form.cleaned_data["lock_version"],
            step_number=step["number"],
            reason=reason,
            acknowledgements=acks,
        )

    return _adjust(
        request,
        plan,
        form,
        title=f"Remove step {step['number']}",
        propose=lambda version: actions.remove_step_proposal(version, step_number=step["number"]),
        save=save,
        extra={"step": step},
    )


@permission_required(CHANGE_PLAN, raise_exception=True)
def replan(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    """Re-plan from a step with the builder's inputs, and today's tables and products."""
    plan = plan_for(request, plan_id)
    version = _version(plan)
    today = timezone.localdate()
    steps = version.schedule["steps"]
    if request.method == "POST":
        builder = PlanBuilderForm(request.POST, patient=plan.patient, today=today, replanning=True)
    else:
        blank = PlanBuilderForm(patient=plan.patient, today=today, replanning=True)
        # The kept steps keep the plan's own start; the builder's start only dates the patient's age.
        initial = {**_initial_data(blank, version.choices), "start": today.isoformat()}
        builder = PlanBuilderForm(
            initial, patient=plan.patient, today=today, replanning=True, reference=blank.reference
        )
    default_step = request.GET.get("step") or _current_number(plan, version, today)
    form = ReplanStepForm(
        request.POST or None, initial={**_lock(request, plan), "step_number": default_step}, steps=steps
    )
    built: list[engine.PlanRequest] = []

    def propose(version: PlanVersion) -> actions.Proposal:
        new_request, _ = _preview(builder)
        if new_request is None:
            raise engine.EngineError("Correct the plan's inputs below first.")
        built.append(new_request)
        return actions.replan_proposal(
            version, step_number=form.cleaned_data["step_number"], request=new_request
        )

    def save(reason: str, acks: dict[str, str]) -> PlanVersion:
        return actions.replan_from(
            request.user,
            plan=plan,
            lock_version=form.cleaned_data["lock_version"],
            step_number=form.cleaned_data["step_number"],
            request=built[0],
            choices=builder.choices_data,
            reason=reason,
            acknowledgements=acks,
        )

    return _adjust(
        request,
        plan,
        form,
        title="Re-plan from a step",
        propose=propose,
        save=save,
        extra={"builder": builder},
        template="plans/replan.html",
    )


def _current_number(plan: Plan, version: PlanVersion, today: dt.date) -> int:
    step = today_of(plan, version, today).step
    return int(step["number"]) if step else 1


STATUS_ACTIONS: dict[str, str] = {
    "activate": "Activate the plan",
    "acknowledge": "Acknowledge danger warnings",
    "pause": "Pause the plan",
    "resume": "Resume the plan",
    "complete": "Mark the plan completed",
    "stop": "Stop the plan",
}


@permission_required(CHANGE_PLAN, raise_exception=True)
def status_change(request: AuthenticatedHttpRequest, plan_id: int, action: str) -> HttpResponse:
    if action not in STATUS_ACTIONS:
        raise Http404("No such change.")
    plan = plan_for(request, plan_id)
    today = timezone.localdate()
    initial = {**_lock(request, plan), "on": today}
    form: ChangeForm
    if action == "pause":
        window = dates.pause_window(_version(plan), today=today)
        form = DateChangeForm(request.POST or None, initial=initial, window=window)
    elif action == "resume":
        window = dates.resume_window(plan, _version(plan), today=today)
        form = DateChangeForm(request.POST or None, initial=initial, window=window)
    else:
        form = ChangeForm(request.POST or None, initial=initial)
    lock = lambda: form.cleaned_data["lock_version"]  # noqa: E731

    def propose(version: PlanVersion) -> actions.Proposal:
        if action == "resume" and plan.paused_on is not None:
            return actions.resume_proposal(version, paused_on=plan.paused_on, on=form.cleaned_data["on"])
        return actions.same_proposal(version)

    def save(reason: str, acks: dict[str, str]) -> PlanVersion:
        user = request.user
        if action == "activate":
            return actions.activate(
                user, plan=plan, lock_version=lock(), reason=reason, acknowledgements=acks
            )
        if action == "acknowledge":
            return actions.acknowledge_dangers(
                user, plan=plan, lock_version=lock(), acknowledgements=acks, reason=reason
            )
        if action == "pause":
            return actions.pause(
                user, plan=plan, lock_version=lock(), on=form.cleaned_data["on"], reason=reason
            )
        if action == "resume":
            return actions.resume(
                user, plan=plan, lock_version=lock(), on=form.cleaned_data["on"], reason=reason
            )
        if action == "complete":
            return actions.complete(user, plan=plan, lock_version=lock(), reason=reason)
        return actions.stop(user, plan=plan, lock_version=lock(), reason=reason)

    return _adjust(
        request,
        plan,
        form,
        title=STATUS_ACTIONS[action],
        propose=propose,
        save=save,
        extra={"action": action},
        template="plans/status_change.html",
        acknowledge=plan.is_current or action in ("activate", "acknowledge"),
    )
