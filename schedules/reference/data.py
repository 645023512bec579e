"""Load the project's copy of the clinical reference data (schedules/data/reference/*.csv).

The CSV files are copied from the team's clinical reference (clinical-reference.md beside them gives
every source). Loading only ever adds what is missing: a record that already exists is left as it is,
so values an administrator corrected in the admin are never overwritten.

Used by the data migration (with historical models) and by `manage.py load_reference`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
LOAD_REASON = "Loaded from the project's reference data (schedules/data/reference)"
DEFAULT_TABLE_KEY = "ashton"  # Ashton 2007: the table UK and US tapering guidance both build on.


@dataclass
class LoadReport:
    """Counts what was added and what was already there; calls `on_created` for each new record."""

    on_created: Callable[[Any], None] = lambda record: None
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, record: Any, created: bool) -> None:
        bucket = self.created if created else self.existing
        bucket[kind] = bucket.get(kind, 0) + 1
        if created:
            self.on_created(record)

    def summary(self) -> str:
        kinds = ("drugs", "formulations", "equivalence tables", "equivalences")
        return "; ".join(
            f"{kind}: {self.created.get(kind, 0)} added, {self.existing.get(kind, 0)} already present"
            for kind in kinds
        )


def read_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def load_reference_data(
    *,
    drug_model: Any,
    formulation_model: Any,
    table_model: Any,
    equivalence_model: Any,
    on_created: Callable[[Any], None] = lambda record: None,
) -> LoadReport:
    """Add every drug, formulation, table and equivalence of the CSV files that is not yet stored."""
    report = LoadReport(on_created=on_created)
    drugs = {row["drug"]: _load_drug(drug_model, row, report) for row in read_rows("drugs.csv")}
    for row in read_rows("formulations.csv"):
        _load_formulation(formulation_model, drugs[row["drug"]], row, report)
    tables = {
        row["key"]: _load_table(table_model, row, report) for row in read_rows("equivalence_tables.csv")
    }
    for row in read_rows("equivalences.csv"):
        _load_equivalence(equivalence_model, tables[row["table"]], drugs[row["drug"]], row, report)
    return report


def _load_drug(model: Any, row: dict[str, str], report: LoadReport) -> Any:
    metabolite_min = _decimal(row["active_metabolite_half_life_h_min"])
    metabolite_max = _decimal(row["active_metabolite_half_life_h_max"])
    drug, created = model.objects.get_or_create(
        name=row["drug"],
        defaults={
            "drug_class": row["class"],
            "atc_code": row["atc"],
            "half_life_min_h": _decimal(row["half_life_h_min"]),
            "half_life_max_h": _decimal(row["half_life_h_max"]),
            "metabolite_half_life_min_h": metabolite_min,
            "metabolite_half_life_max_h": metabolite_max,
            "has_active_metabolites": metabolite_max is not None,
            # Ashton's "aim" column marks anticonvulsant use (clobazam, clonazepam); NHS Scotland
            # 2024 warns these may be treating epilepsy.
            "may_treat_epilepsy": "anticonvulsant" in row["market_aim"],
            "market_aim": row["market_aim"],
            "source": row["source"],
            "confidence": row["confidence"],
        },
    )
    report.count("drugs", drug, created)
    return drug


def _load_formulation(model: Any, drug: Any, row: dict[str, str], report: LoadReport) -> None:
    modified_release = row["modified_release"] == "yes"
    form = row["form"].removeprefix("extended-release ")
    formulation, created = model.objects.get_or_create(
        drug=drug,
        form=form,
        modified_release=modified_release,
        strength_mg=Decimal(row["strength"]),
        market=row["market"],
        defaults={
            "divisible": row["divisible"] or "whole",
            "confidence": row["confidence"],
            "note": row["note"],
        },
    )
    report.count("formulations", formulation, created)


def _load_table(model: Any, row: dict[str, str], report: LoadReport) -> Any:
    table, created = model.objects.get_or_create(
        key=row["key"],
        defaults={
            "name": row["name"],
            "citation": row["citation"],
            "url": row["url"],
            "year": int(row["year"]),
            "reference_diazepam_mg": Decimal(row["reference_diazepam_mg"]),
            "is_default": row["key"] == DEFAULT_TABLE_KEY
            and not model.objects.filter(is_default=True).exists(),
            "confidence": row["confidence"],
        },
    )
    report.count("equivalence tables", table, created)
    return table


def _load_equivalence(model: Any, table: Any, drug: Any, row: dict[str, str], report: LoadReport) -> None:
    equivalence, created = model.objects.get_or_create(
        table=table,
        drug=drug,
        defaults={
            "dose_mg": Decimal(row["dose_mg"]),
            "min_mg": _decimal(row["min_mg"]),
            "max_mg": _decimal(row["max_mg"]),
            "confidence": row["confidence"],
            "note": row["note"],
        },
    )
    report.count("equivalences", equivalence, created)


def load_in_migration(apps: Any, *, now: Any) -> LoadReport:
    """``load_reference_data`` with a data migration's historical models: each record added gets
    its first history entry, dated ``now``, naming where it came from."""

    def record_history(record: Any) -> None:
        model = type(record)
        historical = apps.get_model("schedules", f"Historical{model.__name__}")
        historical.objects.create(
            history_date=now,
            history_type="+",
            history_change_reason=LOAD_REASON,
            **{field.attname: getattr(record, field.attname) for field in model._meta.concrete_fields},
        )

    return load_reference_data(
        drug_model=apps.get_model("schedules", "Drug"),
        formulation_model=apps.get_model("schedules", "Formulation"),
        table_model=apps.get_model("schedules", "EquivalenceTable"),
        equivalence_model=apps.get_model("schedules", "Equivalence"),
        on_created=record_history,
    )
