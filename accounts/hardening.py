"""Admin pages that answer hostile addresses with a message, never a server error.

- A NUL character in a list filter or search (PostgreSQL refuses it in a query), or a filter value
  out of range (a date filter's year 99999999999), is refused with a message, and the list is shown
  again without it.
- A history page or history record with an id that is not a number says the record does not
  exist, like Django's own change page does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse


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
