"""No write path bypasses the history or the audit trail: queryset .update(), .delete(),
bulk_create() and bulk_update() skip save() and its signals, so django-simple-history and the audit
never hear of them. On models that keep a history (or on the audit trail itself) they may appear
only in migrations."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
# load/ makes synthetic clinics in bulk for load tests, never in a clinic's database.
SKIPPED_DIRS = {".venv", "migrations", "tests", "load", "node_modules", "staticfiles", ".git"}
BULK = {"update", "delete", "bulk_create", "bulk_update"}
QUERYSET_STEPS = {"objects", "all", "filter", "exclude", "select_related", "prefetch_related", "order_by"}


def audited_names() -> set[str]:
    """Model classes with a history, the audit trail, and the related managers that reach them."""
    names = {"AuditEvent"}
    for model in apps.get_models():
        if hasattr(model, "history") and not model.__name__.startswith("Historical"):
            names.add(model.__name__)
            for relation in model._meta.related_objects:
                if relation.get_accessor_name():
                    names.add(relation.get_accessor_name() or "")
    return names - {"history"}


def chain(node: ast.expr) -> list[str]:
    """The names along `Patient.objects.filter(...).update` from the left: Patient, objects, filter."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return parts[::-1]


def derived_columns() -> set[str]:
    """Columns derived from records with a history of their own, which a bulk UPDATE may set."""
    return {name for model in apps.get_models() for name in getattr(model, "DERIVED_COLUMNS", ())}


def bypasses(source: str, audited: set[str]) -> list[int]:
    """Line numbers of bulk writes on audited models (through their manager or a related manager),
    but for an UPDATE that sets only derived columns (Plan.DERIVED_COLUMNS)."""
    derived = derived_columns()
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in BULK:
            names = chain(node.func.value)
            through_queryset = bool(QUERYSET_STEPS & set(names))
            only_derived = (
                node.func.attr == "update"
                and bool(node.keywords)
                and all(keyword.arg in derived for keyword in node.keywords)
            )
            if through_queryset and audited & set(names) and not only_derived:
                lines.append(node.lineno)
    return lines


def project_files() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)]


def test_the_checker_finds_each_kind_of_bypass() -> None:
    audited = audited_names()
    assert {"Patient", "RegimenItem", "Drug", "AuditEvent", "regimen"} <= audited
    examples = [
        "Patient.objects.filter(pk=1).update(given_name='x')",
        "Drug.objects.all().delete()",
        "RegimenItem.objects.bulk_create([])",
        "Equivalence.objects.bulk_update([], ['dose_mg'])",
        "patient.regimen.all().delete()",
        "AuditEvent.objects.filter(pk=1).update(detail='x')",
        "Plan.objects.filter(pk=1).update(status='stopped')",
        "Plan.objects.filter(pk=1).update(next_review_on=None, status='stopped')",
    ]
    for example in examples:
        assert bypasses(example, audited) == [1], example
    for harmless in [
        "data.update(changes)",
        "OneTimePassword.objects.filter(user=u).delete()",
        "item.delete()",
        "Plan.objects.filter(pk=1).update(next_checkin_on=None, hold_suggested=False)",
    ]:
        assert bypasses(harmless, audited) == [], harmless


def test_no_bulk_write_on_audited_models_outside_migrations() -> None:
    audited = audited_names()
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in project_files()
        for line in bypasses(path.read_text(encoding="utf-8"), audited)
    ]
    assert found == [], "use save() (history and audit follow) or a migration"
