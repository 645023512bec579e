"""Plans for the fixtures' patients, built from the migrated reference data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from schedules import engine
from schedules.models import Drug, Patient, Plan
from schedules.plans import actions as actions
from schedules.plans import dangers as plan_dangers
from schedules.plans.planning import engine_drugs, engine_table, plan_formulations, table_by_key

START = dt.date(2027, 1, 4)


def lorazepam_request(
    patient: Patient,
    *,
    start: dt.date = START,
    switch: bool = False,
    method: engine.Method | None = None,
    interval_days: int | None = None,
) -> engine.PlanRequest:
    """The patient's lorazepam regimen, tapered by 10% every 2 weeks (UK products)."""
    lorazepam = Drug.objects.get(name="lorazepam")
    diazepam = Drug.objects.get(name="diazepam")
    market = patient.clinic.market
    formulations = plan_formulations(lorazepam, market=market)
    if switch:
        formulations += plan_formulations(diazepam, market=market)
    regimen = tuple(
        engine.RegimenItem(drug=item.drug.name, doses={engine.Slot(k): v for k, v in item.doses.items()})
        for item in patient.regimen.select_related("drug")
    )
    return engine.PlanRequest(
        regimen=regimen,
        table=engine_table(table_by_key(None)),
        drugs=tuple(engine_drugs({lorazepam, diazepam}, market)),
        formulations=tuple(formulations),
        method=method or engine.PercentMethod(Decimal(10)),
        start=start,
        interval_days=interval_days,
        switch=engine.Switch(to_drug="diazepam") if switch else None,
        patient=engine.PatientFactors(age=patient.age_on(start)),
    )


def acknowledging(schedule: Mapping[str, Any], reason: str = "Reviewed with the patient") -> dict[str, str]:
    """A reason for each danger warning of a schedule dict, by danger key (as the forms send them)."""
    return {w["key"]: reason for w in plan_dangers.dangers_of(schedule)}


def new_plan(user: User, patient: Patient, *, activate: bool = False, **options: object) -> Plan:
    """A plan for the patient's regimen; activated with each danger acknowledged when asked."""
    request = lorazepam_request(patient, **options)  # type: ignore[arg-type]
    schedule = actions.plan_proposal(request).schedule_dict
    return actions.create_plan(
        user,
        patient=patient,
        choices={"preset": "jcpg-standard"},
        request=request,
        reason="Patient agreed to taper",
        activate=activate,
        acknowledgements=acknowledging(schedule) if activate else {},
    )


@pytest.fixture
def plan(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient)


@pytest.fixture
def active_plan(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient, activate=True)
