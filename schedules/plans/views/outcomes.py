"""The Outcomes page, its CSV and the plans behind each of its numbers (prescribers and clinic managers)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

import audit
from audit.models import Action
from schedules.patients.access import AuthenticatedHttpRequest
from schedules.plans import outcomes
from schedules.plans.forms import OutcomesForm
from schedules.plans.review import page_of


def _form(request: AuthenticatedHttpRequest) -> OutcomesForm:
    clinics = list(outcomes.clinics_for(request.user))
    if not clinics:
        raise PermissionDenied("The outcomes are for the prescribers and managers of a clinic.")
    return OutcomesForm(request.GET or None, clinics=clinics, today=timezone.localdate())


@require_GET
def outcomes_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid() or not form.is_bound:
        scope = form.scope()
        result = outcomes.outcomes(scope)
        audit.record(request, Action.VIEW_LIST, detail="outcomes")
        query = urlencode(form.query())
        context.update(
            outcomes.tables(result),
            result=result,
            query=query,
            plans_url=f"{reverse('schedules:outcomes_plans')}?{query}",
            quarters=[(label, urlencode(query)) for label, query in form.quarter_links()],
        )
    return render(request, "plans/outcomes.html", context)


@require_GET
def outcomes_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(" ".join(form.error_lines()), status=400, content_type="text/plain")
    scope = form.scope()
    audit.record(request, Action.EXPORT, detail=f"outcomes CSV, {scope.start} to {scope.end}")
    content = outcomes.as_csv(outcomes.outcomes(scope), ", ".join(c.name for c in scope.clinics))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{scope.start}-to-{scope.end}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def outcomes_plans(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid() and not form.cleaned_data["measure"]:
        form.add_error("measure", "Choose a figure to list the plans behind it.")
    if form.is_valid():
        scope = form.scope()
        measure, month, group, band, scale = (
            form.cleaned_data[name] for name in ("measure", "month", "group", "band", "scale")
        )
        plans = outcomes.plans_behind(request.user, scope, measure, month, group, band, scale)
        audit.record(request, Action.VIEW_LIST, detail=f"outcomes: plans {measure}")
        context.update(
            page=page_of(plans, request.GET.get("page")),
            scope=scope,
            measure=outcomes.MEASURES[measure],
            month=month,
            group=group and (outcomes.GROUPINGS[group[0]], group[1]),
            band=form.cleaned_data["band_label"],
            query=urlencode(form.query()),
        )
    return render(request, "plans/outcomes_plans.html", context)
