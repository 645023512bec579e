"""A patient's current regimen in numbers: daily doses and their diazepam equivalent.

Conversions go through the schedule engine's equivalence table, the same arithmetic plans use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from . import engine
from .models import EquivalenceTable, RegimenItem
from .planning import engine_table


@dataclass(frozen=True)
class RegimenLine:
    item: RegimenItem
    entry: engine.EquivalenceEntry | None
    diazepam_equivalent_mg: Decimal | None


@dataclass(frozen=True)
class RegimenSummary:
    table: EquivalenceTable | None
    reference_diazepam_mg: Decimal | None
    lines: list[RegimenLine]

    @property
    def missing_equivalence(self) -> list[RegimenLine]:
        return [line for line in self.lines if line.entry is None]

    @property
    def total_diazepam_equivalent_mg(self) -> Decimal | None:
        """The regimen's daily diazepam equivalent, or None when a drug has no value in the table."""
        if not self.lines or self.missing_equivalence:
            return None
        return sum((line.diazepam_equivalent_mg or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def exceeds_plausible_dose(self) -> bool:
        total = self.total_diazepam_equivalent_mg
        return total is not None and total > engine.MAX_PLAUSIBLE_DE_MG


def summarise_regimen(items: Iterable[RegimenItem], table: EquivalenceTable | None = None) -> RegimenSummary:
    """Each drug's daily dose and diazepam equivalent under `table` (default: the default table)."""
    items = list(items)
    table = table or EquivalenceTable.objects.filter(is_default=True).first()
    converter = engine_table(table) if table is not None else None
    return RegimenSummary(
        table=table,
        reference_diazepam_mg=table.reference_diazepam_mg if table else None,
        lines=[_line(item, converter) for item in items],
    )


def _line(item: RegimenItem, converter: engine.EquivalenceTable | None) -> RegimenLine:
    if converter is None or item.drug.name not in converter.drugs:
        return RegimenLine(item=item, entry=None, diazepam_equivalent_mg=None)
    exact = converter.to_diazepam(item.drug.name, item.daily_mg)
    return RegimenLine(
        item=item,
        entry=converter.entry(item.drug.name),
        diazepam_equivalent_mg=engine.round_fraction(exact, places=2),
    )
