"""Saving a patient's details and regimen without losing anybody's edit (optimistic concurrency).

A form carries the version it was opened at. A save locks the patient row, compares that version
with the stored one and, when someone else saved changes in between, refuses with what they
changed (read from the change history), so the form can be shown again with this person's typing
kept. A save in between that changed nothing loses nothing, so it does not stop this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction

from schedules.models import PATIENT_FIELDS, Patient, Plan, RegimenItem
from schedules.plans.actions import record_follow_up_dates

if TYPE_CHECKING:
    from schedules.patients.forms import BaseRegimenFormSet, PatientForm


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


@dataclass(frozen=True)
class EditConflict(Exception):
    """Someone else saved since this form was opened: what they changed, who and when."""

    changes: tuple[Change, ...]
    by: str
    at: datetime | None
    version: int  # the stored version now: a form showing the changes is opened at it

    def __str__(self) -> str:
        return f"{self.by} saved changes after you opened this page"


def save_patient(form: PatientForm) -> Patient:
    """Save a valid patient form; raise EditConflict when it was opened at an older version."""
    patient: Patient = form.instance
    moved = False
    with transaction.atomic():
        if patient.pk is not None:
            current = Patient.objects.select_for_update().get(pk=patient.pk)
            conflict = patient_conflict(current, form.cleaned_data["version"])
            if conflict:
                raise conflict
            patient.version = current.version + 1
            patient.regimen_version = current.regimen_version  # a regimen saved meanwhile stays
            moved = current.clinic_id != patient.clinic_id
        saved: Patient = form.save()
        if moved:
            # The plans go with the patient, under its lock: who sees a plan is decided on its
            # copy of the clinic (Plan.clinic).
            Plan.objects.filter(patient=saved).update(clinic=saved.clinic_id)
        # Other CNS-depressant use brings the next review forward (followup.due).
        for plan in Plan.objects.filter(patient=saved).current():
            record_follow_up_dates(plan)
    return saved


def save_regimen(formset: BaseRegimenFormSet, *, patient: Patient) -> None:
    """Save a valid regimen formset; raise EditConflict when it was opened at an older version.

    The version goes up before the rows are written, so the history can tell which rows a given
    version held (see regimen_at)."""
    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        conflict = regimen_conflict(current, formset.loaded_version or 0)
        if conflict:
            raise conflict
        current.regimen_version += 1
        current.save(update_fields=["regimen_version", "updated_at"])
        formset.save()


def patient_conflict(current: Patient, loaded_version: int) -> EditConflict | None:
    if current.version == loaded_version:
        return None
    seen = current.history.filter(version=loaded_version).order_by("-history_date").first()
    changes = tuple(
        Change(what=_label(name), before=_shown(seen, name) if seen else "?", after=_shown(current, name))
        for name in PATIENT_FIELDS
        if seen is None or _shown(seen, name) != _shown(current, name)
    )
    return _conflict(current, changes, version=current.version) if changes else None


def regimen_conflict(current: Patient, loaded_version: int) -> EditConflict | None:
    if current.regimen_version == loaded_version:
        return None
    before = {item.drug_id: item for item in regimen_at(current, loaded_version)}
    after = {item.drug_id: item for item in current.regimen.select_related("drug")}
    changes = []
    for drug_id in sorted({*before, *after}, key=lambda pk: _drug_name(before.get(pk) or after[pk])):
        old, new = before.get(drug_id), after.get(drug_id)
        old_text = describe_doses(old) if old else "not taken"
        new_text = describe_doses(new) if new else "removed"
        if old_text != new_text:
            changes.append(Change(what=_drug_name(old or new), before=old_text, after=new_text))
    return _conflict(current, tuple(changes), version=current.regimen_version) if changes else None


def regimen_at(patient: Patient, version: int) -> list[RegimenItem]:
    """The rows of `patient`'s regimen at `version`: as they stood when the next version began."""
    began = patient.history.filter(regimen_version=version + 1).order_by("history_date").first()
    if began is None:
        return list(patient.regimen.select_related("drug"))
    rows = RegimenItem.history.as_of(began.history_date).filter(patient_id=patient.pk)
    return list(rows.select_related("drug"))


def describe_doses(item: RegimenItem) -> str:
    """'1 mg morning, 2 mg night'."""
    return ", ".join(f"{_mg(dose)} mg {slot}" for slot, dose in item.doses.items())


def _conflict(current: Patient, changes: tuple[Change, ...], *, version: int) -> EditConflict:
    latest = current.history.order_by("-history_date").first()
    user = getattr(latest, "history_user", None)
    by = (user.get_full_name() or user.get_username()) if user is not None else "Someone else"
    return EditConflict(changes=changes, by=by, at=latest.history_date if latest else None, version=version)


def _drug_name(item: RegimenItem | None) -> str:
    return item.drug.name if item is not None else ""


def _field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Patient._meta.get_field(name))


def _label(name: str) -> str:
    return str(_field(name).verbose_name).capitalize()


def _shown(record: Any, name: str) -> str:
    """A field's value as a person reads it: choices by label, yes/no, dates as on the page."""
    field = _field(name)
    if name == "clinic":
        return str(record.clinic)
    value = getattr(record, name)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "strftime"):
        return f"{value.day} {value:%b %Y}"
    return str(value) if value != "" else "(empty)"


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f}"
