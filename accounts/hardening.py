"""Admin pages that answer hostile addresses with a message, never a server error.

- A NUL character in a list filter or search (PostgreSQL refuses it in a query), or a filter value
  out of range (a date filter's year 99999999999), is refused with a message, and the list is shown
  again without it.
- A history page or history record with an id that is not a number says the record does not
  exist, like Django's own change page does.
- Every addition, change and deletion is written to the append-only audit trail: who, what, the
  old and new values (a password only as "set"), and the reason the form asked for. A deletion
  (one record, or several selected in a list: a lockout reset too) asks for its reason as well.
- A delete confirmation that would reach patient data (a clinic's patients, a drug's regimen rows,
  a scale's check-ins, a user's plans) counts the records without naming any: nobody sees a patient
  in the admin.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from django import forms
from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse

import audit
from audit.models import Action
from schedules.models.text import refuse_hidden_characters

# Models whose rows are a patient's data, or name a patient when shown.
PATIENT_DATA = frozenset(
    {
        "schedules.patient",
        "schedules.regimenitem",
        "schedules.plan",
        "schedules.planversion",
        "followup.checkin",
        "followup.followupsettings",
        "audit.auditevent",
    }
)


def reason_field(help_text: str) -> forms.CharField:
    """The reason every admin form asks for: one line, kept in the history and the audit trail."""
    return forms.CharField(
        label="Reason for this change",
        max_length=100,
        help_text=help_text,
        validators=[refuse_hidden_characters],
    )


# What a form's save changed, kept between building the change message and logging it.
_PENDING: WeakKeyDictionary[HttpRequest, tuple[dict[str, Any], str]] = WeakKeyDictionary()


class DeletionReasonForm(forms.Form):
    change_reason = reason_field(
        "Kept in the audit trail with your name and the time, e.g. 'entered twice' or 'user unlocked'."
    )


def _deletion_reason(request: HttpRequest, *, confirmed: bool, set_aside: Sequence[str] | None) -> forms.Form:
    """The reason given on a delete confirmation, kept for ``log_deletions``. A confirmation without
    a valid reason is not one: the POST's ``set_aside`` fields (all of them when None) are removed,
    so Django shows the confirmation again, with the error beside the field and what was typed."""
    if not confirmed:
        return DeletionReasonForm()
    form = DeletionReasonForm(request.POST)
    if form.is_valid():
        _PENDING[request] = ({}, form.cleaned_data["change_reason"])
        return form
    kept = request.POST.copy()
    for name in list(kept) if set_aside is None else set_aside:
        kept.pop(name, None)
    request.POST = QueryDict(kept.urlencode())
    return form


def delete_selected_with_reason(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
    """Django's "Delete selected" action, asking for the reason as a record's delete page does."""
    form = _deletion_reason(request, confirmed=bool(request.POST.get("post")), set_aside=["post"])
    response = delete_selected(model_admin, request, queryset)
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        response.context_data["reason_form"] = form
    return response


NOT_CHANGES = frozenset({"change_reason", "checked_against_source", "seen_history"})


def _is_secret(name: str) -> bool:
    return "password" in name


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: text for records, ISO dates, exact decimals."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple) and not any(isinstance(item, Model) for item in value):
        return [_plain(item) for item in value]
    if isinstance(value, Iterable):  # records chosen (roles, clinics, permissions): by name
        return sorted(str(_plain(item)) for item in value)
    return str(value)


def form_changes(form: forms.BaseForm) -> dict[str, Any]:
    """{"field": {"old": ..., "new": ...}} for each field the form changed; secrets only as set."""
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        if name in NOT_CHANGES:
            continue
        if _is_secret(name):
            changes["password"] = {"new": "set (not recorded)"}
            continue
        field, old = form.fields[name], form[name].initial
        # Initial choices may be keys: the records they name, by name (the queryset has them all).
        if isinstance(field, forms.ModelMultipleChoiceField):
            old = field.queryset.filter(pk__in=[getattr(item, "pk", item) for item in old or []])  # type: ignore[union-attr]
        elif isinstance(field, forms.ModelChoiceField) and old is not None:
            old = field.queryset.filter(pk=getattr(old, "pk", old)).first()  # type: ignore[union-attr]
        changes[name] = {"old": _plain(old), "new": _plain(form.cleaned_data.get(name))}
    return changes


def record_values(obj: Model) -> dict[str, Any]:
    """A deleted record's values, secrets left out."""
    return {
        field.name: {"old": _plain(field.value_from_object(obj))}
        for field in obj._meta.concrete_fields
        if not _is_secret(field.name) and field.name not in ("get_data", "post_data")
    }


