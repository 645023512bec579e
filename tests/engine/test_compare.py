"""Every loaded table's conversion of a regimen, with a warning where they disagree."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from engine_builders import regimen
from reference_data import load_table

from schedules.engine import EquivalenceTable, compare_tables


def tables() -> list[EquivalenceTable]:
    return [load_table(key) for key in ("ashton", "va-dod", "who-2009")]


def test_alprazolam_6_mg_is_120_mg_by_ashton_but_60_by_va_dod_and_that_is_a_warning() -> None:
    comparison = compare_tables(
        regimen=[regimen("alprazolam", morning="2", midday="2", night="2")], tables=tables(), used="va-dod"
    )
    (alprazolam,) = comparison.drugs
    assert alprazolam.values[0].table_key == "va-dod"  # the table in use first
    by_key = {value.table_key: value.daily_de for value in alprazolam.values}
    assert by_key == {"va-dod": 60, "ashton": 120, "who-2009": 60}
    assert alprazolam.ratio == 2
    (warning,) = comparison.warnings
    assert warning.code == "tables_disagree" and warning.severity == "warning"
    assert "diazepam 120 mg by the Ashton" in warning.message and "60 mg by the VA/DoD" in warning.message
    assert "Ashton CH" in warning.source and "Brunner E" in warning.source
    assert "alprazolam 0.5 mg = diazepam 10 mg (Ashton" in alprazolam.values[1].describe("alprazolam")


def test_tables_within_1_5_times_give_no_warning() -> None:
    comparison = compare_tables(regimen=[regimen("diazepam", night="10")], tables=tables())
    assert not comparison.warnings
    assert comparison.drugs[0].ratio == 1
    assert all(value.daily_de == Fraction(10) for value in comparison.drugs[0].values)


def test_only_drugs_of_the_regimen_are_compared_and_missing_tables_named() -> None:
    comparison = compare_tables(
        regimen=[regimen("lorazepam", morning="1"), regimen("diazepam", night="5")], tables=tables()
    )
    assert [drug.drug for drug in comparison.drugs] == ["lorazepam", "diazepam"]
    assert comparison.drugs[0].daily_mg == Decimal(1)
