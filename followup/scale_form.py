"""A scale's items as form fields: one radio group per item, its choices the item's range with the
item's anchors as labels. Built from the scale's data, so a scale edited in the admin is asked as
edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from .scoring import ItemSpec, ScaleSpec, ScoringError, total_score


def item_field_name(item: ItemSpec) -> str:
    return f"item_{item.order}"


def item_choices(item: ItemSpec) -> list[tuple[str, str]]:
    labels = dict(item.anchors)
    return [
        (str(score), f"{score} · {labels[score]}" if score in labels else str(score))
        for score in range(item.min_score, item.max_score + 1)
    ]


def item_field(item: ItemSpec) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{item.order}. {item.text}",
        choices=item_choices(item),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a score for this item."},
    )


class ScaleResponsesMixin(forms.Form):
    """Adds the scale's items to a form; clean() scores them (add_scale_fields in __init__)."""

    scale_spec: ScaleSpec

    def add_scale_fields(self, spec: ScaleSpec) -> list[str]:
        self.scale_spec = spec
        names = []
        for item in spec.items:
            name = item_field_name(item)
            self.fields[name] = item_field(item)
            names.append(name)
        return names

    def scale_responses(self) -> dict[int, int]:
        return {
            item.order: self.cleaned_data[item_field_name(item)]
            for item in self.scale_spec.items
            if item_field_name(item) in self.cleaned_data
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        responses = self.scale_responses()
        if len(responses) == len(self.scale_spec.items):
            try:
                cleaned["total_score"] = total_score(scale=self.scale_spec, responses=responses)
            except ScoringError as error:
                self.add_error(None, str(error))
        cleaned["responses"] = responses
        return cleaned


def initial_from_responses(spec: ScaleSpec, responses: Mapping[str, int]) -> dict[str, str]:
    """The form's initial values from stored responses (JSON keys are strings)."""
    return {
        item_field_name(item): str(responses[str(item.order)])
        for item in spec.items
        if str(item.order) in responses
    }
