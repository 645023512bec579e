"""A plan's schedule as files for other systems: iCalendar, a FHIR R4 Bundle and CSV (bytes out).

Pure functions of the schedule dict (``engine.schedule_to_dict``, the ``taper --format json``
contract) and a few plain identifiers; no request handling. The calendar carries no patient
identifier: it ends up on phones and shared calendars.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar, Event

from schedules.plans.steps import changes_dose
from schedules.templatetags.taper import SLOT_LABELS, mg, phase_label, units_text

# FHIR EventTiming codes for the four times of day (http://hl7.org/fhir/event-timing, R4).
EVENT_TIMING = {"morning": "MORN", "midday": "NOON", "evening": "EVE", "night": "NIGHT"}
# Oral route, SNOMED CT 26643006, as in the FHIR tapering-dose example MedicationRequest medrx0303.
ORAL_ROUTE = {"coding": [{"system": "http://snomed.info/sct", "code": "26643006", "display": "Oral route"}]}
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class ExportIdentity:
    """What names the exported plan: ``key`` is stable across versions (e.g. "plan-12")."""

    key: str
    version: int = 1
    status: str = "active"
    authored_on: dt.date | None = None
    prescriber: str = ""
    patient_reference: dict[str, Any] | None = None  # a FHIR Patient resource, FHIR only


# iCalendar ------------------------------------------------------------------------------------


def schedule_ics(
    schedule: dict[str, Any],
    *,
    identity: ExportIdentity,
    generated_at: dt.datetime,
    earlier: Sequence[dict[str, Any]] = (),
    stopped_on: dt.date | None = None,
) -> bytes:
    """One all-day event per dose change, each with a UID that stays the same across versions.

    ``earlier``: the schedules of the plan's earlier versions. A dose change they had and this one
    has not (a step removed, the stop of a plan that now ends at a target dose) is sent cancelled
    under its UID, so a calendar that imported an earlier version drops it rather than keep telling
    the patient to change a dose. ``stopped_on``: the day a stopped plan stopped; every dose change
    after it is sent cancelled.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Taper planner//Taper schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Taper schedule")
    previous: dict[str, Any] | None = None
    for step in schedule["steps"]:
        start = dt.date.fromisoformat(step["start_date"])
        event = _event(
            uid=_step_uid(identity, step["number"]),
            day=start,
            summary=_event_summary(step, previous),
            description=_event_description(step, previous),
            sequence=identity.version,
            stamp=generated_at,
        )
        calendar.add_component(_cancelled(event, identity) if stopped_on and start > stopped_on else event)
        previous = step
    ends_with_stop = bool(schedule["steps"]) and not schedule.get("target")
    if ends_with_stop:
        end = dt.date.fromisoformat(schedule["end_date"])
        event = _event(
            uid=_end_uid(identity),
            day=end,
            summary="Taper: last step done",
            description="The schedule's last step ended yesterday. Follow what the clinic told you.",
            sequence=identity.version,
            stamp=generated_at,
        )
        calendar.add_component(_cancelled(event, identity) if stopped_on and end > stopped_on else event)
    for uid, day in _retired(schedule, earlier, identity, ends_with_stop=ends_with_stop).items():
        event = _event(
            uid=uid, day=day, summary="", description="", sequence=identity.version, stamp=generated_at
        )
        calendar.add_component(_cancelled(event, identity))
    return bytes(calendar.to_ical())


def _step_uid(identity: ExportIdentity, number: int) -> str:
    return f"{identity.key}-step-{number}@taper-planner"


def _end_uid(identity: ExportIdentity) -> str:
    return f"{identity.key}-end@taper-planner"


