"""The summary of a form's errors at the top of its page (WCAG 3.3.1): each error, linked to its field."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField

register = template.Library()


def field_anchor(field: BoundField) -> str:
    """The id the field's link goes to: its input, or the first choice of a set of radios or boxes."""
    return field.id_for_label or f"{field.auto_id}_0"


def _first_anchor(form: BaseForm) -> str:
    """Where an error of the whole form (or row) points: its first field a person sees."""
    visible = [field for field in form if not field.is_hidden]
    return field_anchor(visible[0]) if visible else ""


@register.inclusion_tag("_error_summary.html")
def error_summary(form: BaseForm | BaseFormSet) -> dict[str, Any]:
    """Every error of a form, or of each form of a formset (its row named): each field's, linked to
    the field, and those of a whole row or form, linked to its first field."""
    rows = list(enumerate(form, start=1)) if isinstance(form, BaseFormSet) else [(0, form)]
    items: list[tuple[str, str, Any]] = []
    if isinstance(form, BaseFormSet) and rows:
        items += [(_first_anchor(rows[0][1]), "The list", error) for error in form.non_form_errors()]
    for row, each in rows:
        items += [
            (_first_anchor(each), f"Row {row}" if row else "This form", error)
            for error in each.non_field_errors()
        ]
        items += [
            (field_anchor(field), f"{field.label}, row {row}" if row else str(field.label), error)
            for field in each
            if not field.is_hidden
            for error in field.errors
        ]
    return {"items": items}
