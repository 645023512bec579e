"""The same regimen converted with every loaded equivalence table, side by side.

Published tables disagree (alprazolam 0.5 mg = diazepam 10 mg in the Ashton Manual, but 5 mg in
the VA/DoD table, so alprazolam 6 mg a day is diazepam 120 mg or 60 mg). A prescriber should see
the value used beside every other table's, and be warned when they differ by more than 1.5 times
for a drug in the regimen (issue 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .schedule import ScheduleWarning
from .types import EquivalenceTable, RegimenItem, format_de, format_mg

# Issue 8: tables differing by more than 1.5 times for a drug in the regimen need a warning.
DISAGREEMENT_RATIO = Fraction(3, 2)


@dataclass(frozen=True)
class TableValue:
    """One table's equivalence for one drug, and the drug's daily dose converted with it."""

    table_key: str
    table_name: str
    citation: str
    dose_mg: Fraction  # mg of the drug equivalent to ``reference_diazepam_mg`` diazepam
    reference_diazepam_mg: Fraction
    daily_de: Fraction  # the regimen's daily dose of the drug, in mg diazepam, by this table

    def describe(self, drug: str) -> str:
        """'alprazolam 0.5 mg = diazepam 10 mg (Ashton ...)'."""
        return (
            f"{drug} {format_de(self.dose_mg)} mg = diazepam {format_de(self.reference_diazepam_mg)} mg "
            f"({self.table_name})"
        )


@dataclass(frozen=True)
class DrugComparison:
    drug: str
    daily_mg: Fraction
    values: tuple[TableValue, ...]  # the tables that list the drug, the one in use first
    missing: tuple[str, ...]  # names of loaded tables that do not list it

    @property
    def ratio(self) -> Fraction:
        """Largest over smallest daily diazepam equivalent across the tables (1 with one table)."""
        equivalents = [value.daily_de for value in self.values]
        return max(equivalents) / min(equivalents) if equivalents else Fraction(1)


@dataclass(frozen=True)
class TableComparison:
    drugs: tuple[DrugComparison, ...]
    warnings: tuple[ScheduleWarning, ...]


def compare_tables(
    *, regimen: Sequence[RegimenItem], tables: Sequence[EquivalenceTable], used: str | None = None
) -> TableComparison:
    """Each regimen drug's equivalence in every table (``used``, a table key, first), with a
    ``tables_disagree`` warning for each drug whose tables differ by more than 1.5 times."""
    ordered = sorted(tables, key=lambda table: (table.key != used, table.name))
    drugs = []
    warnings = []
    for item in regimen:
        daily = Fraction(item.daily_mg)
        values = []
        missing = []
        for table in ordered:
            if item.drug not in table.drugs:
                missing.append(table.name)
                continue
            entry = table.entry(item.drug)
            values.append(
                TableValue(
                    table_key=table.key,
                    table_name=table.name,
                    citation=table.citation,
                    dose_mg=Fraction(entry.dose_mg),
                    reference_diazepam_mg=Fraction(table.reference_diazepam_mg),
                    daily_de=table.to_diazepam(item.drug, item.daily_mg),
                )
            )
        comparison = DrugComparison(
            drug=item.drug, daily_mg=daily, values=tuple(values), missing=tuple(missing)
        )
        drugs.append(comparison)
        if comparison.ratio > DISAGREEMENT_RATIO:
            low = min(values, key=lambda value: value.daily_de)
            high = max(values, key=lambda value: value.daily_de)
            warnings.append(
                ScheduleWarning(
                    code="tables_disagree",
                    severity="warning",
                    message=(
                        f"The equivalence tables differ by {format_de(comparison.ratio)} times for "
                        f"{item.drug}: {format_mg(item.daily_mg)} mg a day is diazepam "
                        f"{format_de(high.daily_de)} mg by the {high.table_name} but "
                        f"{format_de(low.daily_de)} mg by the {low.table_name}. Check the "
                        "conversion against the patient's response."
                    ),
                    source=f"{high.citation}; {low.citation}",
                )
            )
    return TableComparison(drugs=tuple(drugs), warnings=tuple(warnings))


def render_comparison(comparison: TableComparison) -> list[str]:
    """Plain-text lines for the command line's table output."""
    lines = ["Conversion by every loaded table (the one used first):"]
    for drug in comparison.drugs:
        for value in drug.values:
            lines.append(
                f"  {value.describe(drug.drug)}: {format_de(drug.daily_mg)} mg a day = "
                f"diazepam {format_de(value.daily_de)} mg"
            )
        if drug.missing:
            lines.append(f"  {drug.drug} is not in: {', '.join(drug.missing)}")
    for warning in comparison.warnings:
        lines.append(f"  [{warning.severity}] {warning.code}: {warning.message}")
        lines.append(f"      Source: {warning.source}")
    return lines
