"""Check-in pages: a plan's follow-up (check-ins, due dates, chart with scores), recording a check-in
with its decision previewed before saving, a check-in's record (where a prescriber confirms a
proposal), and a plan's check-in cadence. Every plan is fetched through plan_for (the user's scope)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit
from audit.models import Action
from schedules.models import Plan, PlanVersion
from schedules.patients.access import AuthenticatedHttpRequest
from schedules.plans import dates

from . import guidance
from .actions import (
    RECORD_PERMISSION,
    CheckInError,
    DecisionInput,
    Preview,
    confirm_checkin,
    may_decide,
    preview_decision,
    record_checkin,
    save_cadence,
)
from .changes import date_changes
from .forms import CheckInForm, ConfirmDecisionForm, FollowUpSettingsForm
from .models import CheckIn, FollowUpSettings, Scale
from .overview import checkins_of, follow_ups, rise_points, settings_of
from .scores import score_points
from .scoring import band_for, suggest_hold


@require_GET
@permission_required(RECORD_PERMISSION, raise_exception=True)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinics' follow-up lists on a page of their own (the dashboard shows them too)."""
    audit.record(request, Action.VIEW_LIST, detail="follow-up overview")
    return render(request, "followup/overview.html", {"today": timezone.localdate()})


def plan_for(request: AuthenticatedHttpRequest, plan_id: int) -> Plan:
    """The one way these views fetch a plan: through the user's scope, else 404."""
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related(
            "patient", "patient__clinic", "current_version", "followup_settings"
        ),
        pk=plan_id,
    )


def checkin_for(request: AuthenticatedHttpRequest, checkin_id: int) -> CheckIn:
    return get_object_or_404(
        CheckIn.objects.filter(plan__in=Plan.objects.visible_to(request.user)).select_related(
            "plan",
            "plan__patient",
            "plan__current_version",
            "scale",
            "recorded_by",
            "confirmed_by",
            "resulting_version",
        ),
        pk=checkin_id,
    )


def _plan_checkins(plan: Plan) -> list[CheckIn]:
    return checkins_of([plan])[plan.pk]


@require_http_methods(["GET"])
@permission_required("followup.view_checkin", raise_exception=True)
def plan_checkins(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    today = timezone.localdate()
    checkins = _plan_checkins(plan)
    follow_up = follow_ups([plan], today=today)[0] if plan.current_version else None
    audit.record(request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail="check-ins")
    return render(
        request,
        "followup/plan_checkins.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "follow_up": follow_up,
            "checkins": checkins,
            "scores": score_points(checkins),
            "today": today,
            "settings_form": FollowUpSettingsForm(instance=settings_of(plan)),
            "guidance": guidance,
        },
    )


def _scale_for(request: AuthenticatedHttpRequest) -> Scale:
    scales = (
        Scale.objects.filter(active=True).prefetch_related("items", "bands").order_by("-validated", "name")
    )
    key = request.GET.get("scale") or request.POST.get("scale")
    if key:
        if not slug_re.fullmatch(key):
            # Not a scale key at all (e.g. a NUL character, which PostgreSQL refuses in a query).
            raise Http404("No such symptom scale.")
        return get_object_or_404(scales, key=key)
    scale = scales.first()
    if scale is None:
        raise CheckInError("No symptom scale is active: an administrator must activate one.")
    return scale


def _preview_token(plan: Plan, lock_version: int, day: dt.date, decision: DecisionInput) -> str:
    """Fingerprint of what was previewed: saving needs the preview of exactly this decision on
    the version of the plan the form was opened on. A colleague's save since then is not hidden
    behind a new preview: the save goes ahead to the plan's lock, which refuses it naming theirs."""
    text = repr((plan.pk, lock_version, day, decision))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _acknowledgements(request: AuthenticatedHttpRequest, preview: Preview | None) -> dict[str, str]:
    if preview is None:
        return {}
    keys = (warning["key"] for warning in preview.dangers)
    return {key: request.POST.get(f"ack-{key}", "") for key in keys}


@require_http_methods(["GET", "POST"])
@permission_required("followup.add_checkin", raise_exception=True)
def checkin_create(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    if plan.current_version is None or plan.status not in Plan.CURRENT_STATUSES:
        messages.error(request, "Check-ins are recorded on an active or paused plan.")
        return redirect("followup:plan_checkins", plan.pk)
    audit.record(request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail="new check-in")
    today = timezone.localdate()
    decides = may_decide(request.user)
    try:
        scale = _scale_for(request)
    except CheckInError as error:
        messages.error(request, str(error))
        return redirect("followup:plan_checkins", plan.pk)
    form = CheckInForm(
        request.POST or None,
        scale=scale,
        window=dates.checkin_window(plan.current_version, today=today),
        may_decide=decides,
        initial={"lock_version": plan.lock_version, "date": today},
    )
    preview = suggestion = band = token = None
    if request.method == "POST" and form.is_valid():
        data = form.checkin_input()
        band = band_for(scale=form.scale_spec, total=data.total_score)
        previous = plan.checkins.filter(scale=scale).order_by("-date", "-recorded_at").first()
        suggestion = suggest_hold(
            scale=form.scale_spec,
            total=data.total_score,
            previous_total=previous.total_score if previous else None,
            rise_points=rise_points(),
        )
        try:
            preview = preview_decision(plan.current_version, day=data.date, decision=data.decision)
            token = _preview_token(plan, form.cleaned_data["lock_version"], data.date, data.decision)
            must_preview = decides and data.decision.decision in CheckIn.PLAN_CHANGING
            if "save" in request.POST and (not must_preview or request.POST.get("previewed") == token):
                checkin = record_checkin(
                    request.user,
                    plan=plan,
                    lock_version=form.cleaned_data["lock_version"],
                    data=data,
                    acknowledgements=_acknowledgements(request, preview),
                )
                messages.success(request, _saved_message(checkin))
                return redirect("followup:checkin_detail", checkin.pk)
            if "save" in request.POST:
                messages.info(request, "Check the new schedule below, then save.")
        except CheckInError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "followup/checkin_form.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "scale": scale,
            "form": form,
            "preview": preview,
            "preview_token": token,
            "suggestion": suggestion,
            "band": band,
            "may_decide": decides,
            "today": today,
            "guidance": guidance,
            "scores": score_points(_plan_checkins(plan)),
            "posted": request.POST,
        },
    )


