"""Each decision makes exactly the engine edit it names, through the plan actions: a new version
linked to its check-in, with a reason naming it, and the steps before the edit unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from followup.actions import (
    CheckInError,
    DecisionInput,
    confirm_checkin,
    preview_decision,
    record_checkin,
)
from followup.models import CheckIn, Scale
from schedules.models import Plan, PlanVersion

from .conftest import checkin_input

# Plan steps (lorazepam 4 mg/day, 10% every 14 days from 2027-01-04): step 2 runs 2027-01-18 to 01-31.
DAY = dt.date(2027, 1, 25)


def steps(version: PlanVersion) -> list[dict[str, Any]]:
    return list(version.schedule["steps"])


def acknowledged(plan: Plan, decision: DecisionInput) -> dict[str, str]:
    """The danger warnings of the edited schedule, acknowledged (they follow the steps, which move)."""
    assert plan.current_version is not None
    preview = preview_decision(plan.current_version, day=DAY, decision=decision)
    return {w["key"]: "Reviewed with the patient" for w in preview.dangers}


def record(user: User, plan: Plan, scale: Scale, decision: DecisionInput, **fields: Any) -> CheckIn:
    return record_checkin(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        data=checkin_input(scale, DAY, decision=decision, **fields),
        acknowledgements=acknowledged(plan, decision),
        today=DAY,
    )


def test_the_plan_steps_are_as_the_tests_assume(active_plan: Plan) -> None:
    step2 = steps(active_plan.current_version)[1]  # type: ignore[arg-type]
    assert (step2["number"], step2["start_date"], step2["end_date"]) == (2, "2027-01-18", "2027-01-31")


def test_continue_records_the_check_in_and_leaves_the_plan(
    prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    before = active_plan.lock_version
    checkin = record(prescriber, active_plan, checklist, DecisionInput(decision="continue"))
    active_plan.refresh_from_db()
    assert active_plan.lock_version == before
    assert checkin.status == CheckIn.Status.CONFIRMED and checkin.resulting_version is None
    assert checkin.step_number == 2 and checkin.total_score == 24
    assert checkin.responses == {str(n): 2 for n in range(1, 13)}


def test_hold_inserts_a_hold_after_the_current_step(
    prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    old = active_plan.current_version
    assert old is not None
    checkin = record(prescriber, active_plan, checklist, DecisionInput(decision="hold", hold_days=14))
    new = checkin.resulting_version
    assert new is not None and new.change == PlanVersion.Change.HOLD and new.number == old.number + 1
    assert new.reason.startswith("Held 14 days at ")
    assert "after the check-in of 2027-01-25: Symptom checklist 24, poor sleep" in new.reason
    before, after = steps(old), steps(new)
    assert after[:2] == before[:2]
    hold = after[2]
    assert hold["hold"] and hold["days"] == 14 and hold["start_date"] == "2027-02-01"
    assert hold["daily_mg"] == before[1]["daily_mg"]
    # Every later step moved 14 days later, with the same doses.
    assert after[3]["start_date"] == "2027-02-15" and after[3]["daily_mg"] == before[2]["daily_mg"]
    assert len(after) == len(before) + 1
    assert new.checkin == checkin


def test_slow_down_replans_from_the_next_step_with_the_longer_interval(
    prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    old = active_plan.current_version
    assert old is not None
    checkin = record(
        prescriber, active_plan, checklist, DecisionInput(decision="slow_down", slow_interval_days=28)
    )
    new = checkin.resulting_version
    assert new is not None and new.change == PlanVersion.Change.REPLANNED
    assert new.reason.startswith("Slowed down from the next step (every 28 days)")
    before, after = steps(old), steps(new)
    assert after[:2] == before[:2]
    assert after[2]["start_date"] == "2027-02-01"
    assert {step["days"] for step in after[2:-1]} == {28}


def test_slow_down_with_smaller_steps(prescriber: User, active_plan: Plan, checklist: Scale) -> None:
    old = active_plan.current_version
    assert old is not None
    checkin = record(
        prescriber, active_plan, checklist, DecisionInput(decision="slow_down", slow_percent=Decimal(5))
    )
    new = checkin.resulting_version
    assert new is not None
    before, after = steps(old), steps(new)
    assert after[:2] == before[:2]
    # From here the plan cuts 5% of the current dose, or the smallest cut the tablets can make (which
    # the engine flags): lorazepam tablets cannot make a smaller cut than the plan's, so no step is larger.
    assert new.request["method"]["percent"] == "5"
    assert all(
        abs(a["change_percent"]) <= abs(b["change_percent"])
        for a, b in zip(after[2:], before[2:], strict=False)
    )


def test_step_back_goes_back_to_the_previous_dose_from_the_check_in_then_retries(
    prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    old = active_plan.current_version
    assert old is not None
    checkin = record(
        prescriber, active_plan, checklist, DecisionInput(decision="step_back", step_back_days=7)
    )
    new = checkin.resulting_version
    assert new is not None and new.change == PlanVersion.Change.EDITED_STEP
    before, after = steps(old), steps(new)
    assert after[0] == before[0]
    # Step 2 ends the day before the check-in; the previous step's dose for 7 days; step 2's dose again.
    assert (after[1]["start_date"], after[1]["end_date"]) == ("2027-01-18", "2027-01-24")
    back = after[2]
    assert (back["start_date"], back["days"], back["daily_mg"]) == ("2027-01-25", 7, before[0]["daily_mg"])
    assert after[3]["daily_mg"] == before[1]["daily_mg"] and after[3]["days"] == before[1]["days"]
    assert any(w["code"] == "dose_increase" for w in new.schedule["warnings"])


def test_stop_stops_the_plan_with_the_reason(prescriber: User, active_plan: Plan, checklist: Scale) -> None:
    checkin = record(
        prescriber,
        active_plan,
        checklist,
        DecisionInput(decision="stop", reason="Patient chose to stop tapering"),
    )
    active_plan.refresh_from_db()
    new = checkin.resulting_version
    assert new is not None and new.change == PlanVersion.Change.STOPPED
    assert active_plan.status == Plan.Status.STOPPED
    assert "after the check-in of 2027-01-25" in new.reason and "Patient chose to stop" in new.reason
    # The version keeps the whole reason; the plan's history (at most 100 characters) a shortened one.
    assert len(new.reason) > 100
    assert active_plan.history.latest().history_change_reason == new.reason[:99] + "…"


def test_refer_records_who_and_leaves_the_plan(prescriber: User, active_plan: Plan, checklist: Scale) -> None:
    checkin = record(
        prescriber, active_plan, checklist, DecisionInput(decision="refer", refer_to="Addiction service")
    )
    assert checkin.resulting_version is None and checkin.refer_to == "Addiction service"


def test_staff_record_a_proposal_that_changes_nothing(
    staff: User, active_plan: Plan, checklist: Scale
) -> None:
    before = active_plan.lock_version
    checkin = record(
        staff, active_plan, checklist, DecisionInput(decision="hold", hold_days=14), review_done=True
    )
    active_plan.refresh_from_db()
    assert checkin.status == CheckIn.Status.PROPOSED and checkin.resulting_version is None
    assert not checkin.review_done
    assert active_plan.lock_version == before


def test_a_prescriber_confirms_the_staff_proposal(
    staff: User, prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    checkin = record(staff, active_plan, checklist, DecisionInput(decision="hold", hold_days=14))
    decision = DecisionInput(decision="hold", hold_days=7)
    confirmed = confirm_checkin(
        prescriber,
        checkin=checkin,
        lock_version=active_plan.lock_version,
        decision=decision,
        acknowledgements=acknowledged(active_plan, decision),
    )
    assert confirmed.status == CheckIn.Status.CONFIRMED and confirmed.confirmed_by == prescriber
    assert confirmed.resulting_version is not None and confirmed.resulting_version.reason.startswith(
        "Held 7 days"
    )
    with pytest.raises(CheckInError, match="confirmed already"):
        confirm_checkin(
            prescriber,
            checkin=checkin,
            lock_version=confirmed.resulting_version.number,
            decision=DecisionInput(decision="continue"),
        )


def test_staff_cannot_confirm(staff: User, active_plan: Plan, checklist: Scale) -> None:
    checkin = record(staff, active_plan, checklist, DecisionInput(decision="hold", hold_days=14))
    with pytest.raises(PermissionDenied):
        confirm_checkin(
            staff,
            checkin=checkin,
            lock_version=active_plan.lock_version,
            decision=DecisionInput(decision="hold", hold_days=14),
        )


def test_another_clinics_plan_is_refused(prescriber: User, foreign_plan: Plan, checklist: Scale) -> None:
    with pytest.raises(PermissionDenied):
        record(prescriber, foreign_plan, checklist, DecisionInput(decision="continue"))


def test_a_stale_page_saves_nothing(prescriber: User, active_plan: Plan, checklist: Scale) -> None:
    stale = active_plan.lock_version
    record(prescriber, active_plan, checklist, DecisionInput(decision="hold", hold_days=14))
    active_plan.refresh_from_db()
    with pytest.raises(CheckInError, match="Someone else saved this plan"):
        record_checkin(
            prescriber,
            plan=active_plan,
            lock_version=stale,
            data=checkin_input(checklist, DAY, decision=DecisionInput(decision="stop", reason="x")),
            today=DAY,
        )
    assert CheckIn.objects.count() == 1


def test_the_preview_is_the_edit_that_is_saved(prescriber: User, active_plan: Plan, checklist: Scale) -> None:
    version = active_plan.current_version
    assert version is not None
    decision = DecisionInput(decision="hold", hold_days=14)
    preview = preview_decision(version, day=DAY, decision=decision)
    assert preview.proposal is not None
    checkin = record(prescriber, active_plan, checklist, decision)
    assert checkin.resulting_version is not None
    assert checkin.resulting_version.schedule == preview.proposal.schedule_dict


def test_no_step_in_force_means_nothing_to_hold(active_plan: Plan) -> None:
    version = active_plan.current_version
    assert version is not None
    with pytest.raises(CheckInError, match="No step of the plan is in force on 2026-12-01"):
        preview_decision(
            version, day=dt.date(2026, 12, 1), decision=DecisionInput(decision="hold", hold_days=7)
        )


def test_slowing_down_needs_a_longer_interval(active_plan: Plan) -> None:
    version = active_plan.current_version
    assert version is not None
    with pytest.raises(CheckInError, match="longer than the plan's 14 days"):
        preview_decision(
            version, day=DAY, decision=DecisionInput(decision="slow_down", slow_interval_days=14)
        )
