"""The printed documents of saved plan versions: rendered once, off the request path, and stored.

When a version is saved, the plan workflow queues its two documents (the clinician's plan and the
patient's schedule, on the clinic's paper, the patient's for the default period) once the
transaction commits. A worker runs ``render_document`` (Django's Tasks framework: the database
backend by default, RQ with ``REDIS_URL``) and stores the bytes in ``PlanDocument``. A download asks
``requested`` for the document: the stored one when it is made, or a newly queued one.

A failed render is tried again (``MAX_ATTEMPTS`` in all), then kept as failed with its reason.
When something a document shows beyond its version changes (the clinic's paper or contact
details, the check-in scores on the clinician's chart), ``remake_current`` queues a new edition of
the current version's documents; older versions keep theirs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from followup.scores import plan_scores
from schedules.models import Plan, PlanDocument, PlanQuerySet, PlanVersion, PlanVersionQuerySet
from schedules.plans.dangers import unacknowledged_dangers
from schedules.plans.printing import PaperSize
from schedules.plans.printing.document import DEFAULT_PERIOD_WEEKS, period_start
from schedules.plans.printing.sources import version_pdf

logger = logging.getLogger(__name__)

Kind = PlanDocument.Kind
State = PlanDocument.State

# A render that fails is tried this many times in all, a little later each time, before the
# document is shown as failed with its reason.
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(seconds=15)
# Queued this long ago and still not made: its task was lost (a worker or queue restarted), so a
# download queues it again.
STALE_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class DocumentSpec:
    """Which document of a version: its kind, paper and (the patient's schedule) period."""

    kind: str
    paper: PaperSize
    period_start: dt.date
    period_weeks: int
    large_print: bool = False

    @classmethod
    def of(
        cls,
        version: PlanVersion,
        *,
        kind: str,
        today: dt.date,
        paper: PaperSize | None = None,
        period_weeks: int = DEFAULT_PERIOD_WEEKS,
        large_print: bool = False,
    ) -> DocumentSpec:
        """The clinician's plan prints every step; the patient's schedule the ``period_weeks`` from
        the first day of the step in force ``today``. ``paper`` defaults to the clinic's."""
        paper = paper or PaperSize(version.plan.patient.clinic.paper_size)
        if kind == Kind.CLINICIAN:
            return cls(kind, paper, version.start_date, 0)
        return cls(kind, paper, period_start(version.schedule, today=today), period_weeks, large_print)


def requested(version: PlanVersion, spec: DocumentSpec, *, latest_version: int) -> PlanDocument:
    """The document ``spec`` of ``version``: the newest one made for the plan's ``latest_version``,
    else a new one, queued. A queued one whose task was lost is queued again."""
    newest = _newest(version, spec)
    if newest is None or newest.latest_version != latest_version:
        return _queue_new(version, spec, latest_version=latest_version, after=newest)
    now = timezone.now()
    if newest.is_stale(now, after=STALE_AFTER):
        newest.queued_at = now
        newest.save(update_fields=["queued_at"])
        _enqueue(newest.pk)
    return newest


def queue_version_documents(version_id: int) -> None:
    """Both documents of a newly saved version of a plan being followed (active or paused), on the
    clinic's paper (the plan workflow calls this when the version's transaction commits). Drafts and
    ended plans are printed rarely: theirs are made when first asked for. A version with danger
    warnings nobody has acknowledged is not printed, so nothing is queued for it."""
    version = _versions().get(pk=version_id)
    if version.status not in Plan.CURRENT_STATUSES:
        return
    if unacknowledged_dangers(version.schedule, version.acknowledgements):
        return
    today = timezone.localdate()
    for kind in Kind:
        requested(version, DocumentSpec.of(version, kind=kind, today=today), latest_version=version.number)


def remake_current(plans: PlanQuerySet, *, kinds: Sequence[str] = tuple(Kind)) -> int:
    """A new edition of each document of ``kinds`` of each current plan's current version (those it
    has, and the clinic's default ones), unless one is still queued (it will read the new values
    when it is made). Returns how many were queued."""
    today = timezone.localdate()
    queued = 0
    current = plans.current().select_related(
        "current_version__plan__patient__clinic", "current_version__plan__created_by"
    )
    for plan in current:
        version = plan.current_version
        if version is None:
            continue
        if unacknowledged_dangers(version.schedule, version.acknowledgements):
            continue
        specs = {DocumentSpec.of(version, kind=kind, today=today) for kind in kinds}
        specs |= {
            DocumentSpec(doc.kind, PaperSize(doc.paper), doc.period_start, doc.period_weeks, doc.large_print)
            for doc in version.documents.filter(kind__in=list(kinds)).only(
                "kind", "paper", "period_start", "period_weeks", "large_print"
            )
        }
        for spec in specs:
            newest = _newest(version, spec)
            if newest is None or newest.state != State.QUEUED:
                _queue_new(version, spec, latest_version=version.number, after=newest)
                queued += 1
    return queued


@task()
def render_document(document_id: int) -> None:
    """Render one queued document and store it; on failure try again later, then record the reason."""
    document = PlanDocument.objects.select_related("version").get(pk=document_id)
    if document.state != State.QUEUED:
        return  # made already: a task delivered twice renders nothing twice
    version = _versions().get(pk=document.version_id)
    made_at = timezone.localtime()
    try:
        pdf = _render(document, version, made_at=made_at)
    except Exception as error:  # any failure is kept on the document, never lost
        logger.exception("printing document %s failed", document_id)
        _failed(document, f"{type(error).__name__}: {error}")
        return
    document.pdf = pdf
    document.state = State.READY
    document.made_at = made_at
    document.error = ""
    document.attempts += 1
    document.save(update_fields=["pdf", "state", "made_at", "error", "attempts"])


def _render(document: PlanDocument, version: PlanVersion, *, made_at: dt.datetime) -> bytes:
    clinician = document.kind == Kind.CLINICIAN
    return version_pdf(
        version,
        document=document.kind,
        latest_version=document.latest_version,
        printed_at=made_at,
        paper=PaperSize(document.paper),
        period_start=None if clinician else document.period_start,
        period_weeks=document.period_weeks,
        large_print=document.large_print,
        scores=plan_scores(version.plan) if clinician else (),  # check-ins on its chart
    )


def _failed(document: PlanDocument, reason: str) -> None:
    document.attempts += 1
    document.error = reason[:2000]
    if document.attempts >= MAX_ATTEMPTS:
        document.state = State.FAILED
        document.save(update_fields=["attempts", "error", "state"])
        return
    document.queued_at = timezone.now()
    document.save(update_fields=["attempts", "error", "queued_at"])
    _enqueue(document.pk, after=RETRY_AFTER * document.attempts)


def _versions() -> PlanVersionQuerySet:
    return PlanVersion.objects.select_related("plan__patient__clinic", "plan__created_by", "created_by")


def _newest(version: PlanVersion, spec: DocumentSpec) -> PlanDocument | None:
    return (
        PlanDocument.objects.filter(
            version=version,
            kind=spec.kind,
            paper=spec.paper,
            period_start=spec.period_start,
            period_weeks=spec.period_weeks,
            large_print=spec.large_print,
        )
        .defer("pdf")
        .order_by("-edition")
        .first()
    )


def _queue_new(
    version: PlanVersion, spec: DocumentSpec, *, latest_version: int, after: PlanDocument | None
) -> PlanDocument:
    try:
        with transaction.atomic():
            document = PlanDocument.objects.create(
                version=version,
                kind=spec.kind,
                paper=spec.paper,
                period_start=spec.period_start,
                period_weeks=spec.period_weeks,
                large_print=spec.large_print,
                edition=after.edition + 1 if after else 1,
                latest_version=latest_version,
                queued_at=timezone.now(),
            )
    except IntegrityError:
        # Another request queued the same edition at the same moment: that one will be made.
        found = _newest(version, spec)
        assert found is not None
        return found
    _enqueue(document.pk)
    return document


def _enqueue(document_id: int, *, after: dt.timedelta | None = None) -> None:
    """Queue the render once the caller's transaction commits, so the worker finds the row."""
    task_to_run = render_document
    if after is not None and render_document.get_backend().supports_defer:
        task_to_run = render_document.using(run_after=timezone.now() + after)
    transaction.on_commit(partial(task_to_run.enqueue, document_id))
