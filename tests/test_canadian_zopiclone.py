"""Issue 14: zopiclone tablets are marketed in Canada (Imovane 5 and 7.5 mg, product monograph),
so a Canadian clinic can plan a zopiclone taper; the data migration adds only what is missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from schedules import engine
from schedules.models import Formulation
from schedules.plans.planning import PlanChoices, plan
from schedules.reference.data import LOAD_REASON, load_in_migration

pytestmark = pytest.mark.django_db


def test_zopiclone_tablets_are_in_the_canadian_market_with_their_source() -> None:
    products = Formulation.objects.filter(drug__name="zopiclone", market="CA").order_by("strength_mg")
    assert [(p.strength_mg, p.divisible) for p in products] == [
        (Decimal(5), "whole"),
        (Decimal("7.5"), "whole"),
    ]
    assert all("Imovane" in p.note and "product monograph" in p.note for p in products)
    schedule = plan(
        PlanChoices(
            regimen=(engine.RegimenItem(drug="zopiclone", doses={engine.Slot.NIGHT: Decimal("7.5")}),),
            method=engine.PercentMethod(percent=Decimal(10)),
            market="CA",
            start=date(2027, 1, 4),
        )
    )
    assert schedule.request.market == "CA" and schedule.steps


def test_the_data_migration_adds_only_what_is_missing() -> None:
    Formulation.objects.filter(drug__name="zopiclone", market="CA").delete()
    corrected = Formulation.objects.get(drug__name="zopiclone", market="UK", strength_mg=Decimal("3.75"))
    corrected.note = "corrected by an administrator"
    corrected.save()
    report = load_in_migration(apps, now=timezone.now())
    assert report.created == {"formulations": 2}
    added = Formulation.objects.filter(drug__name="zopiclone", market="CA")
    assert added.count() == 2
    # Each added record's history names its source (the app's own signal adds a second entry
    # here, outside a migration).
    assert all(LOAD_REASON in {h.history_change_reason for h in p.history.all()} for p in added)
    corrected.refresh_from_db()
    assert corrected.note == "corrected by an administrator"
