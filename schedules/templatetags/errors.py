"""The summary of a form's errors at the top of its page (WCAG 3.3.1): each error, linked to its field."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField

register = template.Library()


def field_anchor(field: BoundField) -> str:
    """The id the field's link goes to: its input, or the first choice of a set of radios or boxes."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.inclusion_tag("_error_summary.html")
def error_summary(form: BaseForm | BaseFormSet) -> dict[str, Any]:
    """Every field error of a form, or of each form of a formset (its row named)."""
    rows = list(enumerate(form, start=1)) if isinstance(form, BaseFormSet) else [(0, form)]
    items = [
        (field_anchor(field), f"{field.label}, row {row}" if row else str(field.label), error)
        for row, each in rows
        for field in each
        if not field.is_hidden
        for error in field.errors
    ]
    return {"items": items}
