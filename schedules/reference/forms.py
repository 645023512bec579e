"""The guard against lost updates for forms that edit a record with history but no version field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from schedules.models.history import latest_history_id, saves_since


class SeenHistoryMixin(forms.Form):
    """Carries the history record the page was opened on; a save from an older page is refused,
    naming each save since, and keeps what was typed. Saving again (having seen theirs) goes ahead."""

    seen_history = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    guarded: Any  # the record being edited

    def guard(self, record: Any) -> None:
        """Call from __init__ with the record being edited."""
        self.guarded = record
        if not self.is_bound:
            self.initial["seen_history"] = latest_history_id(record)

    def refuse_lost_update(self, cleaned: dict[str, Any]) -> None:
        """Call from clean()."""
        latest = latest_history_id(self.guarded)
        seen = cleaned.get("seen_history") or 0
        if latest == seen:
            return
        saved = " ".join(f"{line}." for line in saves_since(self.guarded, seen))
        self.add_error(
            None,
            f"Someone saved this since you opened it: {saved} Nothing of yours was saved; what you typed "
            "is kept below. Check it against their change and save again.",
        )
        # What they changed shows in the fields this person left alone; what this person typed is
        # kept. Having seen it all, the next save goes ahead.
        data = QueryDict(mutable=True)
        data.update(self.data)
        for name, value in self._untouched_now(seen).items():
            data.setlist(self.add_prefix(name), value)
        data[self.add_prefix("seen_history")] = str(latest)
        self.data = data

    def _untouched_now(self, seen: int) -> dict[str, list[str]]:
        """Today's values of the fields posted as they were on the page (the record at ``seen``)."""
        opened = self.guarded.history.filter(history_id=seen).first() if seen else None
        if opened is None:
            return {}
        now: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            if not hasattr(opened, name) or name == "seen_history":
                continue
            if field.has_changed(self._value_of(opened, name), self[name].data):
                continue  # typed by this person: kept
            current = self._value_of(self.guarded, name)
            if isinstance(field, forms.BooleanField):
                now[name] = ["on"] if current else []
            elif current is None:
                now[name] = []
            else:
                normalize = getattr(current, "normalize", None)  # a Decimal as typed: 1.2, not 1.200
                now[name] = [f"{normalize():f}" if normalize else str(field.prepare_value(current))]
        return now

    @staticmethod
    def _value_of(record: Any, name: str) -> Any:
        """A field's value on the record or a history record of it (a foreign key as its key)."""
        return getattr(record, f"{name}_id") if hasattr(record, f"{name}_id") else getattr(record, name)
