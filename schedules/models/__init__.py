"""The clinical data model, one module per area under one app label (`schedules`):

- `reference`: drugs, formulations and the diazepam-equivalence tables;
- `patients`: clinics, patients and their current regimen (the registry);
- `plans`: taper plans and their append-only versions;
- `documents`: the printed documents of saved versions, rendered once and stored.

Limits the data must never break are database constraints, so they hold whatever writes the row.
"""

from .documents import PlanDocument
from .patients import (
    DATE_OF_BIRTH_PATTERNS,
    OLDEST_PLAUSIBLE_AGE_YEARS,
    PATIENT_FIELDS,
    SLOT_FIELDS,
    Clinic,
    Patient,
    PatientQuerySet,
    RegimenItem,
    date_of_birth_readings,
    parse_date_of_birth,
)
from .plans import Plan, PlanQuerySet, PlanStep, PlanVersion, PlanVersionImmutable, PlanVersionQuerySet
from .reference import (
    CLINIC_MARKETS,
    LONG_LIVED_METABOLITE_HOURS,
    Confidence,
    Drug,
    Equivalence,
    EquivalenceTable,
    EquivalenceTableQuerySet,
    Formulation,
    FormulationQuerySet,
    Market,
)

__all__ = [
    "CLINIC_MARKETS",
    "DATE_OF_BIRTH_PATTERNS",
    "LONG_LIVED_METABOLITE_HOURS",
    "OLDEST_PLAUSIBLE_AGE_YEARS",
    "PATIENT_FIELDS",
    "SLOT_FIELDS",
    "Clinic",
    "Confidence",
    "Drug",
    "Equivalence",
    "EquivalenceTable",
    "EquivalenceTableQuerySet",
    "Formulation",
    "FormulationQuerySet",
    "Market",
    "Patient",
    "PatientQuerySet",
    "Plan",
    "PlanDocument",
    "PlanQuerySet",
    "PlanStep",
    "PlanVersion",
    "PlanVersionImmutable",
    "PlanVersionQuerySet",
    "RegimenItem",
    "date_of_birth_readings",
    "parse_date_of_birth",
]
