"""Engine inputs built from the project's reference CSVs, for tests only.

Only values tagged V (verified) or V2 (secondary copy) are loaded: rows tagged M (from memory)
are skipped, and a tablet's divisibility is taken only when its note does not say it comes from
memory (otherwise the tablet is treated as whole). So no test expectation rests on an M value.
"""

from __future__ import annotations

from decimal import Decimal

from schedules.engine import DrugInfo, EquivalenceEntry, EquivalenceTable, Formulation
from schedules.reference.data import read_rows as _rows

TRUSTED = ("V", "V2")
# A metabolite half-life of 30 h or more counts as long-lived (drugs.csv: 30-250 h for
# diazepam, chlordiazepoxide, clorazepate, flurazepam, halazepam ...; ASHTON-EQ [V2]).
LONG_LIVED_METABOLITE_H = 30


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def load_table(key: str) -> EquivalenceTable:
    """One equivalence table with its V/V2 entries (M entries are left out)."""
    meta = next(row for row in _rows("equivalence_tables.csv") if row["key"] == key)
    entries = tuple(
        EquivalenceEntry(
            drug=row["drug"],
            dose_mg=Decimal(row["dose_mg"]),
            min_mg=_decimal(row["min_mg"]),
            max_mg=_decimal(row["max_mg"]),
            verified=True,
            note=row["note"],
        )
        for row in _rows("equivalences.csv")
        if row["table"] == key and row["confidence"] in TRUSTED
    )
    return EquivalenceTable(
        key=key,
        name=meta["name"],
        citation=meta["citation"],
        reference_diazepam_mg=Decimal(meta["reference_diazepam_mg"]),
        entries=entries,
    )


def load_drug_infos() -> list[DrugInfo]:
    """Every drug, with its metabolite and epilepsy facts and whether a V/V2 liquid exists."""
    liquids = {f.drug for f in load_formulations() if f.is_liquid}
    infos = []
    for row in _rows("drugs.csv"):
        metabolite = row["active_metabolite_half_life_h_min"]
        infos.append(
            DrugInfo(
                name=row["drug"],
                has_long_lived_active_metabolite=bool(metabolite)
                and Decimal(metabolite) >= LONG_LIVED_METABOLITE_H,
                may_treat_epilepsy="anticonvulsant" in row["market_aim"],
                liquid_available=row["drug"] in liquids,
            )
        )
    return infos


def load_formulations(
    *, drug: str | None = None, market: str | None = None, liquids: bool = True
) -> list[Formulation]:
    """V/V2 formulations, optionally of one drug, one market, without liquids."""
    result = []
    for row in _rows("formulations.csv"):
        if row["confidence"] not in TRUSTED:
            continue
        if (drug and row["drug"] != drug) or (market and row["market"] != market):
            continue
        formulation = Formulation(
            drug=row["drug"],
            form=row["form"],
            strength_mg=Decimal(row["strength"]),
            divisible=_divisible(row),
            modified_release=row["modified_release"] == "yes",
            id=f"{row['market']}:{row['drug']}:{row['form']}:{row['strength']}",
        )
        if liquids or not formulation.is_liquid:
            result.append(formulation)
    return result


def _divisible(row: dict[str, str]) -> str:
    if not row["divisible"] or "memory" in row["note"]:
        return "whole"
    return row["divisible"]
