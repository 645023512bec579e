"""What must never happen is refused by the database itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from schedules.models import Clinic, Drug, Equivalence, EquivalenceTable, Formulation, Patient, RegimenItem

from .conftest import make_patient

pytestmark = pytest.mark.django_db


def refused(create: object) -> bool:
    try:
        with transaction.atomic():
            create()  # type: ignore[operator]
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize("dose", [Decimal(0), Decimal(-1)])
def test_a_regimen_dose_must_be_positive(clinic: Clinic, dose: Decimal) -> None:
    patient = make_patient(clinic)
    drug = Drug.objects.get(name="diazepam")
    assert refused(lambda: RegimenItem.objects.create(patient=patient, drug=drug, night_mg=dose))


def test_a_regimen_item_needs_a_dose_at_some_time_of_day(clinic: Clinic) -> None:
    patient = make_patient(clinic)
    drug = Drug.objects.get(name="diazepam")
    assert refused(lambda: RegimenItem.objects.create(patient=patient, drug=drug))
    RegimenItem.objects.create(patient=patient, drug=drug, night_mg=Decimal(5))


def test_a_drug_is_listed_once_per_regimen(clinic: Clinic) -> None:
    patient = make_patient(clinic)
    drug = Drug.objects.get(name="diazepam")
    RegimenItem.objects.create(patient=patient, drug=drug, night_mg=Decimal(5))
    assert refused(lambda: RegimenItem.objects.create(patient=patient, drug=drug, morning_mg=Decimal(2)))


def test_record_numbers_are_unique_within_a_clinic_only(clinic: Clinic, other_clinic: Clinic) -> None:
    make_patient(clinic, "R-1")
    assert refused(lambda: make_patient(clinic, "R-1"))
    assert refused(lambda: make_patient(clinic, "r-1"))
    assert isinstance(make_patient(other_clinic, "R-1"), Patient)


@pytest.mark.parametrize("dose", [Decimal(0), Decimal("-0.5")])
def test_an_equivalence_cannot_be_zero_or_negative(dose: Decimal) -> None:
    table = EquivalenceTable.objects.get(key="ashton")
    drug = Drug.objects.create(
        name="testazepam", drug_class="benzodiazepine", atc_code="N05XX99", confidence="M"
    )
    assert refused(lambda: Equivalence.objects.create(table=table, drug=drug, dose_mg=dose, confidence="M"))


def test_an_equivalence_range_must_bracket_its_point_value() -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="bromazepam")
    equivalence.dose_mg = Decimal(7)
    assert refused(equivalence.save)


def test_only_one_table_is_the_default() -> None:
    table = EquivalenceTable.objects.get(key="bnf")
    table.is_default = True
    assert refused(table.save)


def test_only_plain_tablets_may_be_split() -> None:
    drug = Drug.objects.get(name="oxazepam")
    assert refused(
        lambda: Formulation.objects.create(
            drug=drug,
            form="capsule",
            strength_mg=Decimal(10),
            divisible="half",
            market="OTHER",
            confidence="M",
        )
    )
    assert refused(
        lambda: Formulation.objects.create(
            drug=drug,
            form="tablet",
            modified_release=True,
            strength_mg=Decimal(10),
            divisible="half",
            market="OTHER",
            confidence="M",
        )
    )


def test_a_strength_must_be_positive() -> None:
    drug = Drug.objects.get(name="oxazepam")
    assert refused(
        lambda: Formulation.objects.create(
            drug=drug, form="tablet", strength_mg=Decimal(0), market="OTHER", confidence="M"
        )
    )
