"""Printed plans and exports of a saved plan: PDFs, iCalendar, FHIR and CSV downloads.

Same permissions as the plan page: a plan is fetched only through ``Plan.objects.visible_to``
(another clinic's plan is a 404); prescribers and clinic staff may both print and export.
``?version=N`` prints or exports an older version (the print says so on every page). The PDFs are
made by a worker (``schedules.plans.documents``) and served from storage.
"""

from __future__ import annotations

import dataclasses

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

import audit
from audit.models import Action
from schedules.models import Plan, PlanVersion
from schedules.patients.access import AuthenticatedHttpRequest
from schedules.plans import documents, exports
from schedules.plans.dangers import unacknowledged_dangers
from schedules.plans.printing import PaperSize
from schedules.plans.printing.document import DEFAULT_PERIOD_WEEKS, PERIOD_WEEKS_CHOICES
from schedules.plans.views.plans import HtmxHttpRequest


def _version(request: AuthenticatedHttpRequest, plan_id: int) -> tuple[PlanVersion, int]:
    """The requested (default: latest) version of a plan the user may see, and the latest number."""
    plan = get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("patient__clinic", "created_by"), pk=plan_id
    )
    versions = plan.versions.select_related("created_by").order_by("-number")
    latest = versions.first()
    if latest is None:
        raise Http404("This plan has no saved version.")
    asked = request.GET.get("version", "")
    if not asked:
        version = latest
    elif asked.isdigit():
        version = get_object_or_404(versions, number=int(asked))
    else:
        raise Http404("There is no such version of this plan.")
    version.plan = plan
    return version, latest.number


def _audit(request: AuthenticatedHttpRequest, version: PlanVersion, action: Action, what: str) -> None:
    audit.record(
        request,
        action,
        patient=version.plan.patient,
        plan=version.plan,
        detail=f"{what}, version {version.number}",
    )


def _attachment(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(request: HtmxHttpRequest, plan_id: int, document: str) -> HttpResponse:
    """The stored document, made once by a worker. Not made yet: a page that says so and asks again
    every few seconds (htmx), opening the document when it is ready; never a render in the request."""
    paper_text = request.GET.get("paper", "")
    weeks_text = request.GET.get("weeks", "")
    try:
        paper = PaperSize(paper_text) if paper_text else None
        weeks = int(weeks_text) if weeks_text else DEFAULT_PERIOD_WEEKS
    except ValueError:
        weeks = -1
    if weeks not in PERIOD_WEEKS_CHOICES:
        return HttpResponseBadRequest(
            "Paper must be A4 or Letter, and the period 4, 8, 12 or 26 weeks or 0 (every step).",
            content_type="text/plain",
        )
    version, latest = _version(request, plan_id)
    if unacknowledged_dangers(version.schedule, version.acknowledgements):
        # As on the plan page: a plan with a danger warning nobody has acknowledged is not printed.
        return HttpResponse(
            "This plan has danger warnings not yet acknowledged: acknowledge each on the plan page, then print.",
            status=409,
            content_type="text/plain",
        )
    spec = documents.DocumentSpec.of(
        version,
        kind=document,
        today=timezone.localdate(),
        paper=paper,
        period_weeks=weeks,
        large_print=request.GET.get("large_print") == "1",
    )
    stored = documents.requested(version, spec, latest_version=latest)
    if not stored.is_ready:
        context = {"document": stored, "version": version, "plan": version.plan, "spec": spec}
        if request.htmx:
            return render(request, "plans/_document_state.html", context)
        return render(request, "plans/document_pending.html", context, status=202)
    if request.htmx:  # the waiting page: open the document itself
        return HttpResponseClientRedirect(request.get_full_path())
    _audit(request, version, Action.PRINT, f"{document}'s PDF")
    name = f"plan-{plan_id}-v{version.number}-{document}.pdf"
    return _attachment(bytes(stored.pdf), content_type="application/pdf", filename=name, inline=True)


@require_GET
def clinician_pdf(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    return _pdf(request, plan_id, "clinician")


@require_GET
def patient_pdf(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    return _pdf(request, plan_id, "patient")


def _identity(version: PlanVersion) -> exports.ExportIdentity:
    return exports.ExportIdentity(
        key=f"plan-{version.plan_id}",
        version=version.number,
        status=version.status,
        authored_on=timezone.localtime(version.created_at).date(),
        prescriber=version.plan.created_by.get_full_name() or version.plan.created_by.get_username(),
    )


@require_GET
def schedule_ics(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    version, _ = _version(request, plan_id)
    _audit(request, version, Action.EXPORT, "iCalendar")
    earlier = [old.schedule for old in version.plan.versions.filter(number__lt=version.number)]
    stopped = version.status == Plan.Status.STOPPED
    content = exports.schedule_ics(
        version.schedule,
        identity=_identity(version),
        generated_at=timezone.now(),
        earlier=earlier,
        stopped_on=timezone.localtime(version.created_at).date() if stopped else None,
    )
    return _attachment(content, content_type="text/calendar; charset=utf-8", filename=f"plan-{plan_id}.ics")


@require_GET
def schedule_fhir(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    version, _ = _version(request, plan_id)
    _audit(request, version, Action.EXPORT, "FHIR")
    patient = version.plan.patient
    identity = _identity(version)
    patient_resource = exports.fhir_patient(
        record_number=patient.record_number,
        given_name=patient.given_name,
        family_name=patient.family_name,
        birth_date=patient.date_of_birth,
        key=identity.key,
    )
    identity = dataclasses.replace(identity, patient_reference=patient_resource)
    content = exports.schedule_fhir(version.schedule, identity=identity)
    return _attachment(content, content_type="application/fhir+json", filename=f"plan-{plan_id}-fhir.json")


@require_GET
def steps_csv(request: AuthenticatedHttpRequest, plan_id: int) -> HttpResponse:
    version, _ = _version(request, plan_id)
    _audit(request, version, Action.EXPORT, "CSV")
    content = exports.schedule_csv(version.schedule)
    return _attachment(content, content_type="text/csv; charset=utf-8", filename=f"plan-{plan_id}-steps.csv")