def _retired(
    schedule: dict[str, Any],
    earlier: Sequence[dict[str, Any]],
    identity: ExportIdentity,
    *,
    ends_with_stop: bool,
) -> dict[str, dt.date]:
    """The UIDs (with the day each was on) that earlier versions sent and this one does not."""
    retired: dict[str, dt.date] = {}
    for old in earlier:
        for step in old["steps"][len(schedule["steps"]) :]:
            retired[_step_uid(identity, step["number"])] = dt.date.fromisoformat(step["start_date"])
        if old["steps"] and not old.get("target") and not ends_with_stop:
            retired[_end_uid(identity)] = dt.date.fromisoformat(old["end_date"])
    return retired


def _cancelled(event: Event, identity: ExportIdentity) -> Event:
    """``event`` withdrawn: a calendar that holds its UID removes it (RFC 5545 STATUS:CANCELLED)."""
    event["summary"] = "Cancelled: no dose change on this day"
    event["description"] = (
        f"This dose change is no longer in the plan (version {identity.version}). "
        "Follow the schedule the clinic gave you most recently."
    )
    event.add("status", "CANCELLED")
    return event


def _event(
    *, uid: str, day: dt.date, summary: str, description: str, sequence: int, stamp: dt.datetime
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("sequence", sequence)
    event.add("transp", "TRANSPARENT")
    return event


def _event_summary(step: dict[str, Any], previous: dict[str, Any] | None) -> str:
    if not changes_dose(step, previous):
        return f"Taper step {step['number']}: hold, keep taking the same dose"
    # A held step whose dose differs is a step back to an earlier dose (plans.actions.step_back).
    what = "back to an earlier dose" if step["hold"] else phase_label(step).lower()
    return f"Taper step {step['number']}: {what}, new dose from today"


def _event_description(step: dict[str, Any], previous: dict[str, Any] | None) -> str:
    lines = [f"From {step['start_date']} to {step['end_date']} ({step['days']} days):"]
    for slot, label in SLOT_LABELS.items():
        doses = [d for d in step["doses"] if d["slot"] == slot]
        if doses:
            lines.append(
                f"{label}: " + "; ".join(f"{d['drug']} {mg(d['mg'])} mg ({units_text(d)})" for d in doses)
            )
        else:
            lines.append(f"{label}: nothing")
    changes = _changes(step, previous)
    if changes:
        lines.append("What changes: " + "; ".join(changes) + ".")
    return "\n".join(lines)


def _changes(step: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    if not changes_dose(step, previous):
        return ["nothing: keep taking the same dose (a hold)"]
    if previous is None:
        return ["the schedule starts"]
    before = {(d["drug"], d["slot"]): d["mg"] for d in previous["doses"]}
    after = {(d["drug"], d["slot"]): d["mg"] for d in step["doses"]}
    changes = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (list(SLOT_LABELS).index(k[1]), k[0])):
        drug, slot = key
        old, new = before.get(key, 0.0), after.get(key, 0.0)
        if old != new:
            changes.append(f"{SLOT_LABELS[slot].lower()} {drug} {mg(old)} mg to {mg(new)} mg")
    return changes


# FHIR R4 --------------------------------------------------------------------------------------


def schedule_fhir(schedule: dict[str, Any], *, identity: ExportIdentity) -> bytes:
    """A FHIR R4 collection Bundle: one MedicationRequest per drug, one Dosage per step and time of day.

    Dosages of one step share its ``sequence`` (FHIR: same sequence = taken concurrently), after
    the tapering-dose example medrx0303. Validated with fhir.resources' R4B models.
    """
    entries: list[dict[str, Any]] = []
    subject: dict[str, Any] = {"display": "Patient not recorded (plan made without a patient)"}
    if identity.patient_reference is not None:
        patient_url = _urn(identity.key, "patient")
        entries.append({"fullUrl": patient_url, "resource": identity.patient_reference})
        subject = {"reference": patient_url}
    for drug in _drugs(schedule):
        entries.append(
            {
                "fullUrl": _urn(identity.key, drug),
                "resource": _medication_request(schedule, drug=drug, identity=identity, subject=subject),
            }
        )
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    Bundle.model_validate(bundle)
    return json.dumps(bundle, indent=2, ensure_ascii=False).encode()


def _urn(key: str, part: str) -> str:
    """A stable UUID URN per plan and part, so a re-import finds the same resources."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'taper-planner:{key}:{part}')}"


def _drugs(schedule: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for step in schedule["steps"]:
        seen.extend(d["drug"] for d in step["doses"] if d["drug"] not in seen)
    return seen


_FHIR_STATUS = {
    "draft": "draft",
    "active": "active",
    "paused": "on-hold",
    "completed": "completed",
    "stopped": "stopped",
}


def _medication_request(
    schedule: dict[str, Any], *, drug: str, identity: ExportIdentity, subject: dict[str, Any]
) -> dict[str, Any]:
    dosages = []
    for step in schedule["steps"]:
        for dose in step["doses"]:
            if dose["drug"] != drug:
                continue
            dosages.append(
                {
                    "sequence": step["number"],
                    "text": (
                        f"Step {step['number']}, {step['start_date']} to {step['end_date']}: "
                        f"{SLOT_LABELS[dose['slot']].lower()} {mg(dose['mg'])} mg ({units_text(dose)})"
                    ),
                    "timing": {
                        "repeat": {
                            "boundsPeriod": {"start": step["start_date"], "end": step["end_date"]},
                            "frequency": 1,
                            "period": 1,
                            "periodUnit": "d",
                            "when": [EVENT_TIMING[dose["slot"]]],
                        }
                    },
                    "route": ORAL_ROUTE,
                    "doseAndRate": [
                        {"doseQuantity": {"value": dose["mg"], "unit": "mg", "system": UCUM, "code": "mg"}}
                    ],
                }
            )
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": f"{identity.key}-{drug}",
        "status": _FHIR_STATUS.get(identity.status, "unknown"),
        "intent": "plan",
        "medicationCodeableConcept": {"text": drug},
        "subject": subject,
        "groupIdentifier": {"system": "urn:taper-planner:plan", "value": identity.key},
        "note": [
            {
                "text": (
                    f"Benzodiazepine taper, version {identity.version}; diazepam equivalents from the "
                    f"{schedule['table']['name']}."
                )
            }
        ],
        "dosageInstruction": dosages,
    }
    if identity.authored_on is not None:
        resource["authoredOn"] = identity.authored_on.isoformat()
    if identity.prescriber:
        resource["requester"] = {"display": identity.prescriber}
    return resource


def fhir_patient(
    *, record_number: str, given_name: str, family_name: str, birth_date: dt.date, key: str
) -> dict[str, Any]:
    """The FHIR Patient resource for the Bundle (the receiving system matches on these)."""
    return {
        "resourceType": "Patient",
        "id": f"{key}-patient",
        "identifier": [{"system": "urn:taper-planner:record-number", "value": record_number}],
        "name": [{"family": family_name, "given": [given_name]}],
        "birthDate": birth_date.isoformat(),
    }


# CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "step",
    "phase",
    "start_date",
    "end_date",
    "days",
    "time_of_day",
    "drug",
    "mg",
    "units",
    "step_daily_mg",
    "diazepam_equivalent_mg",
    "change_percent",
)


def schedule_csv(schedule: dict[str, Any]) -> bytes:
    """One row per step and time of day (and drug, when two are taken at once); ISO dates, dot decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for step in schedule["steps"]:
        daily = "; ".join(f"{drug} {mg(value)}" for drug, value in step["daily_mg"].items())
        common = (step["start_date"], step["end_date"], step["days"])
        for slot in SLOT_LABELS:
            doses = [d for d in step["doses"] if d["slot"] == slot] or [None]
            for dose in doses:
                writer.writerow(
                    (
                        step["number"],
                        phase_label(step).lower(),
                        *common,
                        slot,
                        dose["drug"] if dose else "",
                        mg(dose["mg"]) if dose else "0",
                        units_text(dose) if dose else "",
                        daily,
                        mg(step["diazepam_equivalent_mg"], 2),
                        mg(step["change_percent"], 1),
                    )
                )
    return buffer.getvalue().encode()
