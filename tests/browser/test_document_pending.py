"""A printed document not made yet: the page says so, asks again (htmx) and opens the document when
the worker has made it; at 1280 and 390 px. SCREENSHOTS_DIR saves the waiting page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import Page, expect

from schedules.models import Patient, PlanDocument
from schedules.plans.documents import render_document

from ..plans.conftest import new_plan
from .test_plan_flows import sign_in, sized_page

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["sized_page"]

# Queued in the database and left there: no worker runs until the test makes the document.
NO_WORKER = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_document_being_made_is_opened_when_ready(
    sized_page: Page, live_server: Any, prescriber: User, patient: Patient
) -> None:
    page = sized_page
    plan = new_plan(prescriber, patient, activate=True)
    sign_in(page, live_server, "prescriber")
    path = f"/plans/{plan.pk}/patient.pdf?paper=Letter&weeks=4"
    with override_settings(TASKS=NO_WORKER):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name="Patient's schedule")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("This document is being made")
        expect(page.get_by_text("US Letter; 4 weeks from")).to_be_visible()
        shots = os.environ.get("SCREENSHOTS_DIR")
        if shots:
            width = page.viewport_size["width"] if page.viewport_size else 0
            page.screenshot(path=str(Path(shots) / f"document-being-made-{width}.png"), full_page=True)
        with page.expect_request(lambda r: r.url.endswith(path) and "hx-request" in r.headers):
            pass  # it asks again by itself
        document = PlanDocument.objects.get(paper="Letter")
        with page.expect_response(
            lambda r: r.url.endswith(path) and r.headers.get("content-type") == "application/pdf",
            timeout=15000,
        ):
            render_document.call(document.pk)
