"""Building a ``PrintablePlan`` from a saved plan version: its frozen values, its patient and clinic;
and the patient's options sheet from the options compared in the builder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from schedules.engine.serialize import request_from_dict
from schedules.models import Clinic, Patient, PlanVersion
from schedules.plans.charts import ScorePoint
from schedules.plans.options import Option
from schedules.plans.printing.document import (
    DEFAULT_PERIOD_WEEKS,
    JOURNAL_DAYS,
    ClinicDetails,
    PaperSize,
    PatientIdentity,
    PlanIdentity,
    PrintablePlan,
    describe_request,
    journal_length,
    journal_window,
)
from schedules.plans.printing.options_sheet import OptionsSheet, options_pdf
from schedules.plans.printing.render import clinician_pdf, patient_pdf

# The emergency telephone number of each clinic market (UK 999; US and Canada 911).
EMERGENCY_NUMBERS = {"UK": "999", "US": "911", "CA": "911"}


def clinic_details(clinic: Clinic) -> ClinicDetails:
    return ClinicDetails(
        name=clinic.name,
        phone=clinic.contact_phone,
        email=clinic.contact_email,
        address=clinic.contact_address,
        hours=clinic.contact_hours,
        emergency_number=EMERGENCY_NUMBERS.get(clinic.market, ""),
    )


def _person(user: AbstractBaseUser) -> str:
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or user.get_username())


def from_plan_version(
    version: PlanVersion,
    *,
    latest_version: int,
    printed_at: dt.datetime,
    paper: PaperSize | None = None,
    period_start: dt.date | None = None,
    period_weeks: int = DEFAULT_PERIOD_WEEKS,
) -> PrintablePlan:
    """The print of ``version`` with the values it was saved with (never today's tables).

    ``paper`` overrides the clinic's paper size. ``latest_version`` is the plan's newest version
    number: a print of an older one says so on every page. The patient's schedule prints
    ``period_weeks`` from ``period_start`` in full (default: the step in force when printed).
    """
    plan = version.plan
    patient = plan.patient
    clinic = patient.clinic
    request = request_from_dict(version.request)
    method, switch, ending = describe_request(request)
    journal_start = period_start or journal_window(version.schedule, today=printed_at.date())[0]
    journal_days = journal_length(
        version.schedule, start=journal_start, days=period_weeks * 7 if period_weeks else JOURNAL_DAYS
    )
    return PrintablePlan(
        schedule=version.schedule,
        table=request.table,
        regimen=request.regimen,
        method_text=method,
        switch_text=switch,
        ending_text=ending,
        printed_at=printed_at,
        paper=paper or PaperSize(clinic.paper_size),
        period_days=request.period_days,
        clinic=clinic_details(clinic),
        prescriber=_person(plan.created_by),
        patient=PatientIdentity(
            name=patient.full_name, date_of_birth=patient.date_of_birth, record_number=patient.record_number
        ),
        plan=PlanIdentity(
            plan_id=plan.pk,
            version=version.number,
            status=version.get_status_display(),
            latest_version=latest_version,
            version_reason=version.reason,
            version_saved_at=version.created_at,
            version_saved_by=_person(version.created_by),
        ),
        journal_start=journal_start,
        journal_days=journal_days,
        period_weeks=period_weeks,
        ends_with_stop=request.ends_with_stop,
        acknowledgements=tuple(version.acknowledgements),
        decision=version.decision,
    )


def version_pdf(
    version: PlanVersion,
    *,
    document: str,
    latest_version: int,
    printed_at: dt.datetime,
    paper: PaperSize | None = None,
    period_start: dt.date | None = None,
    period_weeks: int = DEFAULT_PERIOD_WEEKS,
    scores: tuple[ScorePoint, ...] = (),
    large_print: bool = False,
) -> bytes:
    """The clinician's plan (``document="clinician"``, with the check-in ``scores`` on its chart) or
    the patient's schedule of a saved version (in ``large_print`` if asked)."""
    printable = from_plan_version(
        version,
        latest_version=latest_version,
        printed_at=printed_at,
        paper=paper,
        period_start=period_start,
        period_weeks=period_weeks,
    )
    if document == "clinician":
        return clinician_pdf(printable, scores=scores)
    return patient_pdf(printable, large_print=large_print)


def options_sheet_pdf(
    patient: Patient, compared: Sequence[Option], *, prescriber: AbstractBaseUser, printed_at: dt.datetime
) -> bytes:
    """The patient's options sheet (issue 17) for the options compared in the builder, on the
    clinic's paper, with its contact details."""
    clinic = patient.clinic
    sheet = OptionsSheet(
        options=tuple(compared),
        printed_at=printed_at,
        paper=PaperSize(clinic.paper_size),
        clinic=clinic_details(clinic),
        patient=PatientIdentity(
            name=patient.full_name, date_of_birth=patient.date_of_birth, record_number=patient.record_number
        ),
        prescriber=_person(prescriber),
    )
    return options_pdf(sheet)
