"""Downloading a printed document as a person on its page would: the first request queues it, the
worker makes it, and the next request is served from storage."""

from __future__ import annotations

from typing import Any

from django.test import Client

from schedules.models import PlanDocument
from schedules.plans.documents import render_document


def make_queued_documents() -> int:
    """Run the render task of every queued document in this process (the worker's job); how many."""
    queued = list(PlanDocument.objects.filter(state=PlanDocument.State.QUEUED).values_list("pk", flat=True))
    for pk in queued:
        render_document.call(pk)
    return len(queued)


def download(client: Client, path: str) -> Any:
    """GET ``path``; when it answers "being made" (202), make the queued documents and GET it again."""
    response = client.get(path)
    if response.status_code != 202:
        return response
    make_queued_documents()
    return client.get(path)
