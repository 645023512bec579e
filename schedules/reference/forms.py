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
        # Having seen their change, the next save goes ahead.
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("seen_history")] = str(latest)
        self.data = data
