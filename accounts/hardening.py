"""Admin pages that answer hostile addresses with a message, never a server error.

- A NUL character in a list filter or search (PostgreSQL refuses it in a query), or a filter value
  out of range (a date filter's year 99999999999), is refused with a message, and the list is shown
  again without it.
- A history page or history record with an id that is not a number says the record does not
  exist, like Django's own change page does.
- A delete confirmation that would reach patient data (a clinic's patients, a drug's regimen rows,
  a scale's check-ins, a user's plans) counts the records without naming any: nobody sees a patient
  in the admin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

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

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return RefusingChangeList

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