def _counted(objects: Sequence[Model] | set[Model]) -> list[str]:
    counts = Counter(obj._meta for obj in objects)
    return [
        f"{count} {(opts.verbose_name if count == 1 else opts.verbose_name_plural)}"
        for opts, count in counts.items()
    ]


class RefusingChangeList(ChangeList):
    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                messages.error(request, "A filter or search contained a NUL character: it was ignored.")
                raise IncorrectLookupParameters("NUL character in the query string")
        try:
            return super().get_queryset(request, exclude_parameters)
        except (OverflowError, ValueError) as error:
            # e.g. a date filter with year 99999999999: Django's date hierarchy overflows.
            messages.error(request, "A filter value was out of range: it was ignored.")
            raise IncorrectLookupParameters(str(error)) from error


class HardenedAdminMixin:
    """Put first in the bases of a ModelAdmin (before SimpleHistoryAdmin)."""

    model: Any
    opts: Any
    # Django's confirmations with the reason field (templates/admin/_deletion_reason.html).
    delete_confirmation_template: ClassVar[Any] = "admin/delete_confirmation_with_reason.html"
    delete_selected_confirmation_template: ClassVar[Any] = (
        "admin/delete_selected_confirmation_with_reason.html"
    )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RefusingChangeList

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        reason = form.cleaned_data.get("change_reason", "") if hasattr(form, "cleaned_data") else ""
        _PENDING[request] = (form_changes(form), reason)
        return super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]

    def _record(
        self, request: HttpRequest, obj: Model, done: str, changes: dict[str, Any], reason: str
    ) -> None:
        audit.record(
            request,
            Action.ADMINISTER,
            detail=f"{obj._meta.verbose_name} #{obj.pk} {done}: {obj}",
            changes=changes,
            reason=reason,
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, obj, "added", *_PENDING.pop(request, ({}, "")))
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._record(request, obj, "changed", *_PENDING.pop(request, ({}, "")))
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        _, reason = _PENDING.pop(request, ({}, ""))
        for obj in queryset:
            self._record(request, obj, "deleted", record_values(obj), reason)
        return super().log_deletions(request, queryset)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # Django deletes on any POST to this page: every POST is a confirmation needing its reason.
        form = _deletion_reason(request, confirmed=bool(request.POST), set_aside=None)
        context = {**(extra_context or {}), "reason_form": form}
        return super().delete_view(request, object_id, context)  # type: ignore[misc]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_with_reason, name, description)
        return actions

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        reached = [obj for objects in collector.model_objs.values() for obj in objects]
        if not any(obj._meta.label_lower in PATIENT_DATA for obj in [*reached, *collector.protected]):
            return to_delete, model_count, perms_needed, protected
        note = " (patient records are not listed in the admin)"
        return (
            [f"{line}{note}" for line in _counted(reached)],
            model_count,
            perms_needed,
            [f"{line}{note}" for line in _counted(collector.protected)],
        )

    def _is_key(self, object_id: str) -> bool:
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return False
        return True

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self._is_key(object_id):
            return self._missing(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not self._is_key(object_id) or not version_id.isdigit():
            return self._missing(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
