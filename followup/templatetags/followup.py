"""Follow-up pieces other pages include with one line:

- ``{% followup_dashboard %}`` on the prescriber's dashboard: check-ins due this week, overdue,
  reviews due, last check-ins that suggest a hold, and decisions awaiting a prescriber;
- ``{% plan_followup plan %}`` on the plan page: next check-in and review, the check-ins, and the
  link to record one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import timezone

from schedules.models import Plan

from .. import guidance
from ..models import CheckIn
from ..overview import checkins_of, dashboard, follow_ups

register = template.Library()


@register.inclusion_tag("followup/_dashboard.html", takes_context=True)
def followup_dashboard(context: template.Context, heading: bool = True) -> dict[str, Any]:
    """``heading``: a "Follow-up" heading above the lists (on the dashboard; not on their own page)."""
    request = context["request"]
    board = dashboard(request.user, today=timezone.localdate(), query=request.GET)
    return {"board": board, "perms": context.get("perms"), "request": request, "heading": heading}


@register.inclusion_tag("followup/_plan_followup.html", takes_context=True)
def plan_followup(context: template.Context, plan: Plan, limit: int = 10) -> dict[str, Any]:
    """``limit`` check-ins, the latest first (0: all of them)."""
    today = timezone.localdate()
    checkins = checkins_of([plan])[plan.pk]
    listed = checkins[:limit] if limit else checkins
    return {
        "plan": plan,
        "follow_up": follow_ups([plan], today=today)[0] if plan.current_version else None,
        "checkins": listed,
        "more": bool(limit) and len(checkins) > limit,
        "perms": context.get("perms"),
        "guidance": guidance,
    }


@register.filter
def danger_field(warning: Mapping[str, Any]) -> str:
    """The form-field key of a danger warning's acknowledgement."""
    return str(warning["key"])


@register.filter
def get_posted(posted: Any, key: str) -> str:
    """What was typed in the acknowledgement field for ``key`` (kept when the page comes back)."""
    return str(posted.get(f"ack-{key}", "")) if posted else ""


@register.filter
def decision_label(value: str) -> str:
    return str(CheckIn.Decision(value).label) if value in CheckIn.Decision.values else value
