"""A patient's current regimen in numbers: daily doses and their diazepam equivalent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import Equivalence, EquivalenceTable, RegimenItem


@dataclass(frozen=True)
class RegimenLine:
    item: RegimenItem
    equivalence: Equivalence | None

    @property
    def diazepam_equivalent_mg(self) -> Decimal | None:
        if self.equivalence is None:
            return None
        return self.equivalence.diazepam_equivalent(self.item.daily_mg)


@dataclass(frozen=True)
class RegimenSummary:
    table: EquivalenceTable | None
    lines: list[RegimenLine]

    @property
    def missing_equivalence(self) -> list[RegimenLine]:
        return [line for line in self.lines if line.equivalence is None]

    @property
    def total_diazepam_equivalent_mg(self) -> Decimal | None:
        """The regimen's daily diazepam equivalent, or None when a drug has no value in the table."""
        if not self.lines or self.missing_equivalence:
            return None
        return sum((line.diazepam_equivalent_mg or Decimal(0) for line in self.lines), Decimal(0))


def summarise_regimen(items: Iterable[RegimenItem], table: EquivalenceTable | None = None) -> RegimenSummary:
    """Each drug's daily dose and diazepam equivalent under `table` (default: the default table)."""
    items = list(items)
    table = table or EquivalenceTable.objects.filter(is_default=True).first()
    equivalences: dict[int, Equivalence] = {}
    if table is not None:
        equivalences = {
            equivalence.drug_id: equivalence
            for equivalence in table.equivalences.select_related("table").filter(
                drug__in=[item.drug_id for item in items]
            )
        }
    lines = [RegimenLine(item=item, equivalence=equivalences.get(item.drug_id)) for item in items]
    return RegimenSummary(table=table, lines=lines)
