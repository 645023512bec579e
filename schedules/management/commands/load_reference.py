"""Add any reference data from schedules/data/reference that the database does not hold yet."""

from typing import Any

from django.core.management.base import BaseCommand
from simple_history.utils import update_change_reason

from schedules.models import Drug, Equivalence, EquivalenceTable, Formulation
from schedules.reference.data import LOAD_REASON, load_reference_data


class Command(BaseCommand):
    help = "Load drugs, formulations and equivalence tables; records already present are left unchanged."

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference_data(
            drug_model=Drug,
            formulation_model=Formulation,
            table_model=EquivalenceTable,
            equivalence_model=Equivalence,
            on_created=lambda record: update_change_reason(record, LOAD_REASON),
        )
        self.stdout.write(f"Reference data: {report.summary()}.")
