"""Small inline engine inputs for tests (no reference data, so no M-tagged value)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schedules.engine import (
    DrugInfo,
    EquivalenceEntry,
    EquivalenceTable,
    Formulation,
    PercentMethod,
    RegimenItem,
    Schedule,
    Slot,
    plan_taper,
)

START = dt.date(2027, 1, 4)
M, D, E, N = Slot.MORNING, Slot.MIDDAY, Slot.EVENING, Slot.NIGHT


def tablets(drug: str, *strengths: str, divisible: str = "half") -> list[Formulation]:
    return [
        Formulation(drug=drug, form="tablet", strength_mg=Decimal(s), divisible=divisible) for s in strengths
    ]


def liquid(drug: str, mg_per_ml: str) -> Formulation:
    return Formulation(drug=drug, form="oral solution", strength_mg=Decimal(mg_per_ml))


def regimen(drug: str, **slots: str) -> RegimenItem:
    """regimen("lorazepam", morning="1", night="1")."""
    return RegimenItem(drug=drug, doses={Slot(k): Decimal(v) for k, v in slots.items()})


def make_table() -> EquivalenceTable:
    """A small table in the Ashton shape (doses equivalent to 10 mg diazepam)."""
    return EquivalenceTable(
        key="test",
        name="test equivalence table",
        citation="inline test table",
        reference_diazepam_mg=Decimal(10),
        entries=(
            EquivalenceEntry("diazepam", Decimal(10)),
            EquivalenceEntry("lorazepam", Decimal(1)),
            EquivalenceEntry("alprazolam", Decimal("0.5")),
            EquivalenceEntry("clonazepam", Decimal("0.5")),
            EquivalenceEntry("temazepam", Decimal(20)),
            EquivalenceEntry("estazolam", Decimal("1.5"), Decimal(1), Decimal(2)),
            EquivalenceEntry("oxazepam", Decimal(20), verified=False),
        ),
    )


def make_drugs() -> list[DrugInfo]:
    return [
        DrugInfo("diazepam", has_long_lived_active_metabolite=True, liquid_available=True),
        DrugInfo("lorazepam", liquid_available=True),
        DrugInfo("alprazolam", liquid_available=True),
        DrugInfo("clonazepam", may_treat_epilepsy=True, liquid_available=True),
        DrugInfo("temazepam", liquid_available=True),
        DrugInfo("estazolam"),
        DrugInfo("oxazepam"),
    ]


def plan(**arguments: object) -> Schedule:
    """plan_taper with this module's table, drugs, start and a 10% method unless given."""
    defaults: dict[str, object] = {
        "table": make_table(),
        "drugs": make_drugs(),
        "start": START,
        "method": PercentMethod(Decimal(10)),
    }
    return plan_taper(**{**defaults, **arguments})  # type: ignore[arg-type]
