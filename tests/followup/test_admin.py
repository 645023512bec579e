"""Administrators maintain the scales in the admin, each change with its reason in the history."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from followup.models import Scale, ScaleItem

from ..conftest import client_for


@pytest.mark.parametrize("model", ["scale", "scaleitem", "scaleband"])
def test_administrators_reach_the_scale_lists(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(reverse(f"admin:followup_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", ["scale", "scaleitem"])
def test_prescribers_and_staff_cannot_change_scales(prescriber: User, staff: User, model: str) -> None:
    for user in (prescriber, staff):
        response = client_for(user).get(reverse(f"admin:followup_{model}_changelist"))
        assert response.status_code in (302, 403)


def item_post(item: ScaleItem, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "scale": item.scale_id,
        "order": item.order,
        "text": item.text,
        "min_score": item.min_score,
        "max_score": item.max_score,
        "anchors": '[{"score": 0, "label": "None"}, {"score": 3, "label": "Severe"}]',
        "change_reason": "",
        "seen_history": item.history.latest("history_id").history_id,
    }
    data.update(changes)
    return data


def test_an_item_change_needs_a_reason_and_is_kept_in_the_history(
    admin_client_: Client, administrator: User
) -> None:
    item = Scale.objects.get().items.get(order=1)
    url = reverse("admin:followup_scaleitem_change", args=[item.pk])
    refused = admin_client_.post(url, item_post(item, max_score=4))
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    item.refresh_from_db()
    assert item.max_score == 3
    saved = admin_client_.post(
        url, item_post(item, max_score=4, change_reason="Rated 0-4 as in our local form")
    )
    assert saved.status_code == 302
    latest = item.history.latest()
    assert latest.max_score == 4 and latest.history_user == administrator
    assert latest.history_change_reason == "Rated 0-4 as in our local form"


def test_an_empty_range_is_refused(admin_client_: Client) -> None:
    item = Scale.objects.get().items.get(order=1)
    url = reverse("admin:followup_scaleitem_change", args=[item.pk])
    response = admin_client_.post(url, item_post(item, min_score=3, max_score=3, change_reason="test"))
    assert "highest score must be above its lowest" in response.content.decode()
