"""A patient's current regimen in numbers: daily doses and their diazepam equivalent.

Conversions go through the schedule engine's equivalence table, the same arithmetic plans use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from schedules import engine
from schedules.models import EquivalenceTable, Formulation, RegimenItem
from schedules.plans.planning import engine_table


@dataclass(frozen=True)
class RegimenLine:
    item: RegimenItem
    entry: engine.EquivalenceEntry | None
    diazepam_equivalent_mg: Decimal | None
    products: list[Formulation]  # what the clinic's market stocks of this drug, for a plan


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


def summarise_regimen(
    items: Iterable[RegimenItem], *, market: str, table: EquivalenceTable | None = None
) -> RegimenSummary:
    """Each drug's daily dose, its diazepam equivalent under `table` (default: the default
    table) and the products `market` stocks of it."""
    items = list(items)
    table = table or EquivalenceTable.objects.default()
    converter = engine_table(table) if table is not None else None
    products = _stocked_products([item.drug_id for item in items], market)
    return RegimenSummary(
        table=table,
        reference_diazepam_mg=table.reference_diazepam_mg if table else None,
        lines=[_line(item, converter, products.get(item.drug_id, [])) for item in items],
    )


def _stocked_products(drug_ids: list[int], market: str) -> dict[int, list[Formulation]]:
    products: dict[int, list[Formulation]] = {}
    stocked = Formulation.objects.for_market(market).filter(drug_id__in=drug_ids, stocked=True)
    for product in stocked.order_by("modified_release", "form", "strength_mg"):
        products.setdefault(product.drug_id, []).append(product)
    return products


def _line(
    item: RegimenItem, converter: engine.EquivalenceTable | None, products: list[Formulation]
) -> RegimenLine:
    if converter is None or item.drug.name not in converter.drugs:
        return RegimenLine(item=item, entry=None, diazepam_equivalent_mg=None, products=products)
    exact = converter.to_diazepam(item.drug.name, item.daily_mg)
    return RegimenLine(
        item=item,
        entry=converter.entry(item.drug.name),
        diazepam_equivalent_mg=engine.round_de(exact),
        products=products,
    )
