"""The reference data loaded by migration: counts, sources, unverified marks and conversions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from schedules.models import Confidence, Drug, Equivalence, EquivalenceTable, Formulation
from schedules.plans.planning import engine_table
from schedules.reference.data import read_rows as csv_rows

pytestmark = pytest.mark.django_db


def daily_diazepam(table: str, drug: str, mg: str) -> Fraction:
    """Through the engine's table built from the database: the conversion every page and plan uses."""
    converter = engine_table(EquivalenceTable.objects.get(key=table))
    return converter.to_diazepam(drug, Decimal(mg))


def test_every_drug_formulation_table_and_equivalence_is_loaded() -> None:
    assert Drug.objects.count() == len(csv_rows("drugs.csv")) == 27
    assert Formulation.objects.count() == len(csv_rows("formulations.csv"))
    assert EquivalenceTable.objects.count() == len(csv_rows("equivalence_tables.csv")) == 5
    assert Equivalence.objects.count() == len(csv_rows("equivalences.csv"))


def test_the_five_tables_are_loaded_with_their_citations_and_reference_doses() -> None:
    tables = {table.key: table for table in EquivalenceTable.objects.all()}
    assert set(tables) == {"ashton", "va-dod", "bnf", "who-2009", "nhs-scotland"}
    assert tables["ashton"].is_default
    assert [key for key, table in tables.items() if table.is_default] == ["ashton"]
    assert tables["who-2009"].reference_diazepam_mg == 5
    assert tables["nhs-scotland"].reference_diazepam_mg == 5
    assert tables["va-dod"].reference_diazepam_mg == 10
    assert "Brunner" in tables["va-dod"].citation
    assert all(table.citation and table.url and table.year for table in tables.values())


@pytest.mark.parametrize(
    ("table", "drug", "mg", "expected"),
    [
        ("ashton", "lorazepam", "4", "40"),  # Ashton 2007: lorazepam 1 mg = diazepam 10 mg
        ("ashton", "clonazepam", "1", "20"),  # Ashton 2007: clonazepam 0.5 mg = diazepam 10 mg
        ("va-dod", "clonazepam", "1", "10"),  # VA/DoD 2021 (JCPG 2025 Table 7): 1 mg = 10 mg
        ("va-dod", "lorazepam", "4", "20"),  # VA/DoD 2021: lorazepam 2 mg = diazepam 10 mg
        ("who-2009", "lorazepam", "4", "40"),  # WHO 2009 Table 8 worked example
        ("who-2009", "temazepam", "60", "30"),  # WHO 2009 Table 8 worked example
        ("nhs-scotland", "zopiclone", "7.5", "5"),  # per 5 mg diazepam
        ("bnf", "oxazepam", "20", "10"),
    ],
)
def test_conversion_to_diazepam_through_each_table(table: str, drug: str, mg: str, expected: str) -> None:
    assert daily_diazepam(table, drug, mg) == Fraction(expected)


def test_a_range_in_the_source_keeps_its_bounds_and_says_the_point_was_chosen() -> None:
    bromazepam = Equivalence.objects.get(table__key="ashton", drug__name="bromazepam")
    assert (bromazepam.min_mg, bromazepam.dose_mg, bromazepam.max_mg) == (5, Decimal("5.5"), 6)
    assert bromazepam.is_range
    assert "midpoint" in bromazepam.note


def test_values_from_memory_are_marked_unverified_in_the_data() -> None:
    memory_rows = [row for row in csv_rows("formulations.csv") if row["confidence"] == "M"]
    unverified = Formulation.objects.filter(confidence=Confidence.MEMORY)
    assert unverified.count() == len(memory_rows) > 0
    assert not any(formulation.verified for formulation in unverified)
    verified = Formulation.objects.filter(confidence=Confidence.VERIFIED).first()
    assert verified is not None and verified.verified


def test_modified_release_and_non_tablet_forms_are_never_split() -> None:
    xr = Formulation.objects.get(drug__name="alprazolam", strength_mg=3, market="US")
    assert xr.modified_release and xr.divisible == "whole" and xr.form == "tablet"
    assert not Formulation.objects.exclude(form="tablet").exclude(divisible="whole").exists()


def test_drug_facts_come_from_the_reference() -> None:
    clonazepam = Drug.objects.get(name="clonazepam")
    assert clonazepam.atc_code == "N03AE01"
    assert clonazepam.may_treat_epilepsy
    assert Drug.objects.get(name="clobazam").may_treat_epilepsy
    diazepam = Drug.objects.get(name="diazepam")
    assert diazepam.has_long_lived_active_metabolite
    assert (diazepam.half_life_min_h, diazepam.half_life_max_h) == (20, 100)
    assert not Drug.objects.get(name="lorazepam").has_long_lived_active_metabolite
    assert Drug.objects.get(name="zolpidem").drug_class == "z-drug"


def test_a_clinics_market_decides_the_formulations_offered() -> None:
    uk = Formulation.objects.for_market("UK").filter(drug__name="diazepam")
    assert {f.strength_mg for f in uk if not f.is_liquid} == {Decimal(2), Decimal(5), Decimal(10)}
    assert not Formulation.objects.for_market("UK").filter(drug__name="clorazepate").exists()
