"""WeasyPrint rendering of the two printed documents, fetching nothing but the project's own static files."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import mimetypes
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from schedules import engine
from schedules.plans.charts import ScorePoint
from schedules.plans.printing.advice import (
    ALL_ADVICE,
    EMERGENCY,
    EXPECTED_SYMPTOMS,
    IF_SEVERE,
    NO_ALCOHOL,
    source_numbers,
    sources_for,
)
from schedules.plans.printing.document import DEFAULT_PERIOD_WEEKS, PrintablePlan, from_schedule, regimen_rows
from schedules.plans.printing.patient import (
    journal,
    overview,
    patient_steps,
    steps_in_period,
    used_slots,
    uses_liquid,
)

logger = logging.getLogger(__name__)

# The address static files are given while rendering. ".invalid" never resolves (RFC 2606), so a
# URL that escaped the fetcher could not reach a network either.
BASE_URL = "https://print.invalid/"


class UrlRefused(ValueError):
    """A URL that is not one of the project's own static files."""


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the project's static files and refuses the rest.

    It never opens a connection or a file outside the static files: ``fetch`` replaces
    WeasyPrint's own. ``refused`` keeps every URL it turned away (WeasyPrint logs them and
    renders without).
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.refused: list[str] = []
        self._prefix = BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            raise UrlRefused(f"not fetched while printing: {url}")
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
        )

    def _static_path(self, url: str) -> Path | None:
        if not url.startswith(self._prefix) or "?" in url or "#" in url:
            return None
        name = url.removeprefix(self._prefix)
        if not name or ".." in name.split("/"):
            return None
        # Collected (hashed) names in production, the source tree in development.
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
        found = finders.find(name)
        return Path(found) if isinstance(found, str) else None


def clinician_pdf(plan: PrintablePlan, *, scores: tuple[ScorePoint, ...] = ()) -> bytes:
    """The clinician's plan as PDF bytes."""
    context = {
        **_common(plan),
        "regimen_rows": regimen_rows(plan.regimen, plan.table),
        "scores": scores,
    }
    return render_pdf("printing/clinician.html", context, plan=plan)


def patient_pdf(plan: PrintablePlan, *, large_print: bool = False) -> bytes:
    """The patient's take-home schedule as tagged PDF bytes (PDF/UA-1: its language, title, headings,
    tables and the tablets' pictures with their text, in reading order, for a screen reader): the
    steps of the period in full, an overview of the later ones, and the dose journal.
    ``large_print``: every word at 16 pt or more (18 pt text)."""
    start = plan.journal_start or dt.date.fromisoformat(plan.schedule["start_date"])
    slots = used_slots(plan.schedule)
    full, later = steps_in_period(plan.schedule, start=start, weeks=plan.period_weeks)
    context = {
        **_common(plan),
        "steps": patient_steps(plan.schedule, steps=full),
        "overview": overview(later, block_weeks=DEFAULT_PERIOD_WEEKS),
        "journal": journal(plan.schedule, start=start, days=plan.journal_days),
        "journal_slots": [slot.capitalize() for slot in slots],
        "advice": {
            "expected": (EXPECTED_SYMPTOMS, source_numbers(EXPECTED_SYMPTOMS)),
            "if_severe": (IF_SEVERE, source_numbers(IF_SEVERE)),
            "emergency": (EMERGENCY, source_numbers(EMERGENCY)),
            "no_alcohol": (NO_ALCOHOL, source_numbers(NO_ALCOHOL)),
        },
        "advice_sources": sources_for(ALL_ADVICE),
        "large_print": large_print,
        "liquid": uses_liquid(plan.schedule),
    }
    return render_pdf("printing/patient.html", context, plan=plan, tagged=True)


def _common(plan: PrintablePlan) -> dict[str, Any]:
    return {"plan": plan, "schedule": plan.schedule, "today": plan.printed_at.date()}


def render_pdf(template: str, context: dict[str, Any], *, plan: PrintablePlan, tagged: bool = False) -> bytes:
    """Render ``template`` to PDF at the plan's paper size, with the restricted fetcher."""
    html = render_to_string(template, context)
    return html_to_pdf(html, paper_css=f"@page {{ size: {plan.paper.css_size}; }}", tagged=tagged)


def html_to_pdf(
    html: str, *, paper_css: str = "", fetcher: StaticFilesFetcher | None = None, tagged: bool = False
) -> bytes:
    """``tagged``: PDF/UA-1, WeasyPrint's accessible variant (a structure tree, the document's
    language and title shown as its title)."""
    fetcher = fetcher or StaticFilesFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    stylesheets = [CSS(string=paper_css, url_fetcher=fetcher)] if paper_css else []
    pdf = document.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1" if tagged else None)
    if fetcher.refused:
        logger.warning("printing refused to fetch %s", ", ".join(fetcher.refused))
    assert pdf is not None
    return bytes(pdf)


def write_command_line_pdfs(
    schedule: engine.Schedule,
    *,
    clinician: Path | None,
    patient: Path | None,
    printed_at: dt.datetime,
) -> None:
    """``taper --pdf`` / ``--patient-pdf``: the documents of a plan built on the command line."""
    if clinician is None and patient is None:
        return
    plan = from_schedule(schedule, printed_at=printed_at)
    if clinician is not None:
        clinician.write_bytes(clinician_pdf(plan))
    if patient is not None:
        patient.write_bytes(patient_pdf(plan))


def pdf_file_arg(text: str) -> Path:
    """``--pdf FILE``: a file named *.pdf in a folder that exists and can be written to (a PDF
    written as out.txt would be opened as text, or overwrite a file that is not a PDF)."""
    path = Path(text)
    if path.suffix.lower() != ".pdf":
        raise argparse.ArgumentTypeError(f"{text!r} does not end in .pdf: give a name such as plan.pdf")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"there is no folder {str(path.parent)!r} to write {path.name!r} in")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: give a file name, e.g. plan.pdf")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"{text!r} cannot be written")
    return path
