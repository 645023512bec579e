"""A plan's symptom scores as the plan chart's second series (schedules.plans.charts.ScorePoint): for the
plan page, the check-in pages and the clinician's printed plan."""

from __future__ import annotations

from collections.abc import Iterable

from schedules.models import Plan
from schedules.plans.charts import ScorePoint

from .models import CheckIn
from .overview import checkins_of


def score_points(checkins: Iterable[CheckIn]) -> tuple[ScorePoint, ...]:
    """Each check-in's total, on the scale's own range (check-ins fetched with their scale)."""
    listed = list(checkins)
    maxima = {scale.pk: scale.spec().max_total for scale in {checkin.scale for checkin in listed}}
    return tuple(
        ScorePoint(date=checkin.date, score=checkin.total_score, maximum=maxima[checkin.scale_id])
        for checkin in sorted(listed, key=lambda c: (c.date, c.recorded_at))
    )


def plan_scores(plan: Plan) -> tuple[ScorePoint, ...]:
    """The plan's check-in scores in a fixed number of queries, whatever their number (shared with
    the plan's other follow-up pieces on the same page)."""
    return score_points(checkins_of([plan])[plan.pk])