def _saved_message(checkin: CheckIn) -> str:
    if checkin.status == CheckIn.Status.PROPOSED:
        return "Check-in saved. Its decision is proposed: a prescriber confirms it before the plan changes."
    if checkin.resulting_version is not None:
        return f"Check-in saved, and the plan saved as version {checkin.resulting_version.number}."
    return "Check-in saved; the plan is unchanged."


@require_http_methods(["GET", "POST"])
@permission_required("followup.view_checkin", raise_exception=True)
def checkin_detail(request: AuthenticatedHttpRequest, checkin_id: int) -> HttpResponse:
    checkin = checkin_for(request, checkin_id)
    plan = checkin.plan
    decides = may_decide(request.user)
    spec = checkin.scale.spec()
    can_confirm = decides and checkin.status == CheckIn.Status.PROPOSED and plan.is_current
    form = None
    preview = token = None
    if can_confirm:
        form = ConfirmDecisionForm(
            request.POST or None,
            initial={
                "decision": checkin.decision,
                "hold_days": checkin.hold_days,
                "slow_interval_days": checkin.slow_interval_days,
                "slow_percent": checkin.slow_percent,
                "step_back_days": checkin.step_back_days,
                "refer_to": checkin.refer_to,
                "decision_reason": checkin.decision_reason,
                "lock_version": plan.lock_version,
            },
        )
        if request.method == "POST" and form.is_valid():
            decision = form.decision_input()
            try:
                assert plan.current_version is not None
                preview = preview_decision(plan.current_version, day=checkin.date, decision=decision)
                token = _preview_token(plan, form.cleaned_data["lock_version"], checkin.date, decision)
                must_preview = decision.decision in CheckIn.PLAN_CHANGING
                if "save" in request.POST and (not must_preview or request.POST.get("previewed") == token):
                    confirmed = confirm_checkin(
                        request.user,
                        checkin=checkin,
                        lock_version=form.cleaned_data["lock_version"],
                        decision=decision,
                        acknowledgements=_acknowledgements(request, preview),
                    )
                    messages.success(request, _saved_message(confirmed))
                    return redirect("followup:checkin_detail", confirmed.pk)
                if "save" in request.POST:
                    messages.info(request, "Check the new schedule below, then confirm.")
            except CheckInError as error:
                form.add_error(None, str(error))
    elif request.method == "POST":
        messages.error(request, "This check-in has no decision for you to confirm.")
        return redirect("followup:checkin_detail", checkin.pk)
    previous = (
        plan.checkins.filter(scale=checkin.scale, date__lte=checkin.date)
        .exclude(pk=checkin.pk)
        .order_by("-date", "-recorded_at")
        .first()
    )
    suggestion = suggest_hold(
        scale=spec,
        total=checkin.total_score,
        previous_total=previous.total_score if previous else None,
        rise_points=rise_points(),
    )
    moved = []
    result = checkin.resulting_version
    if result is not None and result.number > 1:
        before = PlanVersion.objects.get(plan=plan, number=result.number - 1)
        moved = date_changes(before.schedule, result.schedule, on=checkin.date)
    chart_version = result or plan.current_version
    audit.record(request, Action.VIEW_PLAN, patient=plan.patient, plan=plan, detail=f"check-in {checkin.pk}")
    return render(
        request,
        "followup/checkin_detail.html",
        {
            "checkin": checkin,
            "plan": plan,
            "patient": plan.patient,
            "items": [(item, checkin.responses.get(str(item.order))) for item in spec.items],
            "band": band_for(scale=spec, total=checkin.total_score),
            "max_total": spec.max_total,
            "suggestion": suggestion,
            "form": form,
            "preview": preview,
            "preview_token": token,
            "guidance": guidance,
            "today": timezone.localdate(),
            "posted": request.POST,
            "moved": moved,
            "chart_schedule": chart_version.schedule if chart_version else None,
            "scores": score_points(_plan_checkins(plan)),
        },
    )


@require_POST
@permission_required("followup.change_followupsettings", raise_exception=True)
def followup_settings(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    # A copy of its own: an invalid form must not change the plan's cadence shown beside it.
    instance = FollowUpSettings.objects.filter(plan=plan).first() or FollowUpSettings(plan_id=plan.pk)
    form = FollowUpSettingsForm(request.POST, instance=instance)
    if form.is_valid():
        saved = save_cadence(form)
        messages.success(request, f"Saved: {saved}.")
        return redirect("followup:plan_checkins", plan.pk)
    today = timezone.localdate()
    checkins = _plan_checkins(plan)
    return render(
        request,
        "followup/plan_checkins.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "follow_up": follow_ups([plan], today=today)[0] if plan.current_version else None,
            "checkins": checkins,
            "scores": score_points(checkins),
            "today": today,
            "settings_form": form,
            "guidance": guidance,
        },
        status=400,
    )
